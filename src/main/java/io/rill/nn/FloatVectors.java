package io.rill.nn;

/**
 * The vector kernels over rows of plain float arrays (a row at an offset of a flat row-major table): dot product,
 * y += a·x and scaling. Written as simple counted loops the JIT compiles to SIMD instructions; the skip-gram kernel,
 * the embedding shards and the embedding queries run on them.
 */
public final class FloatVectors {

  private FloatVectors() {
  }

  /** x·y over n floats from the given offsets. Four accumulators break the add dependency chain. */
  public static float dot(float[] x, int xo, float[] y, int yo, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i <= n - 4; i += 4) {
      s0 += x[xo + i] * y[yo + i];
      s1 += x[xo + i + 1] * y[yo + i + 1];
      s2 += x[xo + i + 2] * y[yo + i + 2];
      s3 += x[xo + i + 3] * y[yo + i + 3];
    }
    for (; i < n; i++) s0 += x[xo + i] * y[yo + i];
    return (s0 + s1) + (s2 + s3);
  }

  /** y += a·x over n floats from the given offsets. */
  public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i++) y[yo + i] += a * x[xo + i];
  }

  /** x *= a over n floats from the given offset. */
  public static void scale(float a, float[] x, int xo, int n) {
    for (int i = 0; i < n; i++) x[xo + i] *= a;
  }
}
