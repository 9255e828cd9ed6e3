package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.CellType;
import io.rill.nn.Vec;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A chunk trained in parts on several threads (the lanes cut into consecutive parts, the parts' gradients added) is
 * the chunk trained in one pass: the same loss, gradients and final state, up to the order of additions.
 */
class ChunkPartsTest {

  @ParameterizedTest
  @CsvSource({"LSTM, DOUBLE, 2, 1e-10", "RNN, DOUBLE, 3, 1e-10", "LSTM, FLOAT, 2, 1e-5", "LSTM, FLOAT, 4, 1e-5"})
  void partsOnThreadsComputeWhatOnePassComputes(CellType cell, DataType type, int threads, double tolerance) {
    LstmConfig config = new LstmConfig(cell, 5, 12, 2, 0.0, type);
    int lanes = 35; // not a multiple of the parts: they differ in size
    int steps = 7;
    LstmParams params = LstmParams.initialize(config, 9, 3);
    Random random = new Random(5);
    int[][] inputs = new int[lanes][steps];
    int[][] targets = new int[lanes][steps];
    for (int b = 0; b < lanes; b++) {
      for (int t = 0; t < steps; t++) {
        inputs[b][t] = random.nextInt(9);
        targets[b][t] = random.nextInt(9);
      }
    }
    LstmState start = LstmState.zeros(config, lanes);
    for (int l = 0; l < config.layers(); l++) {
      Vec h = Vec.of(start.hidden(l));
      for (int i = 0; i < h.length(); i++) {
        h.set(i, 0.8 * Math.sin(3 * i + l));
        if (start.cell(l) != null) {
          Vec.of(start.cell(l)).set(i, Math.cos(i));
        }
      }
    }

    CharLstm one = new CharLstm(config, 0);
    CharLstm parted = new CharLstm(config, 0, threads);
    assertThat(one.parts(lanes)).isEqualTo(1);
    assertThat(parted.parts(lanes)).isEqualTo(Math.min(threads, lanes / CharLstm.MIN_LANES_PER_PART));
    CharLstm.ChunkResult expected = one.trainChunk(params, inputs, targets, start);
    for (int repeat = 0; repeat < 2; repeat++) { // the second time on reused scratch memory
      CharLstm.ChunkResult actual = parted.trainChunk(params, inputs, targets, start);
      assertThat(actual.loss()).isCloseTo(expected.loss(), within(tolerance * expected.loss()));
      for (int k = 0; k < params.tensors().count(); k++) {
        INDArray want = expected.gradients().tensors().get(k);
        INDArray got = actual.gradients().tensors().get(k);
        double scale = want.norm2Number().doubleValue();
        assertThat(scale).as(params.names().get(k)).isPositive();
        assertThat(got.sub(want).norm2Number().doubleValue() / scale).as(params.names().get(k))
            .isLessThan(tolerance);
      }
      for (int l = 0; l < config.layers(); l++) {
        assertThat(actual.finalState().hidden(l).sub(expected.finalState().hidden(l)).amaxNumber().doubleValue())
            .isLessThan(tolerance);
        if (expected.finalState().cell(l) != null) {
          assertThat(actual.finalState().cell(l).sub(expected.finalState().cell(l)).amaxNumber().doubleValue())
              .isLessThan(tolerance);
        }
      }
    }
  }
}
