package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The recurrent layer on its own, in double precision: its gradients (weights, bias, inputs, carried-in state)
 * against central finite differences of a loss over every output, for both cells, driven over the whole sequence and
 * step by step, with and without masks; and what a mask promises: padded steps leave the state as it was and get no
 * gradient, so a padded row computes what its unpadded sequence computes alone.
 */
class RecurrentLayerTest {

  private static final int INPUT = 3;
  private static final int HIDDEN = 4;
  private static final int BATCH = 3;
  private static final int STEPS = 5;
  private static final double EPS = 1e-5;

  /** Row 0 left-padded (a sequence reversed in place), row 1 with a hole, row 2 of length 2. */
  private static final boolean[] MASK = {
      false, true, true,   // t = 0
      false, true, true,   // t = 1
      true, false, false,  // t = 2
      true, true, false,   // t = 3
      true, true, false};  // t = 4

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (CellType cell : CellType.values()) {
      for (boolean masked : new boolean[] {false, true}) {
        for (boolean stepByStep : new boolean[] {false, true}) {
          cases.add(Arguments.of(cell, masked, stepByStep));
        }
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0}, masked {1}, step by step {2}")
  @MethodSource("cases")
  void analyticGradientsMatchFiniteDifferences(CellType cellType, boolean masked, boolean stepByStep) {
    Problem p = new Problem(cellType.cell(), new Random(3), masked ? MASK : null);
    RecurrentLayer layer = p.layer(DataType.DOUBLE);
    INDArray weightGradient = Nd4j.zeros(DataType.DOUBLE, p.weights.rows(), p.weights.columns());
    INDArray biasGradient = Nd4j.zeros(DataType.DOUBLE, 1, p.bias.columns());
    p.gradients(layer, stepByStep, weightGradient, biasGradient);

    List<String> failures = new ArrayList<>();
    check("weights", p.weights, weightGradient, p, failures);
    check("bias", p.bias, biasGradient, p, failures);
    check("inputs", p.inputs, layer.inputGradient(), p, failures);
    check("h_{-1}", p.hidden0, layer.initialHiddenGradient(), p, failures);
    if (p.cell0 != null) {
      check("c_{-1}", p.cell0, layer.initialCellGradient(), p, failures);
    }
    assertThat(failures).isEmpty();
    assertThat(weightGradient.norm2Number().doubleValue()).isGreaterThan(0.01);
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void aWrongGradientFailsTheCheck(CellType cellType) {
    Problem p = new Problem(cellType.cell(), new Random(3), null);
    RecurrentLayer layer = p.layer(DataType.DOUBLE);
    INDArray weightGradient = Nd4j.zeros(DataType.DOUBLE, p.weights.rows(), p.weights.columns());
    INDArray biasGradient = Nd4j.zeros(DataType.DOUBLE, 1, p.bias.columns());
    p.gradients(layer, false, weightGradient, biasGradient);
    Vec gradient = Vec.of(weightGradient);
    int largest = 0;
    for (int i = 1; i < gradient.length(); i++) {
      largest = Math.abs(gradient.get(i)) > Math.abs(gradient.get(largest)) ? i : largest;
    }
    gradient.set(largest, gradient.get(largest) * 1.001);
    List<String> failures = new ArrayList<>();
    check("weights", p.weights, weightGradient, p, failures);
    assertThat(failures).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void paddedStepsCarryTheStateAndGetNoGradient(CellType cellType) {
    Problem p = new Problem(cellType.cell(), new Random(5), MASK);
    RecurrentLayer layer = p.layer(DataType.DOUBLE);
    INDArray weightGradient = Nd4j.zeros(DataType.DOUBLE, p.weights.rows(), p.weights.columns());
    p.gradients(layer, false, weightGradient, Nd4j.zeros(DataType.DOUBLE, 1, p.bias.columns()));

    Vec outputs = Vec.of(layer.outputs());
    Vec inputGradient = Vec.of(layer.inputGradient());
    for (int t = 0; t < STEPS; t++) {
      for (int b = 0; b < BATCH; b++) {
        if (MASK[t * BATCH + b]) {
          continue;
        }
        for (int j = 0; j < HIDDEN; j++) {
          double previous = t == 0 ? Vec.of(p.hidden0).get(b * HIDDEN + j)
              : outputs.get(((t - 1) * BATCH + b) * HIDDEN + j);
          assertThat(outputs.get((t * BATCH + b) * HIDDEN + j)).isEqualTo(previous);
        }
        for (int k = 0; k < INPUT; k++) {
          assertThat(inputGradient.get((t * BATCH + b) * INPUT + k)).isZero();
        }
      }
    }
    // Row 2 has two real steps: its final state is its state after step 1.
    Vec finalHidden = Vec.of(layer.finalHidden());
    for (int j = 0; j < HIDDEN; j++) {
      assertThat(finalHidden.get(2 * HIDDEN + j)).isEqualTo(outputs.get((BATCH + 2) * HIDDEN + j));
    }
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void aPaddedRowComputesWhatItsSequenceComputesAlone(CellType cellType) {
    Problem p = new Problem(cellType.cell(), new Random(7), MASK);
    RecurrentLayer batched = p.layer(DataType.DOUBLE);
    batched.mask(MASK);
    batched.start(p.hidden0, p.cell0);
    Vec.copy(Vec.of(p.inputs), 0, Vec.of(batched.input()), 0, STEPS * BATCH * INPUT);
    batched.forward(p.weights, p.bias);

    // Row 1 alone: its real steps are 0, 1, 3, 4.
    int[] real = {0, 1, 3, 4};
    RecurrentLayer alone = new RecurrentLayer(cellType.cell(), INPUT, HIDDEN, 1, real.length, DataType.DOUBLE);
    alone.start(row(p.hidden0, 1), p.cell0 == null ? null : row(p.cell0, 1));
    for (int s = 0; s < real.length; s++) {
      Vec.copy(Vec.of(p.inputs), (real[s] * BATCH + 1) * INPUT, Vec.of(alone.input()), s * INPUT, INPUT);
    }
    alone.forward(p.weights, p.bias);
    for (int s = 0; s < real.length; s++) {
      for (int j = 0; j < HIDDEN; j++) {
        assertThat(Vec.of(batched.output(real[s])).get(HIDDEN + j))
            .isCloseTo(Vec.of(alone.output(s)).get(j), within(1e-12));
      }
    }
    for (int j = 0; j < HIDDEN; j++) {
      assertThat(Vec.of(batched.finalHidden()).get(HIDDEN + j))
          .isCloseTo(Vec.of(alone.finalHidden()).get(j), within(1e-12));
    }
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void stepByStepComputesWhatTheWholeSequenceComputes(CellType cellType) {
    Problem p = new Problem(cellType.cell(), new Random(9), MASK);
    INDArray[] whole = {Nd4j.zeros(DataType.DOUBLE, p.weights.rows(), p.weights.columns()),
        Nd4j.zeros(DataType.DOUBLE, 1, p.bias.columns())};
    INDArray[] steps = {Nd4j.zeros(DataType.DOUBLE, p.weights.rows(), p.weights.columns()),
        Nd4j.zeros(DataType.DOUBLE, 1, p.bias.columns())};
    RecurrentLayer a = p.layer(DataType.DOUBLE);
    RecurrentLayer b = p.layer(DataType.DOUBLE);
    p.gradients(a, false, whole[0], whole[1]);
    p.gradients(b, true, steps[0], steps[1]);
    assertClose(a.outputs(), b.outputs());
    assertClose(a.inputGradient(), b.inputGradient());
    assertClose(whole[0], steps[0]);
    assertClose(whole[1], steps[1]);
    assertClose(a.initialHiddenGradient(), b.initialHiddenGradient());
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void aFloatLayerFollowsTheDoubleLayerWithMasks(CellType cellType) {
    Problem p = new Problem(cellType.cell(), new Random(11), MASK);
    RecurrentLayer exact = p.layer(DataType.DOUBLE);
    p.forward(exact);
    RecurrentLayer single = p.layer(DataType.FLOAT);
    single.mask(MASK);
    single.start(p.hidden0.castTo(DataType.FLOAT), p.cell0 == null ? null : p.cell0.castTo(DataType.FLOAT));
    Vec.copy(Vec.of(p.inputs), 0, Vec.of(single.input()), 0, STEPS * BATCH * INPUT);
    single.forward(p.weights.castTo(DataType.FLOAT), p.bias.castTo(DataType.FLOAT));
    Vec a = Vec.of(exact.outputs());
    Vec b = Vec.of(single.outputs());
    for (int i = 0; i < a.length(); i++) {
      assertThat(b.get(i)).isCloseTo(a.get(i), within(1e-5));
    }
  }

  static List<Arguments> feedbackCases() {
    List<Arguments> cases = new ArrayList<>();
    for (CellType cell : CellType.values()) {
      for (boolean masked : new boolean[] {false, true}) {
        cases.add(Arguments.of(cell, masked));
      }
    }
    return cases;
  }

  /**
   * A decoder's pattern: the input of step t depends on the state of step t − 1 (here x_t = e_t + h_{t-1} · A, as an
   * attention context depends on it), so the layer runs step by step and the caller carries dL/dx_t back into
   * h_{t-1}'s gradient between backward steps. The gradients of A, W, the e_t and h_{-1} match finite differences.
   */
  @ParameterizedTest(name = "{0}, masked {1}")
  @MethodSource("feedbackCases")
  void aDecoderFeedingItsStateBackIntoItsInputGetsExactGradients(CellType cellType, boolean masked) {
    Problem p = new Problem(cellType.cell(), new Random(13), masked ? MASK : null);
    INDArray feedback = Problem.random(HIDDEN, INPUT, 0.5, new Random(14));
    RecurrentLayer layer = p.layer(DataType.DOUBLE);
    feedbackForward(p, feedback, layer);

    INDArray weightGradient = Nd4j.zeros(DataType.DOUBLE, p.weights.rows(), p.weights.columns());
    INDArray biasGradient = Nd4j.zeros(DataType.DOUBLE, 1, p.bias.columns());
    INDArray feedbackGradient = Nd4j.zeros(DataType.DOUBLE, HIDDEN, INPUT);
    INDArray hiddenGradient = Nd4j.zeros(DataType.DOUBLE, BATCH, HIDDEN);
    Vec.copy(Vec.of(p.projection), 0, Vec.of(layer.outputGradient()), 0, STEPS * BATCH * HIDDEN);
    layer.startBackward(true);
    for (int t = STEPS - 1; t >= 0; t--) {
      layer.backwardStep(t, p.weights);
      INDArray previous = t == 0 ? p.hidden0 : layer.output(t - 1);
      Nd4j.gemm(previous, layer.inputGradient(t), feedbackGradient, true, false, 1.0, 1.0);
      Nd4j.gemm(layer.inputGradient(t), feedback, t == 0 ? hiddenGradient : layer.outputGradient(t - 1), false,
          true, 1.0, 1.0);
    }
    layer.parameterGradients(p.weights, weightGradient, biasGradient, false, false);
    Vec.copy(addition(layer.initialHiddenGradient(), hiddenGradient), 0, Vec.of(hiddenGradient), 0, BATCH * HIDDEN);

    List<String> failures = new ArrayList<>();
    RecurrentLayer scratch = p.layer(DataType.DOUBLE);
    checkAgainst(() -> feedbackForward(p, feedback, scratch), "A", feedback, feedbackGradient, failures);
    checkAgainst(() -> feedbackForward(p, feedback, scratch), "weights", p.weights, weightGradient, failures);
    checkAgainst(() -> feedbackForward(p, feedback, scratch), "bias", p.bias, biasGradient, failures);
    checkAgainst(() -> feedbackForward(p, feedback, scratch), "e", p.inputs, layer.inputGradient(), failures);
    checkAgainst(() -> feedbackForward(p, feedback, scratch), "h_{-1}", p.hidden0, hiddenGradient, failures);
    assertThat(failures).isEmpty();
    assertThat(feedbackGradient.norm2Number().doubleValue()).isGreaterThan(0.01);
  }

  /** x_t = e_t + h_{t-1} · A, step by step; returns Σ R · h. */
  private static double feedbackForward(Problem p, INDArray feedback, RecurrentLayer layer) {
    layer.mask(p.mask);
    layer.start(p.hidden0, p.cell0);
    for (int t = 0; t < STEPS; t++) {
      INDArray previous = t == 0 ? p.hidden0 : layer.output(t - 1);
      Nd4j.gemm(previous, feedback, layer.input(t), false, false, 1.0, 0.0);
      Vec x = Vec.of(layer.input(t));
      Vec e = Vec.of(p.inputs);
      for (int i = 0; i < BATCH * INPUT; i++) {
        x.add(i, e.get(t * BATCH * INPUT + i));
      }
      layer.forwardStep(t, p.weights, p.bias);
    }
    Vec outputs = Vec.of(layer.outputs());
    Vec r = Vec.of(p.projection);
    double loss = 0;
    for (int i = 0; i < r.length(); i++) {
      loss += r.get(i) * outputs.get(i);
    }
    return loss;
  }

  private static Vec addition(INDArray a, INDArray b) {
    Vec sum = Vec.of(Nd4j.zeros(DataType.DOUBLE, a.rows(), a.columns()));
    for (int i = 0; i < sum.length(); i++) {
      sum.set(i, Vec.of(a).get(i) + Vec.of(b).get(i));
    }
    return sum;
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void misshapenArgumentsAreRefused(CellType cellType) {
    RecurrentLayer layer = new RecurrentLayer(cellType.cell(), INPUT, HIDDEN, BATCH, STEPS, DataType.DOUBLE);
    int width = cellType.cell().gates() * HIDDEN;
    assertThatThrownBy(() -> layer.forward(Nd4j.zeros(DataType.DOUBLE, HIDDEN + INPUT + 1, width),
        Nd4j.zeros(DataType.DOUBLE, 1, width))).hasMessageContaining("expected 7 × " + width);
    assertThatThrownBy(() -> layer.mask(new boolean[3])).hasMessageContaining("a mask of 3 entries");
    assertThatThrownBy(layer::initialHiddenGradient).isInstanceOf(IllegalStateException.class);
  }

  private static void check(String what, INDArray parameter, INDArray analytic, Problem p, List<String> failures) {
    RecurrentLayer scratch = p.layer(DataType.DOUBLE);
    checkAgainst(() -> p.forward(scratch), what, parameter, analytic, failures);
  }

  /** Compares {@code analytic} with central differences of {@code loss} over every entry of {@code parameter}. */
  private static void checkAgainst(DoubleSupplier loss, String what, INDArray parameter, INDArray analytic,
                                   List<String> failures) {
    Vec values = Vec.of(parameter);
    Vec gradient = Vec.of(analytic);
    for (int i = 0; i < values.length(); i++) {
      double original = values.get(i);
      values.set(i, original + EPS);
      double plus = loss.getAsDouble();
      values.set(i, original - EPS);
      double minus = loss.getAsDouble();
      values.set(i, original);
      double numeric = (plus - minus) / (2 * EPS);
      // Relative error with a small absolute floor: a central difference carries ~1e-11 of rounding noise.
      double analyticValue = gradient.get(i);
      double error = Math.abs(numeric - analyticValue) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analyticValue));
      if (error > 1e-6) {
        failures.add("%s[%d]: analytic %.9g, numeric %.9g".formatted(what, i, analyticValue, numeric));
      }
    }
  }

  private static INDArray row(INDArray array, int row) {
    INDArray copy = Nd4j.zeros(array.dataType(), 1, array.columns());
    Vec.copy(Vec.of(array), row * array.columns(), Vec.of(copy), 0, array.columns());
    return copy;
  }

  private static void assertClose(INDArray actual, INDArray expected) {
    Vec a = Vec.of(actual);
    Vec e = Vec.of(expected);
    assertThat(a.length()).isEqualTo(e.length());
    for (int i = 0; i < e.length(); i++) {
      assertThat(a.get(i)).isCloseTo(e.get(i), within(1e-12));
    }
  }

  /** Random weights, inputs, carried-in state and a random projection R of the outputs: loss = Σ_t,b,j R · h_t. */
  private static final class Problem {
    final RecurrentCell cell;
    final boolean[] mask;
    final INDArray weights;
    final INDArray bias;
    final INDArray inputs;
    final INDArray hidden0;
    final INDArray cell0;
    final INDArray projection;

    Problem(RecurrentCell cell, Random random, boolean[] mask) {
      this.cell = cell;
      this.mask = mask;
      int width = cell.gates() * HIDDEN;
      weights = random(HIDDEN + INPUT, width, 0.6, random);
      bias = random(1, width, 0.3, random);
      inputs = random(STEPS * BATCH, INPUT, 1.0, random);
      hidden0 = random(BATCH, HIDDEN, 0.8, random);
      cell0 = cell.hasCellState() ? random(BATCH, HIDDEN, 1.5, random) : null;
      projection = random(STEPS * BATCH, HIDDEN, 1.0, random);
    }

    RecurrentLayer layer(DataType type) {
      return new RecurrentLayer(cell, INPUT, HIDDEN, BATCH, STEPS, type);
    }

    double forward(RecurrentLayer layer) {
      layer.mask(mask);
      layer.start(hidden0, cell0);
      Vec.copy(Vec.of(inputs), 0, Vec.of(layer.input()), 0, STEPS * BATCH * INPUT);
      layer.forward(weights, bias);
      Vec outputs = Vec.of(layer.outputs());
      Vec r = Vec.of(projection);
      double loss = 0;
      for (int i = 0; i < r.length(); i++) {
        loss += r.get(i) * outputs.get(i);
      }
      return loss;
    }

    /** Forward and backward, with the initial state's gradient, over the whole sequence or step by step. */
    void gradients(RecurrentLayer layer, boolean stepByStep, INDArray weightGradient, INDArray biasGradient) {
      layer.mask(mask);
      layer.start(hidden0, cell0);
      if (stepByStep) {
        for (int t = 0; t < STEPS; t++) {
          Vec.copy(Vec.of(inputs), t * BATCH * INPUT, Vec.of(layer.input(t)), 0, BATCH * INPUT);
          layer.forwardStep(t, weights, bias);
        }
        layer.startBackward(true);
        for (int t = STEPS - 1; t >= 0; t--) {
          Vec.copy(Vec.of(projection), t * BATCH * HIDDEN, Vec.of(layer.outputGradient(t)), 0, BATCH * HIDDEN);
          layer.backwardStep(t, weights);
        }
        layer.parameterGradients(weights, weightGradient, biasGradient, false, false);
      } else {
        Vec.copy(Vec.of(inputs), 0, Vec.of(layer.input()), 0, STEPS * BATCH * INPUT);
        layer.forward(weights, bias);
        Vec.copy(Vec.of(projection), 0, Vec.of(layer.outputGradient()), 0, STEPS * BATCH * HIDDEN);
        layer.startBackward(true);
        for (int t = STEPS - 1; t >= 0; t--) {
          layer.recurrentBackwardStep(t, weights);
        }
        layer.parameterGradients(weights, weightGradient, biasGradient, true, false);
      }
    }

    static INDArray random(int rows, int columns, double scale, Random random) {
      INDArray array = Nd4j.zeros(DataType.DOUBLE, rows, columns);
      Vec values = Vec.of(array);
      for (int i = 0; i < values.length(); i++) {
        values.set(i, scale * (2 * random.nextDouble() - 1));
      }
      return array;
    }
  }
}
