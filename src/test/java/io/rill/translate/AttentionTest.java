package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.CellType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the attention promises, in training and in decoding: every target word's weights sum to 1 over the real
 * words of its own source sentence and are exactly 0 on the padding after them; and beam search of width 1 is greedy
 * decoding, word for word, with the same log-probability and the same attention maps.
 */
class AttentionTest {

    @Test
    void weightsSumToOneOverRealWordsAndAreZeroOnPadding() {
        TranslatorConfig config = new TranslatorConfig(4, 3, 5, CellType.LSTM, DataType.DOUBLE);
        TranslatorParams params = TranslatorParams.initialize(config, 9, 9, 2);
        params.get(TranslatorParams.ATTENTION_V).muli(5); // weights far from uniform
        AttentionNet net = new AttentionNet(config);
        int[][] sources = {{4, 5, 6, 7, 8}, {6}, {5, 4, 8}};
        int[][] targets = {{4}, {5, 6, 7, 8}, {}};
        net.loss(params, new AttentionNet.Batch(sources, targets));
        for (int b = 0; b < sources.length; b++) {
            for (int t = 0; t <= targets[b].length; t++) {
                double sum = 0;
                for (int j = 0; j < 5; j++) {
                    double w = net.attentionWeight(t, b, j);
                    if (j < sources[b].length) {
                        assertThat(w).isBetween(0.0, 1.0);
                        sum += w;
                    } else {
                        assertThat(w).as("row %d, step %d, padding %d", b, t, j).isEqualTo(0.0);
                    }
                }
                assertThat(sum).isCloseTo(1.0, within(1e-12));
            }
        }
    }

    @Test
    void beamOfOneIsGreedy() {
        TranslatorConfig config = TranslatorConfig.of(8, 6, 7);
        Decoding decoding = new Decoding(config);
        Random random = new Random(4);
        for (int seed = 0; seed < 5; seed++) {
            TranslatorParams params = TranslatorParams.initialize(config, 12, 15, seed);
            params.get(TranslatorParams.OUTPUT_BIAS).putScalar(0, WordVocabulary.EOS, 1.5 * seed); // some end early
            int[] source = new int[1 + random.nextInt(6)];
            for (int j = 0; j < source.length; j++) {
                source[j] = 4 + random.nextInt(8);
            }
            Translation greedy = decoding.greedy(params, source, 10);
            Translation beam = decoding.beam(params, source, 1, 10);
            assertThat(beam.words()).isEqualTo(greedy.words());
            assertThat(beam.ended()).isEqualTo(greedy.ended());
            assertThat(beam.logProbability()).isCloseTo(greedy.logProbability(), within(1e-9));
            assertThat(beam.attention()).isDeepEqualTo(greedy.attention());
            for (double[] row : beam.attention()) {
                assertThat(row).hasSize(source.length);
                assertThat(java.util.Arrays.stream(row).sum()).isCloseTo(1.0, within(1e-5));
            }
            Translation wide = decoding.beam(params, source, 5, 10);
            assertThat(wide.attention()).hasNumberOfRows(wide.words().length);
        }
    }
}
