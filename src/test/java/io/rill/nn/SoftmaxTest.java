package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Softmax cross-entropy and the attention softmax, their gradients against central finite differences. */
class SoftmaxTest {

  private static final double EPS = 1e-6;

  private static Vec randomVec(int length, Random random, double scale) {
    Vec vec = Vec.of(Nd4j.zeros(DataType.DOUBLE, 1, length));
    for (int i = 0; i < length; i++) {
      vec.set(i, scale * random.nextGaussian());
    }
    return vec;
  }

  private static Vec copy(Vec from) {
    Vec to = Vec.of(Nd4j.zeros(DataType.DOUBLE, 1, from.length()));
    Vec.copy(from, 0, to, 0, from.length());
    return to;
  }

  @Test
  void crossEntropyAndItsGradientWithIgnoredTargets() {
    int rows = 4;
    int classes = 5;
    Random random = new Random(1);
    Vec logits = randomVec(rows * classes, random, 3);
    Vec bias = randomVec(classes, random, 1);
    int[] targets = {2, Softmax.IGNORE, 0, 4};
    double divisor = 3; // the mean over the three rows that count

    Vec gradient = copy(logits);
    double loss = Softmax.crossEntropy(gradient, bias, targets, rows, classes, true, divisor);
    double expected = 0;
    for (int r : new int[] {0, 2, 3}) {
      double[] row = new double[classes];
      for (int v = 0; v < classes; v++) {
        row[v] = logits.get(r * classes + v) + bias.get(v);
      }
      expected -= Softmax.logProbability(row, targets[r]);
    }
    assertThat(loss).isCloseTo(expected, within(1e-12));
    for (int i = 0; i < rows * classes; i++) {
      double original = logits.get(i);
      logits.set(i, original + EPS);
      double plus = Softmax.crossEntropy(copy(logits), bias, targets, rows, classes, false, divisor);
      logits.set(i, original - EPS);
      double minus = Softmax.crossEntropy(copy(logits), bias, targets, rows, classes, false, divisor);
      logits.set(i, original);
      assertThat(gradient.get(i)).as("logit %d", i).isCloseTo((plus - minus) / (2 * EPS) / divisor, within(1e-8));
    }
    for (int v = 0; v < classes; v++) {
      assertThat(gradient.get(classes + v)).isZero(); // the ignored row
    }
    assertThatThrownBy(() -> Softmax.crossEntropy(copy(logits), null, new int[] {9, 0, 0, 0}, rows, classes, false,
        1)).hasMessageContaining("target 9");
  }

  @Test
  void largeLogitsDoNotOverflow() {
    Vec logits = Vec.of(Nd4j.zeros(DataType.DOUBLE, 1, 2));
    logits.set(0, 1000);
    logits.set(1, 999);
    double loss = Softmax.crossEntropy(logits, null, new int[] {1}, 1, 2, false, 1);
    assertThat(loss).isCloseTo(1 + Math.log(1 + Math.exp(-1)), within(1e-12));
  }

  @Test
  void maskedRowSoftmaxAndItsBackwardPass() {
    int rows = 3;
    int columns = 4;
    int[] valid = {4, 2, 1};
    Random random = new Random(2);
    Vec scores = randomVec(rows * columns, random, 2);
    Vec weights = randomVec(rows * columns, random, 1); // loss = Σ w · softmax(scores)

    Vec probabilities = copy(scores);
    Softmax.rows(probabilities, rows, columns, valid);
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int j = 0; j < columns; j++) {
        double p = probabilities.get(r * columns + j);
        if (j >= valid[r]) {
          assertThat(p).isZero();
        }
        sum += p;
      }
      assertThat(sum).isCloseTo(1, within(1e-12));
    }
    Vec gradient = copy(weights);
    Softmax.rowsBackward(probabilities, gradient, rows, columns);
    for (int i = 0; i < rows * columns; i++) {
      double original = scores.get(i);
      scores.set(i, original + EPS);
      double plus = weighted(scores, weights, rows, columns, valid);
      scores.set(i, original - EPS);
      double minus = weighted(scores, weights, rows, columns, valid);
      scores.set(i, original);
      assertThat(gradient.get(i)).as("score %d", i).isCloseTo((plus - minus) / (2 * EPS), within(1e-8));
    }
    assertThatThrownBy(() -> Softmax.rows(copy(scores), rows, columns, new int[] {0, 1, 1}))
        .hasMessageContaining("0 valid columns");
  }

  private static double weighted(Vec scores, Vec weights, int rows, int columns, int[] valid) {
    Vec p = copy(scores);
    Softmax.rows(p, rows, columns, valid);
    double loss = 0;
    for (int i = 0; i < rows * columns; i++) {
      loss += weights.get(i) * p.get(i);
    }
    return loss;
  }
}
