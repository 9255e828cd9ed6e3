package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.CellType;
import io.rill.nn.Vec;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float model (the one that trains, with its exp-free vectorisable gate math) must compute what the double
 * model (the one the gradient checks verify) computes, to float precision: same loss, same gradients, same state.
 */
class FloatPrecisionTest {

  @ParameterizedTest
  @EnumSource(CellType.class)
  void floatModelMatchesDoubleModel(CellType cellType) {
    LstmConfig doubles = new LstmConfig(cellType, 8, 32, 2, 0.0, DataType.DOUBLE);
    LstmConfig floats = doubles.withDataType(DataType.FLOAT);
    LstmParams exact = LstmParams.initialize(doubles, 11, 4);
    LstmParams single = LstmParams.initialize(floats, 11, 4);
    Random random = new Random(6);
    int[][] inputs = new int[4][12];
    int[][] targets = new int[4][12];
    for (int b = 0; b < 4; b++) {
      for (int t = 0; t < 12; t++) {
        inputs[b][t] = random.nextInt(11);
        targets[b][t] = random.nextInt(11);
      }
    }
    LstmState start = LstmState.zeros(doubles, 4);
    LstmState startFloat = LstmState.zeros(floats, 4);
    for (int l = 0; l < 2; l++) {
      for (int i = 0; i < 4 * 32; i++) {
        double h = 0.9 * Math.sin(i + l);
        Vec.of(start.hidden(l)).set(i, h);
        Vec.of(startFloat.hidden(l)).set(i, h);
        if (cellType == CellType.LSTM) {
          Vec.of(start.cell(l)).set(i, 2 * Math.cos(i));
          Vec.of(startFloat.cell(l)).set(i, 2 * Math.cos(i));
        }
      }
    }

    CharLstm.ChunkResult reference = new CharLstm(doubles, 0).trainChunk(exact, inputs, targets, start);
    CharLstm.ChunkResult result = new CharLstm(floats, 0).trainChunk(single, inputs, targets, startFloat);

    assertThat(result.loss()).isCloseTo(reference.loss(), within(1e-5 * reference.loss()));
    for (int k = 0; k < exact.tensors().count(); k++) {
      INDArray expected = reference.gradients().tensors().get(k);
      INDArray actual = result.gradients().tensors().get(k).castTo(DataType.DOUBLE);
      double scale = expected.norm2Number().doubleValue();
      assertThat(scale).as(exact.names().get(k)).isPositive();
      assertThat(actual.sub(expected).norm2Number().doubleValue() / scale).as(exact.names().get(k)).isLessThan(1e-4);
    }
    for (int l = 0; l < 2; l++) {
      INDArray expected = reference.finalState().hidden(l);
      INDArray actual = result.finalState().hidden(l).castTo(DataType.DOUBLE);
      assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-5);
    }
  }
}
