package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.Adam;
import io.rill.nn.CellType;
import io.rill.nn.GradientClipping;
import io.rill.nn.Vec;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class OptimizerTest {

  private final LstmConfig config = new LstmConfig(CellType.RNN, 2, 3, 1, 0.0, DataType.DOUBLE);

  @Test
  void firstAdamStepMovesEveryParameterByTheLearningRateAgainstItsGradientSign() {
    LstmParams params = LstmParams.initialize(config, 4, 1);
    LstmParams before = params.copy();
    LstmGradients gradients = LstmGradients.zerosLike(params);
    int k = 0;
    for (INDArray tensor : gradients.tensors()) {
      Vec g = Vec.of(tensor);
      for (int i = 0; i < g.length(); i++) {
        g.set(i, ((i + k) % 3 - 1) * 0.37);
      }
      k++;
    }
    Adam adam = new Adam(params.tensors(), 0.01, 0.9, 0.999, 1e-8);
    adam.step(params.tensors(), gradients.tensors());

    assertThat(adam.steps()).isEqualTo(1);
    for (int t = 0; t < params.tensors().count(); t++) {
      Vec p = Vec.of(params.tensors().get(t));
      Vec p0 = Vec.of(before.tensors().get(t));
      Vec g = Vec.of(gradients.tensors().get(t));
      for (int i = 0; i < p.length(); i++) {
        assertThat(p.get(i) - p0.get(i)).isCloseTo(-0.01 * Math.signum(g.get(i)), within(1e-7));
      }
    }
  }

  @Test
  void floatUpdatesFollowTheDoubleUpdatesOverManySteps() {
    LstmConfig floatConfig = config.withCell(CellType.LSTM).withDataType(DataType.FLOAT);
    LstmConfig doubleConfig = floatConfig.withDataType(DataType.DOUBLE);
    LstmParams single = LstmParams.initialize(floatConfig, 5, 2);
    LstmParams exact = LstmParams.initialize(doubleConfig, 5, 2);
    Adam singleAdam = new Adam(single.tensors(), 0.01, 0.9, 0.999, 1e-8);
    Adam exactAdam = new Adam(exact.tensors(), 0.01, 0.9, 0.999, 1e-8);
    Random random = new Random(9);
    for (int step = 0; step < 30; step++) {
      LstmGradients g1 = LstmGradients.zerosLike(single);
      LstmGradients g2 = LstmGradients.zerosLike(exact);
      for (int t = 0; t < g1.tensors().count(); t++) {
        Vec a = Vec.of(g1.tensors().get(t));
        Vec b = Vec.of(g2.tensors().get(t));
        for (int i = 0; i < a.length(); i++) {
          float value = (float) random.nextGaussian();
          a.set(i, value);
          b.set(i, value);
        }
      }
      singleAdam.step(single.tensors(), g1.tensors());
      exactAdam.step(exact.tensors(), g2.tensors());
    }
    for (int t = 0; t < single.tensors().count(); t++) {
      Vec a = Vec.of(single.tensors().get(t));
      Vec b = Vec.of(exact.tensors().get(t));
      for (int i = 0; i < a.length(); i++) {
        assertThat(a.get(i)).isCloseTo(b.get(i), within(1e-5));
      }
    }
  }

  @Test
  void clippingScalesOnlyGradientsAboveTheBound() {
    LstmParams params = LstmParams.initialize(config, 4, 1);
    LstmGradients gradients = LstmGradients.zerosLike(params);
    Vec.of(gradients.embedding()).set(0, 6);
    Vec.of(gradients.outputBias()).set(1, 8);
    assertThat(GradientClipping.clipGlobalNorm(gradients.tensors(), 5)).isCloseTo(10, within(1e-12));
    assertThat(gradients.globalNorm()).isCloseTo(5, within(1e-5));
    assertThat(Vec.of(gradients.embedding()).get(0)).isCloseTo(3, within(1e-5));

    LstmGradients small = LstmGradients.zerosLike(params);
    Vec.of(small.weights(0)).set(2, 3);
    GradientClipping.clipGlobalNorm(small.tensors(), 5);
    assertThat(Vec.of(small.weights(0)).get(2)).isEqualTo(3);
  }

  @Test
  void parallelStreamsSliceTheSequenceIntoConsecutiveRuns() {
    int[] ids = new int[23];
    Arrays.setAll(ids, i -> i);
    ParallelStreams streams = new ParallelStreams(ids, 2, 4);
    // (23 − 1) / 2 = 11 ids per stream, two whole chunks of 4.
    assertThat(streams.chunks()).isEqualTo(2);
    assertThat(streams.inputs(0)).isDeepEqualTo(new int[][] {{0, 1, 2, 3}, {11, 12, 13, 14}});
    assertThat(streams.targets(0)).isDeepEqualTo(new int[][] {{1, 2, 3, 4}, {12, 13, 14, 15}});
    assertThat(streams.inputs(1)).isDeepEqualTo(new int[][] {{4, 5, 6, 7}, {15, 16, 17, 18}});
  }
}
