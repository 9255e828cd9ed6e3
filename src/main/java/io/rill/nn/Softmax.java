package io.rill.nn;

/**
 * Row-wise softmax and cross-entropy, with the log-sum-exp shift (subtracting the row's largest logit before exp)
 * that keeps large logits from overflowing: the output layer of every classifier here (next character, sentence
 * class, next target word) and the weights of an attention over source positions.
 *
 * <p>Rows are C-order rows of a {@link Vec} (an ND4J buffer's memory, so the gemm that made the logits and the one
 * that takes their gradient read the same array); sums are in double.
 */
public final class Softmax {

  /** A target that takes no part: its row adds no loss and gets a zero gradient (padding, a masked position). */
  public static final int IGNORE = -1;

  private Softmax() {
  }

  /**
   * Cross-entropy of the rows × classes logits in {@code logits}, each row plus {@code bias} (1 × classes, or null),
   * against {@code targets[r]}: returns Σ over rows whose target is not {@link #IGNORE} of −log softmax(row)[target].
   * Leaves the biased logits in {@code logits}, or with {@code gradient} the gradient of that sum divided by
   * {@code divisor} (the mean's count): (softmax − onehot(target)) / divisor, zero on ignored rows.
   */
  public static double crossEntropy(Vec logits, Vec bias, int[] targets, int rows, int classes, boolean gradient,
                                    double divisor) {
    if (logits instanceof Vec.FloatVec floats && (bias == null || bias instanceof Vec.FloatVec)) {
      return crossEntropyFloat(floats, (Vec.FloatVec) bias, targets, rows, classes, gradient, divisor);
    }
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < classes; v++) {
        double logit = bias == null ? logits.get(base + v) : logits.get(base + v) + bias.get(v);
        logits.set(base + v, logit);
        max = Math.max(max, logit);
      }
      int target = targets[r];
      if (target == IGNORE) {
        if (gradient) {
          for (int v = 0; v < classes; v++) {
            logits.set(base + v, 0);
          }
        }
        continue;
      }
      if (target < 0 || target >= classes) {
        throw new IllegalArgumentException("target " + target + " of row " + r + " outside [0, " + classes + ")");
      }
      double targetLogit = logits.get(base + target);
      double sum = 0;
      for (int v = 0; v < classes; v++) {
        double e = Math.exp(logits.get(base + v) - max);
        sum += e;
        if (gradient) {
          logits.set(base + v, e);
        }
      }
      total += max + Math.log(sum) - targetLogit;
      if (gradient) {
        double scale = 1.0 / (sum * divisor);
        for (int v = 0; v < classes; v++) {
          logits.set(base + v, logits.get(base + v) * scale);
        }
        logits.add(base + target, -1.0 / divisor);
      }
    }
    return total;
  }

  /**
   * {@link #crossEntropy} over float logits: the same arithmetic (in double, per row) on rows copied in and out in
   * bulk, instead of an interface call per element.
   */
  private static double crossEntropyFloat(Vec.FloatVec logits, Vec.FloatVec biasVec, int[] targets, int rows,
                                          int classes, boolean gradient, double divisor) {
    float[] bias = new float[classes];
    if (biasVec != null) {
      biasVec.read(0, bias, classes);
    }
    float[] row = new float[classes];
    double[] e = new double[classes];
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      logits.read(base, row, classes);
      float max = Float.NEGATIVE_INFINITY;
      for (int v = 0; v < classes; v++) {
        row[v] += bias[v];
        max = Math.max(max, row[v]);
      }
      int target = targets[r];
      if (target == IGNORE) {
        if (gradient) {
          java.util.Arrays.fill(row, 0f);
        }
        logits.write(base, row, classes);
        continue;
      }
      if (target < 0 || target >= classes) {
        throw new IllegalArgumentException("target " + target + " of row " + r + " outside [0, " + classes + ")");
      }
      double sum = 0;
      for (int v = 0; v < classes; v++) {
        e[v] = Math.exp((double) row[v] - max);
        sum += e[v];
      }
      total += max + Math.log(sum) - row[target];
      if (gradient) {
        double scale = 1.0 / (sum * divisor);
        for (int v = 0; v < classes; v++) {
          row[v] = (float) (e[v] * scale);
        }
        row[target] = (float) (row[target] - 1.0 / divisor);
      }
      logits.write(base, row, classes);
    }
    return total;
  }

  /** log softmax(logits)[id]: the log-probability of {@code id} under the distribution the logits give. */
  public static double logProbability(double[] logits, int id) {
    double max = Double.NEGATIVE_INFINITY;
    for (double logit : logits) {
      max = Math.max(max, logit);
    }
    double sum = 0;
    for (double logit : logits) {
      sum += Math.exp(logit - max);
    }
    return logits[id] - max - Math.log(sum);
  }

  /**
   * Replaces each of the rows × columns {@code values} by its row's softmax, in place. With {@code validColumns}
   * (null: all), row r is a distribution over its first {@code validColumns[r]} entries (at least one) and the rest
   * are 0: attention over a padded batch of source sentences.
   */
  public static void rows(Vec values, int rows, int columns, int[] validColumns) {
    for (int r = 0; r < rows; r++) {
      int base = r * columns;
      int valid = validColumns == null ? columns : validColumns[r];
      if (valid < 1 || valid > columns) {
        throw new IllegalArgumentException("row " + r + " has " + valid + " valid columns of " + columns);
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < valid; j++) {
        max = Math.max(max, values.get(base + j));
      }
      double sum = 0;
      for (int j = 0; j < valid; j++) {
        double e = Math.exp(values.get(base + j) - max);
        values.set(base + j, e);
        sum += e;
      }
      for (int j = 0; j < valid; j++) {
        values.set(base + j, values.get(base + j) / sum);
      }
      for (int j = valid; j < columns; j++) {
        values.set(base + j, 0);
      }
    }
  }

  /**
   * The backward pass of {@link #rows}: given the probabilities p it produced and dL/dp in {@code gradient},
   * replaces {@code gradient} by dL/dz = p ∗ (dL/dp − Σ_j p_j · dL/dp_j), row by row. Entries with p = 0 (masked)
   * get 0.
   */
  public static void rowsBackward(Vec probabilities, Vec gradient, int rows, int columns) {
    for (int r = 0; r < rows; r++) {
      int base = r * columns;
      double dot = 0;
      for (int j = 0; j < columns; j++) {
        dot += probabilities.get(base + j) * gradient.get(base + j);
      }
      for (int j = 0; j < columns; j++) {
        double p = probabilities.get(base + j);
        gradient.set(base + j, p * (gradient.get(base + j) - dot));
      }
    }
  }
}
