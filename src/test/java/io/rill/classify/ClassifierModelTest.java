package io.rill.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.rill.nn.Tensors;
import io.rill.nn.Vec;
import io.rill.ps.Parameters;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The classifier's parameter server design: Adadelta then max-norm; and what training leaves alone. */
class ClassifierModelTest {

    static ClassifierSettings settings(Map<String, Object> overrides) {
        Config config = ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load().getConfig("rill.classify"));
        return ClassifierSettings.of(config);
    }

    @Test
    void maxNormHoldsAfterEveryUpdate() {
        ClassifierSettings settings = settings(Map.of("dimension", 6, "feature-maps", 4, "max-norm", 3.0,
                "adadelta.learning-rate", 1e4)); // Adadelta's first steps are ~1e-3: amplified to reach the cap
        CnnConfig config = settings.cnn(6);
        Parameters parameters = new Parameters(ClassifierModel.design(settings, config));
        parameters.grow(CnnParams.CLASSES, 3);
        for (int update = 0; update < 20; update++) {
            Tensors gradient = parameters.dense().zerosLike();
            Vec g = Vec.of(gradient.get(CnnParams.OUTPUT_WEIGHTS));
            for (int i = 0; i < g.length(); i++) {
                g.set(i, i % 3 == 0 ? -50 : 10); // pushes the rows far out
            }
            parameters.apply(gradient, 1);
            CnnParams params = CnnParams.wrap(config, parameters.dense());
            for (int row = 0; row < params.classes(); row++) {
                assertThat(KimCnnGradientTest.norm(params.outputWeights().getRow(row))).isLessThanOrEqualTo(3.0 + 1e-5);
            }
        }
        assertThat(KimCnnGradientTest.norm(CnnParams.wrap(config, parameters.dense()).outputWeights().getRow(0)))
                .isGreaterThan(2.99); // it was capped, not shrunk
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void trainingNeverChangesTheFixedRows(Variant variant) {
        ClassifierSettings settings = settings(Map.of("dimension", 5, "feature-maps", 4, "variant",
                variant.configName(), "widths", java.util.List.of(2, 3)));
        CnnConfig config = settings.cnn(5);
        Parameters parameters = new Parameters(ClassifierModel.design(settings, config));
        parameters.grow(CnnParams.CLASSES, 2);
        if (variant.trained()) {
            parameters.grow(CnnParams.WORDS, 6);
        }
        BaseTable base = KimCnnGradientTest.randomBase(5, 6, new Random(1));
        BaseTable before = base.copy();
        KimCnn cnn = new KimCnn(config);
        Random random = new Random(2);
        for (int step = 0; step < 10; step++) {
            CnnParams params = CnnParams.wrap(config, parameters.dense());
            CnnParams gradient = params.zerosLike();
            cnn.train(params, base, new int[][] {{0, 1, 2}, {3, 4, 5, 0}}, new int[] {0, 1}, gradient, random);
            parameters.apply(gradient.tensors(), 2);
        }
        assertThat(base.rowsFrom(0)).isEqualTo(before.rowsFrom(0));
        CnnParams params = CnnParams.wrap(config, parameters.dense());
        assertThat(parameters.dense().names().contains(CnnParams.WORD_OFFSETS)).isEqualTo(variant.trained());
        if (variant.trained()) {
            float[] offsets = params.wordOffsets().data().asFloat();
            assertThat(Arrays.stream(box(offsets)).anyMatch(v -> v != 0)).as("the trained channel moved").isTrue();
        }
    }

    private static Float[] box(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    static Map<String, Object> with(String key, Object value) {
        return Map.of(key, ConfigValueFactory.fromAnyRef(value).unwrapped());
    }
}
