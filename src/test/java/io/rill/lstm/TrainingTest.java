package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.nn.Adam;
import io.rill.nn.CellType;
import io.rill.nn.GradientClipping;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End to end on a tiny repetitive stream, three names in random order, one per line: Adam with clipping must drive
 * the loss far below the uniform log V (to near the floor of about log 3 nats per name for choosing the next name),
 * and greedy sampling must then complete a name from its first letters.
 */
class TrainingTest {

  private static final List<String> NAMES = List.of("anna", "bob", "carl");

  @ParameterizedTest
  @EnumSource(CellType.class)
  void lossFallsWellBelowUniformAndGreedySamplingReproducesThePattern(CellType cellType) {
    Random order = new Random(3);
    String text = IntStream.range(0, 300).mapToObj(i -> NAMES.get(order.nextInt(NAMES.size())) + "\n")
        .collect(Collectors.joining());
    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters(text);
    int[] ids = vocabulary.encode("\n" + text);
    LstmConfig config = LstmConfig.lstm(8, 32).withCell(cellType);
    LstmParams params = LstmParams.initialize(config, vocabulary.size(), 1);
    Adam adam = new Adam(params.tensors(), 1e-2, 0.9, 0.999, 1e-8);
    CharLstm engine = new CharLstm(config, 2);
    ParallelStreams streams = new ParallelStreams(ids, 4, 16);
    LstmGradients gradients = LstmGradients.zerosLike(params);
    double uniform = Math.log(vocabulary.size());

    double firstLoss = Double.NaN;
    double lastPassLoss = 0;
    for (int pass = 0; pass < 12; pass++) {
      LstmState state = LstmState.zeros(config, 4);
      lastPassLoss = 0;
      for (int k = 0; k < streams.chunks(); k++) {
        CharLstm.ChunkResult result = engine.trainChunk(params, streams.inputs(k), streams.targets(k), state,
            gradients);
        if (Double.isNaN(firstLoss)) {
          firstLoss = result.loss();
        }
        lastPassLoss += result.loss() / streams.chunks();
        GradientClipping.clipGlobalNorm(gradients.tensors(), GradientClipping.DEFAULT_MAX_NORM);
        adam.step(params.tensors(), gradients.tensors());
        state = result.finalState();
      }
    }

    assertThat(firstLoss).isBetween(0.7 * uniform, 1.3 * uniform);
    assertThat(lastPassLoss).isLessThan(0.3 * uniform);
    assertThat(HeldOutLoss.natsPerCharacter(params, vocabulary, "bob\ncarl\nanna\ncarl\n")).isLessThan(0.3 * uniform);

    Sampler sampler = new Sampler(params, vocabulary);
    assertThat(sampler.sample("ca", 0, 0, 20, new Random(1)))
        .isEqualTo(new Sampler.Sample("carl", sampler.sample("ca", 0, 0, 20, new Random(1)).logProbability(), true));
    assertThat(sampler.sample("b", 0, 0, 20, new Random(2)).text()).isEqualTo("bob");
  }
}
