package io.rill.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The max-norm constraint (Srivastava et al. 2014; Kim 2014 uses 3 on the softmax layer's weight vectors): after an
 * update, every row (or column) vector of a weight matrix whose L2 norm exceeds c is rescaled to norm c, the others
 * are left alone. Unlike weight decay it never pulls a small vector, it only caps a large one.
 */
public final class MaxNorm {

  private MaxNorm() {
  }

  /**
   * Rescales each row ({@link Tensors.Axis#ROWS}) or column vector of {@code tensor} whose L2 norm exceeds
   * {@code maxNorm} to norm {@code maxNorm}, in place; returns how many vectors were rescaled.
   */
  public static int apply(INDArray tensor, Tensors.Axis axis, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("the maximum norm must be positive: " + maxNorm);
    }
    int rows = tensor.rows();
    int columns = tensor.columns();
    Vec values = Vec.of(tensor);
    boolean byRow = axis == Tensors.Axis.ROWS;
    int vectors = byRow ? rows : columns;
    int length = byRow ? columns : rows;
    int stride = byRow ? 1 : columns;
    int rescaled = 0;
    for (int v = 0; v < vectors; v++) {
      int start = byRow ? v * columns : v;
      double sum = 0;
      for (int i = 0; i < length; i++) {
        double x = values.get(start + i * stride);
        sum += x * x;
      }
      double norm = Math.sqrt(sum);
      if (norm > maxNorm) {
        double factor = maxNorm / norm;
        for (int i = 0; i < length; i++) {
          int at = start + i * stride;
          values.set(at, values.get(at) * factor);
        }
        rescaled++;
      }
    }
    return rescaled;
  }
}
