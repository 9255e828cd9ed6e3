package io.rill.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.nn.Vec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sentence CNN's gradients against central finite differences in double, for every parameter of every tensor:
 * the convolution's filters and biases (through max pooling and ReLU), the output layer, and the word offsets
 * (through the convolution's input gradient), in each variant, with dropout (the same mask in every evaluation), on
 * a batch whose sentences are shorter than, as long as and longer than the widest filter.
 */
class KimCnnGradientTest {

    private static final double EPSILON = 1e-6;
    /** Central differences in double agree to ~1e-8 here; a wrong term, factor or index is off by far more. */
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @EnumSource(Variant.class)
    void gradientsMatchFiniteDifferences(Variant variant) {
        CnnConfig config = new CnnConfig(variant, 4, new int[] {2, 3}, 3, 1, 0.5, DataType.DOUBLE);
        int words = 7;
        int classes = 3;
        CnnParams params = CnnParams.initialize(config, words, classes, 11);
        Random values = new Random(5);
        if (variant.trained()) {
            Vec offsets = Vec.of(params.wordOffsets());
            for (int i = 0; i < offsets.length(); i++) {
                offsets.set(i, 0.3 * (2 * values.nextDouble() - 1));
            }
        }
        BaseTable base = randomBase(config.dimension(), words, values);
        int[][] sentences = {{0, 1, 2, 3, 4}, {5}, {6, 2}, {1, 1, 3, 6, 0, 2, 5}};
        int[] labels = {0, 2, 1, 2};
        KimCnn cnn = new KimCnn(config);
        CnnParams gradients = params.zerosLike();
        cnn.train(params, base, sentences, labels, gradients, new Random(3));

        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (int t = 0; t < params.tensors().count(); t++) {
            String name = params.tensors().names().get(t);
            Vec p = Vec.of(params.tensors().get(t));
            Vec g = Vec.of(gradients.tensors().get(t));
            for (int i = 0; i < p.length(); i++) {
                double original = p.get(i);
                p.set(i, original + EPSILON);
                double plus = loss(cnn, params, base, sentences, labels);
                p.set(i, original - EPSILON);
                double minus = loss(cnn, params, base, sentences, labels);
                p.set(i, original);
                double numeric = (plus - minus) / (2 * EPSILON);
                double analytic = g.get(i);
                double error = Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic));
                if (error > TOLERANCE) {
                    failures.add(String.format("%s[%d]: analytic %.8g, numeric %.8g", name, i, analytic, numeric));
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(80);
        assertThat(failures).as(variant + ": gradients off their finite differences").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void theBatchGradientIsTheMeanOfTheSentencesGradients(Variant variant) {
        CnnConfig config = new CnnConfig(variant, 3, new int[] {1, 2}, 2, 0, 0.0, DataType.DOUBLE);
        CnnParams params = CnnParams.initialize(config, 4, 2, 1);
        BaseTable base = randomBase(3, 4, new Random(2));
        int[][] sentences = {{0, 1, 2}, {3, 3}};
        int[] labels = {1, 0};
        KimCnn cnn = new KimCnn(config);
        CnnParams batch = params.zerosLike();
        cnn.train(params, base, sentences, labels, batch, new Random(1));
        CnnParams first = params.zerosLike();
        cnn.train(params, base, new int[][] {sentences[0]}, new int[] {labels[0]}, first, new Random(1));
        CnnParams second = params.zerosLike();
        cnn.train(params, base, new int[][] {sentences[1]}, new int[] {labels[1]}, second, new Random(1));
        for (int t = 0; t < batch.tensors().count(); t++) {
            Vec b = Vec.of(batch.tensors().get(t));
            Vec one = Vec.of(first.tensors().get(t));
            Vec two = Vec.of(second.tensors().get(t));
            for (int i = 0; i < b.length(); i++) {
                assertThat(b.get(i)).isCloseTo((one.get(i) + two.get(i)) / 2, org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }

    private static double loss(KimCnn cnn, CnnParams params, BaseTable base, int[][] sentences, int[] labels) {
        return cnn.train(params, base, sentences, labels, params.zerosLike(), new Random(3)).loss();
    }

    static BaseTable randomBase(int dimension, int words, Random random) {
        BaseTable base = new BaseTable(dimension);
        float[] row = new float[dimension];
        for (int w = 0; w < words; w++) {
            for (int i = 0; i < dimension; i++) {
                row[i] = (float) (random.nextDouble() - 0.5);
            }
            base.append(row, 0);
        }
        return base;
    }

    static double norm(INDArray row) {
        return row.norm2Number().doubleValue();
    }
}
