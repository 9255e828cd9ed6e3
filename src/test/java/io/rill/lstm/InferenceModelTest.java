package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.CellType;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The plain-Java generation step computes what the training engine's step computes, for both cells and 2 layers. */
class InferenceModelTest {

  @ParameterizedTest
  @EnumSource(CellType.class)
  void logitsMatchTheTrainingEnginesStepOverASequence(CellType cell) {
    LstmConfig config = LstmConfig.lstm(5, 12).withCell(cell).withLayers(2);
    int vocabulary = 9;
    LstmParams params = LstmParams.initialize(config, vocabulary, 4);
    InferenceModel model = new InferenceModel(params);
    CharLstm engine = new CharLstm(config, 0);
    int count = 3;
    InferenceModel.Streams streams = model.streams(count);
    LstmState state = LstmState.zeros(config, count);
    double[][] expected = new double[count][vocabulary];
    double[][] actual = new double[count][vocabulary];
    Random random = new Random(2);
    for (int t = 0; t < 20; t++) {
      int[] inputs = new int[count];
      for (int b = 0; b < count; b++) {
        inputs[b] = random.nextInt(vocabulary);
      }
      state = engine.step(params, inputs, state, expected);
      model.step(streams, inputs, actual);
      for (int b = 0; b < count; b++) {
        assertThat(actual[b]).containsExactly(expected[b], within(1e-4));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void aNegativeInputLeavesItsStreamAlone(CellType cell) {
    LstmConfig config = LstmConfig.lstm(3, 4).withCell(cell);
    InferenceModel model = new InferenceModel(LstmParams.initialize(config, 5, 1));
    InferenceModel.Streams streams = model.streams(2);
    double[][] logits = new double[2][5];
    model.step(streams, new int[] {1, 2}, logits);
    double[] before = logits[1].clone();
    model.step(streams, new int[] {3, -1}, logits);
    assertThat(logits[1]).containsExactly(before);
  }
}
