package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.Tensors.Axis;
import io.rill.nn.Tensors.Spec;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The optimizers over plain tensor sets: Adadelta against values worked out by hand from its definition (as
 * torch.optim.Adadelta computes it), plain SGD, and what every optimizer owes a parameter server: state that follows
 * parameters that grew, and a binary state that restores to the same bits.
 */
class OptimizersTest {

  private static Tensors vector(DataType type, double... values) {
    Tensors tensors = Tensors.zeros(type, Spec.fixed("p", 1, values.length));
    Vec vec = Vec.of(tensors.get(0));
    for (int i = 0; i < values.length; i++) {
      vec.set(i, values[i]);
    }
    return tensors;
  }

  private static double[] values(Tensors tensors) {
    Vec vec = Vec.of(tensors.get(0));
    double[] values = new double[vec.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = vec.get(i);
    }
    return values;
  }

  @Test
  void adadeltaFollowsItsDefinitionWithPyTorchsDefaultsForKim() {
    // ρ 0.95, ε 1e-6, lr 1. Step 1 of the first entry by hand: s = 0.05 · 0.5² = 0.0125, u = 0, so
    // Δ = √(0 + 1e-6) / √(0.0125 + 1e-6) · 0.5 = 0.0044719570802938 and p = 1 − Δ = 0.9955280429197062.
    // The later values follow the same definition, step by step (s = ρs + (1 − ρ)g², Δ = √(u + ε)/√(s + ε)·g,
    // u = ρu + (1 − ρ)Δ², p −= lr·Δ), worked out in double; an entry whose gradient is 0 does not move.
    double[][] gradients = {{0.5, -1.0, 0.0, 2.0}, {0.25, 0.5, -0.1, 2.0}, {-0.5, 0.3, 0.2, -1.0}};
    double[][] expected = {
        {0.9955280429197062, -1.9955279087656892, 0.5, -0.004472124774701616},
        {0.9926414455230534, -1.9984146216222929, 0.5044676705160877, -0.009001221443389128},
        {0.9973442561430884, -2.0002756198103633, 0.4987863034253564, -0.006341072052688726}};
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Tensors params = vector(type, 1.0, -2.0, 0.5, 0.0);
      Adadelta adadelta = new Adadelta(params);
      assertThat(adadelta.learningRate()).isEqualTo(1.0);
      for (int step = 0; step < gradients.length; step++) {
        adadelta.step(params, vector(type, gradients[step]));
        double tolerance = type == DataType.DOUBLE ? 1e-15 : 1e-6;
        double[] actual = values(params);
        for (int i = 0; i < actual.length; i++) {
          assertThat(actual[i]).as("%s step %d entry %d", type, step + 1, i).isCloseTo(expected[step][i],
              within(tolerance));
        }
      }
      assertThat(adadelta.steps()).isEqualTo(3);
    }
  }

  @Test
  void sgdMovesByTheLearningRateTimesTheGradient() {
    Tensors params = vector(DataType.DOUBLE, 1, 2);
    Sgd sgd = new Sgd(0.1);
    sgd.step(params, vector(DataType.DOUBLE, 3, -4));
    assertThat(values(params)).containsExactly(0.7, 2.4);
    sgd.learningRate(1);
    sgd.step(params, vector(DataType.DOUBLE, 0.7, 0.4));
    assertThat(values(params)[0]).isCloseTo(0, within(1e-15));
    assertThat(sgd.steps()).isEqualTo(2);
    assertThatThrownBy(() -> sgd.learningRate(0)).hasMessageContaining("positive");
  }

  @Test
  void everyOptimizersStateFollowsParametersThatGrew() {
    for (Function<Tensors, Optimizer> make : Arrays.<Function<Tensors, Optimizer>>asList(Adam::new,
        Adadelta::new, params -> new Sgd(0.1))) {
      Tensors params = Tensors.zeros(DataType.FLOAT, Spec.growing("embedding", 3, 2, "words", Axis.ROWS),
          Spec.fixed("w", 2, 2));
      Optimizer optimizer = make.apply(params);
      Tensors gradients = params.zerosLike();
      Vec.of(gradients.get(0)).fill(1);
      optimizer.step(params, gradients);
      params.grow("words", 2, Tensors.Fill.ZEROS);
      assertThat(optimizer.sameShapeAs(params)).isEqualTo(optimizer instanceof Sgd);
      optimizer.padTo(params);
      assertThat(optimizer.sameShapeAs(params)).isTrue();
      Tensors grown = params.zerosLike();
      Vec.of(grown.get(0)).fill(1);
      optimizer.step(params, grown);
      // The new rows moved only in the second step: one step's worth, not two.
      Vec embedding = Vec.of(params.get(0));
      assertThat(embedding.get(0)).as(optimizer.kind().name()).isLessThan(embedding.get(8));
      assertThat(embedding.get(8)).as(optimizer.kind().name()).isLessThan(0);
    }
  }

  @Test
  void everyOptimizerRestoresToTheSameBits() throws IOException {
    for (Function<Tensors, Optimizer> make : Arrays.<Function<Tensors, Optimizer>>asList(
        params -> new Adam(params, 0.01, 0.9, 0.999, 1e-8), Adadelta::new, params -> new Sgd(0.05))) {
      Tensors params = Tensors.zeros(DataType.FLOAT, Spec.fixed("a", 3, 4), Spec.fixed("b", 1, 4));
      Optimizer optimizer = make.apply(params);
      Random random = new Random(1);
      for (int step = 0; step < 3; step++) {
        optimizer.step(params, randomLike(params, random));
      }
      byte[] state = StateFormat.toBytes(optimizer::writeTo);
      Tensors restoredParams = params.copy();
      Optimizer restored = optimizer.kind().readFrom(in(state), restoredParams);
      assertThat(restored.kind()).isEqualTo(optimizer.kind());
      assertThat(restored.steps()).isEqualTo(3);
      assertThat(restored.learningRate()).isEqualTo(optimizer.learningRate());
      for (int step = 0; step < 3; step++) {
        Tensors gradients = randomLike(params, random);
        optimizer.step(params, gradients);
        restored.step(restoredParams, gradients);
      }
      assertThat(StateFormat.toBytes(restored::writeTo)).isEqualTo(StateFormat.toBytes(optimizer::writeTo));
      assertThat(StateFormat.toBytes(restoredParams::writeTo)).isEqualTo(StateFormat.toBytes(params::writeTo));

      for (int cut : new int[] {0, 3, 12, state.length - 1}) {
        byte[] truncated = Arrays.copyOf(state, cut);
        assertThatThrownBy(() -> optimizer.kind().readFrom(in(truncated), params)).isInstanceOf(IOException.class);
      }
      byte[] old = state.clone();
      old[3] = 0; // another format version
      assertThatThrownBy(() -> optimizer.kind().readFrom(in(old), params)).isInstanceOf(IOException.class)
          .hasMessageContaining("format version 0, this build reads version");
    }
  }

  private static Tensors randomLike(Tensors params, Random random) {
    Tensors tensors = params.zerosLike();
    for (INDArray array : tensors) {
      Vec vec = Vec.of(array);
      for (int i = 0; i < vec.length(); i++) {
        vec.set(i, random.nextGaussian());
      }
    }
    return tensors;
  }

  private static DataInputStream in(byte[] bytes) {
    return new DataInputStream(new ByteArrayInputStream(bytes));
  }
}
