package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.nn.CellType;
import io.rill.nn.Vec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Compares the analytic gradient of the chunk loss with central finite differences, in double precision, for
 * sampled entries of every parameter tensor. A fresh engine with the same seed per evaluation draws the same
 * dropout masks, so the dropout case checks the masked backward pass too.
 */
class GradientCheckTest {

  private static final int VOCAB = 7;
  private static final int BATCH = 2;
  private static final int STEPS = 5;
  private static final double EPS = 1e-5;
  private static final int ENTRIES_PER_TENSOR = 16;

  static List<Arguments> models() {
    LstmConfig small = new LstmConfig(CellType.LSTM, 3, 4, 1, 0.0, DataType.DOUBLE);
    return List.of(
        Arguments.of("lstm", small),
        Arguments.of("rnn", small.withCell(CellType.RNN)),
        Arguments.of("two-layer lstm with dropout", small.withLayers(2).withDropout(0.3)),
        Arguments.of("two-layer rnn with dropout", small.withCell(CellType.RNN).withLayers(2).withDropout(0.3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void analyticGradientMatchesFiniteDifferences(String name, LstmConfig config) {
    Random random = new Random(11);
    LstmParams params = LstmParams.initialize(config, VOCAB, 5);
    int[][] inputs = randomIds(random);
    int[][] targets = randomIds(random);
    LstmState initial = randomState(config, random);

    LstmGradients analytic = new CharLstm(config, 99).trainChunk(params, inputs, targets, initial).gradients();

    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (int k = 0; k < params.tensors().count(); k++) {
      INDArray tensor = params.tensors().get(k);
      Vec p = Vec.of(tensor);
      Vec g = Vec.of(analytic.tensors().get(k));
      for (int n = 0; n < Math.min(ENTRIES_PER_TENSOR, p.length()); n++) {
        int i = p.length() <= ENTRIES_PER_TENSOR ? n : random.nextInt(p.length());
        double original = p.get(i);
        p.set(i, original + EPS);
        double plus = loss(config, params, inputs, targets, initial);
        p.set(i, original - EPS);
        double minus = loss(config, params, inputs, targets, initial);
        p.set(i, original);
        double numeric = (plus - minus) / (2 * EPS);
        // Relative error, with an absolute floor: a central difference carries ~1e-11 of rounding noise.
        double error = Math.abs(numeric - g.get(i)) / Math.max(1e-3, Math.abs(numeric) + Math.abs(g.get(i)));
        if (error > 1e-5) {
          failures.add("%s[%d]: analytic %.9g, numeric %.9g".formatted(params.names().get(k), i, g.get(i), numeric));
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(ENTRIES_PER_TENSOR * 3);
    assertThat(failures).isEmpty();
    assertThat(analytic.globalNorm()).isGreaterThan(0.01);
  }

  private static double loss(LstmConfig config, LstmParams params, int[][] inputs, int[][] targets,
                             LstmState initial) {
    return new CharLstm(config, 99).trainChunk(params, inputs, targets, initial).loss();
  }

  private static int[][] randomIds(Random random) {
    int[][] ids = new int[BATCH][STEPS];
    for (int[] row : ids) {
      for (int t = 0; t < STEPS; t++) {
        row[t] = random.nextInt(VOCAB);
      }
    }
    return ids;
  }

  static LstmState randomState(LstmConfig config, Random random) {
    LstmState state = LstmState.zeros(config, BATCH);
    for (int l = 0; l < config.layers(); l++) {
      fill(state.hidden(l), random, 0.8);
      if (state.cell(l) != null) {
        fill(state.cell(l), random, 1.5);
      }
    }
    return state;
  }

  private static void fill(INDArray array, Random random, double scale) {
    Vec v = Vec.of(array);
    for (int i = 0; i < v.length(); i++) {
      v.set(i, scale * (2 * random.nextDouble() - 1));
    }
  }
}
