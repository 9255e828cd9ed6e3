package io.rill.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.Adadelta;
import io.rill.nn.Vec;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class KimCnnTest {

    @Test
    void aSentenceShorterThanTheWidestFilterClassifies() {
        for (int padding : new int[] {0, 4}) {
            CnnConfig config = new CnnConfig(Variant.RAND, 6, new int[] {3, 4, 5}, 5, padding, 0.5, DataType.FLOAT);
            CnnParams params = CnnParams.initialize(config, 3, 2, 1);
            BaseTable base = KimCnnGradientTest.randomBase(6, 3, new Random(1));
            KimCnn cnn = new KimCnn(config);
            for (int[] sentence : new int[][] {{0}, {1, 2}, {2, 2, 0, 1}, {}}) {
                KimCnn.Classification result = cnn.classify(params, base, sentence, true);
                assertThat(result.probabilities()).hasSize(2);
                assertThat(Arrays.stream(result.probabilities()).sum()).isCloseTo(1.0, within(1e-9));
                assertThat(result.tokenWeights()).hasSize(sentence.length);
                assertThat(Arrays.stream(result.tokenWeights()).allMatch(Double::isFinite)).isTrue();
            }
            // and trains: one word, a batch of one
            KimCnn.Step step = cnn.train(params, base, new int[][] {{1}}, new int[] {1}, params.zerosLike(),
                    new Random(2));
            assertThat(step.loss()).isPositive();
        }
    }

    @Test
    void theTokenWeightsAddUpToThePredictedClassMarginOverTheMeanLogit() {
        CnnConfig config = new CnnConfig(Variant.MULTICHANNEL, 4, new int[] {2, 3}, 6, 0, 0.5, DataType.DOUBLE);
        CnnParams params = CnnParams.initialize(config, 5, 3, 4);
        BaseTable base = KimCnnGradientTest.randomBase(4, 5, new Random(4));
        int[] sentence = {0, 3, 1, 4, 2, 2};
        KimCnn.Classification result = new KimCnn(config).classify(params, base, sentence, true);
        double[] p = result.probabilities();
        int c = 0;
        for (int k = 1; k < p.length; k++) {
            c = p[k] > p[c] ? k : c;
        }
        // log p_c − mean_k log p_k = logit_c − mean_k logit_k; take away the output biases' part
        double meanLog = Arrays.stream(p).map(Math::log).average().orElseThrow();
        Vec bias = Vec.of(params.outputBias());
        double meanBias = (bias.get(0) + bias.get(1) + bias.get(2)) / 3;
        double margin = Math.log(p[c]) - meanLog - (bias.get(c) - meanBias);
        assertThat(Arrays.stream(result.tokenWeights()).sum()).isCloseTo(margin, within(1e-9));
    }

    @Test
    void aServingEngineClassifiesAsTheBatchEngineDoesAndFollowsNewParameters() {
        CnnConfig config = new CnnConfig(Variant.MULTICHANNEL, 6, new int[] {2, 3}, 5, 1, 0.5, DataType.FLOAT);
        CnnParams params = CnnParams.initialize(config, 4, 3, 8);
        BaseTable base = KimCnnGradientTest.randomBase(6, 4, new Random(8));
        KimCnn batch = new KimCnn(config);
        KimCnn serving = new KimCnn(config, true);
        int[] sentence = {3, 0, 2, 2, 1};
        assertThat(serving.classify(params, base, sentence, true).probabilities())
                .containsExactly(batch.classify(params, base, sentence, true).probabilities(), within(1e-5));
        Vec filters = Vec.of(params.filters());
        for (int i = 0; i < filters.length(); i++) {
            filters.set(i, filters.get(i) * -2);
        }
        serving.parametersChanged();
        assertThat(serving.classify(params, base, sentence, true).tokenWeights())
                .containsExactly(batch.classify(params, base, sentence, true).tokenWeights(), within(1e-4));
    }

    @Test
    void learnsASeparableToySetInMemory() {
        CnnConfig config = new CnnConfig(Variant.RAND, 8, new int[] {2, 3}, 8, 1, 0.5, DataType.FLOAT);
        int words = 20; // 0..1: class words, 2..19: filler
        CnnParams params = CnnParams.initialize(config, words, 2, 3);
        BaseTable base = KimCnnGradientTest.randomBase(8, words, new Random(3));
        Adadelta adadelta = new Adadelta(params.tensors(), 1.0, 0.95, 1e-6);
        KimCnn cnn = new KimCnn(config);
        Random random = new Random(9);
        CnnParams gradients = params.zerosLike();
        int[] written = new int[0];
        for (int step = 0; step < 300; step++) {
            int[][] sentences = new int[20][];
            int[] labels = new int[20];
            for (int s = 0; s < 20; s++) {
                labels[s] = random.nextInt(2);
                sentences[s] = toy(random, labels[s]);
            }
            gradients.clearWordRows(written);
            written = cnn.train(params, base, sentences, labels, gradients, random).wordIds();
            adadelta.step(params.tensors(), gradients.tensors());
        }
        int[][] test = new int[200][];
        int[] labels = new int[200];
        for (int s = 0; s < 200; s++) {
            labels[s] = s % 2;
            test[s] = toy(random, labels[s]);
        }
        KimCnn.Evaluation evaluation = cnn.evaluate(params, base, test, labels, 64);
        assertThat(evaluation.correct()).isGreaterThan(190);
    }

    private static int[] toy(Random random, int label) {
        int[] sentence = new int[1 + random.nextInt(8)];
        for (int i = 0; i < sentence.length; i++) {
            sentence[i] = 2 + random.nextInt(18);
        }
        sentence[random.nextInt(sentence.length)] = label;
        return sentence;
    }
}
