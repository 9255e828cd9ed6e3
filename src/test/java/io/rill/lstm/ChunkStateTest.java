package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.CellType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Truncated BPTT must not change the forward computation: two chunks with the state carried equal one chunk. */
class ChunkStateTest {

  @ParameterizedTest
  @EnumSource(CellType.class)
  void stateCarriedAcrossTwoChunksEqualsOneLongChunk(CellType cellType) {
    LstmConfig config = new LstmConfig(cellType, 3, 5, 2, 0.0, DataType.DOUBLE);
    LstmParams params = LstmParams.initialize(config, 6, 3);
    Random random = new Random(4);
    int batch = 3;
    int[][] inputs = new int[batch][10];
    int[][] targets = new int[batch][10];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < 10; t++) {
        inputs[b][t] = random.nextInt(6);
        targets[b][t] = random.nextInt(6);
      }
    }
    LstmState start = LstmState.zeros(config, batch);
    CharLstm engine = new CharLstm(config, 1);

    CharLstm.ChunkLoss whole = engine.evaluateChunk(params, inputs, targets, start);
    CharLstm.ChunkResult first = engine.trainChunk(params, columns(inputs, 0, 4), columns(targets, 0, 4), start);
    CharLstm.ChunkResult second = engine.trainChunk(params, columns(inputs, 4, 10), columns(targets, 4, 10),
        first.finalState());

    for (int l = 0; l < config.layers(); l++) {
      assertClose(second.finalState().hidden(l).ravel().toDoubleVector(), whole.finalState().hidden(l).ravel().toDoubleVector());
      if (cellType == CellType.LSTM) {
        assertClose(second.finalState().cell(l).ravel().toDoubleVector(), whole.finalState().cell(l).ravel().toDoubleVector());
      } else {
        assertThat(second.finalState().cell(l)).isNull();
      }
    }
    assertThat((4 * first.loss() + 6 * second.loss()) / 10).isCloseTo(whole.loss(), within(1e-12));
    assertThat(start.hidden(0).sumNumber().doubleValue()).isZero();
  }

  private static int[][] columns(int[][] ids, int from, int to) {
    return Arrays.stream(ids).map(row -> Arrays.copyOfRange(row, from, to)).toArray(int[][]::new);
  }

  private static void assertClose(double[] actual, double[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    assertThat(Arrays.stream(expected).map(Math::abs).max().orElse(0)).isGreaterThan(1e-3);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).isCloseTo(expected[i], within(1e-12));
    }
  }
}
