package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.CellType;
import io.rill.nn.Tensors;
import io.rill.nn.Vec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The translator's gradients in double precision against central finite differences of its loss, for every entry
 * of every parameter tensor: the encoder's two directions, the bridge, the attention (query, keys, bias, v), the
 * decoder, the output layer and both embeddings, over a padded batch whose sentences have different lengths on both
 * sides (one target is the end symbol alone). The tolerance is tight enough that a gradient off by 1% fails.
 */
class TranslatorGradientCheckTest {

    private static final double EPS = 1e-6;
    private static final double TOLERANCE = 1e-6;

    static final int[][] SOURCES = {{4, 5, 6}, {6}, {5, 4}};
    static final int[][] TARGETS = {{4, 7}, {}, {5, 6, 4}};

    static TranslatorConfig config(CellType cell) {
        return new TranslatorConfig(3, 2, 3, cell, DataType.DOUBLE);
    }

    static TranslatorParams params(TranslatorConfig config) {
        TranslatorParams params = TranslatorParams.initialize(config, 7, 8, 5);
        // Non-zero biases, so that their paths are exercised too.
        java.util.Random random = new java.util.Random(9);
        for (INDArray tensor : params.tensors()) {
            if (tensor.rows() == 1) {
                Vec vec = Vec.of(tensor);
                for (int i = 0; i < vec.length(); i++) {
                    vec.set(i, 0.3 * random.nextGaussian());
                }
            }
        }
        // Sharper attention than at initialisation, so that the query's gradient is not nearly zero.
        params.get(TranslatorParams.ATTENTION_V).muli(4);
        params.get(TranslatorParams.ATTENTION_KEY).muli(3);
        return params;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void everyGradientMatchesFiniteDifferences(CellType cell) {
        TranslatorConfig config = config(cell);
        TranslatorParams params = params(config);
        AttentionNet net = new AttentionNet(config);
        AttentionNet.Batch batch = new AttentionNet.Batch(SOURCES, TARGETS);
        TranslatorParams gradients = TranslatorParams.zeros(config, 7, 8);
        net.train(params, batch, gradients);

        List<String> failures = check(net, params, batch, gradients);
        assertThat(failures).isEmpty();
        for (String name : List.of(TranslatorParams.ATTENTION_V, TranslatorParams.ATTENTION_QUERY,
                TranslatorParams.ATTENTION_KEY, TranslatorParams.BRIDGE_WEIGHTS,
                TranslatorParams.ENCODER_BACKWARD_WEIGHTS, TranslatorParams.SOURCE_EMBEDDING)) {
            assertThat(gradients.get(name).norm2Number().doubleValue()).as(name).isGreaterThan(1e-5);
        }
    }

    @Test
    void aGradientOffByOnePercentFailsTheCheck() {
        TranslatorConfig config = config(CellType.LSTM);
        TranslatorParams params = params(config);
        AttentionNet net = new AttentionNet(config);
        AttentionNet.Batch batch = new AttentionNet.Batch(SOURCES, TARGETS);
        for (String name : List.of(TranslatorParams.ATTENTION_V, TranslatorParams.ATTENTION_KEY,
                TranslatorParams.DECODER_WEIGHTS)) {
            TranslatorParams gradients = TranslatorParams.zeros(config, 7, 8);
            net.train(params, batch, gradients);
            Vec wrong = Vec.of(gradients.get(name));
            int largest = 0;
            for (int i = 0; i < wrong.length(); i++) {
                if (Math.abs(wrong.get(i)) > Math.abs(wrong.get(largest))) {
                    largest = i;
                }
            }
            wrong.set(largest, wrong.get(largest) * 1.01);
            assertThat(check(net, params, batch, gradients)).as(name).hasSize(1);
        }
    }

    @Test
    void paddingChangesNothing() {
        // A batch's summed loss is the sum of its sentences' losses taken alone: padding leaks nothing.
        TranslatorConfig config = config(CellType.LSTM);
        TranslatorParams params = params(config);
        AttentionNet net = new AttentionNet(config);
        double together = net.lossSum(params, new AttentionNet.Batch(SOURCES, TARGETS))[0];
        double alone = 0;
        for (int b = 0; b < SOURCES.length; b++) {
            alone += net.lossSum(params, new AttentionNet.Batch(new int[][] {SOURCES[b]},
                    new int[][] {TARGETS[b]}))[0];
        }
        assertThat(together).isCloseTo(alone, within(1e-10));
    }

    /** The entries whose analytic gradient differs from the central difference, by name and index. */
    static List<String> check(AttentionNet net, TranslatorParams params, AttentionNet.Batch batch,
                              TranslatorParams gradients) {
        List<String> failures = new ArrayList<>();
        Tensors tensors = params.tensors();
        for (int k = 0; k < tensors.count(); k++) {
            String name = tensors.names().get(k);
            Vec p = Vec.of(tensors.get(k));
            Vec g = Vec.of(gradients.tensors().get(k));
            for (int i = 0; i < p.length(); i++) {
                double original = p.get(i);
                p.set(i, original + EPS);
                double plus = net.loss(params, batch);
                p.set(i, original - EPS);
                double minus = net.loss(params, batch);
                p.set(i, original);
                double numeric = (plus - minus) / (2 * EPS);
                double analytic = g.get(i);
                double error = Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic));
                if (error > TOLERANCE) {
                    failures.add(String.format("%s[%d]: analytic %.9g, numeric %.9g", name, i, analytic, numeric));
                }
            }
        }
        return failures;
    }
}
