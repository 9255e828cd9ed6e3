package io.rill.nn;

/**
 * Global-norm gradient clipping: when the norm of all gradients taken together exceeds a bound, every gradient is
 * scaled by the same factor so the norm equals the bound. Scaling all tensors together keeps the update's direction,
 * which per-tensor clipping would not. The default bound 5 is the usual one for character LSTMs.
 */
public final class GradientClipping {

  public static final double DEFAULT_MAX_NORM = 5.0;

  private GradientClipping() {
  }

  /**
   * Scales {@code gradients} in place so their global norm is at most {@code maxNorm}; returns the norm before
   * clipping. The small epsilon in the factor matches the common formulation and keeps a zero norm harmless.
   */
  public static double clipGlobalNorm(Tensors gradients, double maxNorm) {
    double norm = gradients.globalNorm();
    double factor = maxNorm / (norm + 1e-6);
    if (factor < 1) {
      gradients.scale(factor);
    }
    return norm;
  }
}
