package io.rill.nn;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Cumulative wall-clock time a network spent in each phase of its work ({@link RecurrentLayer} and the model around
 * it, e.g. the character model's engine), so a benchmark can say where the time goes (matrix products against the
 * elementwise loops) without an external profiler. Taking a timestamp costs tens of nanoseconds, against hundreds of
 * microseconds per phase, so it stays on.
 */
public final class PhaseTimes {

  /** What the engine was doing. */
  public enum Phase {
    /** The per-step gemms: z_t += h_{t-1} · W_h forward and dh_{t-1} = dz_t · W_hᵀ backward. */
    STEP_GEMM,
    /** The input gemm X · W_x, for every step at once (or step by step when the input depends on the state). */
    INPUT_GEMM,
    /** The per-chunk gradient gemms dW = Σ_t [h, x]ᵀ · dz and dX = dZ · W_xᵀ. */
    WEIGHT_GEMM,
    /** The softmax layer's gemms (logits, its weight gradient, the gradient into the top layer). */
    OUTPUT_GEMM,
    /** The fused gate loops, forward and backward. */
    CELL,
    /** Softmax, cross-entropy and its gradient, bias gradients (column sums). */
    SOFTMAX,
    /** Embedding lookups, state and layer copies, dropout. */
    COPY
  }

  private final long[] nanos = new long[Phase.values().length];

  /** Adds the time from {@code since} to now to {@code phase}; returns now, the start of the next phase. */
  public long lap(Phase phase, long since) {
    long now = System.nanoTime();
    nanos[phase.ordinal()] += now - since;
    return now;
  }

  /** Seconds spent per phase so far. */
  public Map<Phase, Double> seconds() {
    Map<Phase, Double> seconds = new EnumMap<>(Phase.class);
    for (Phase phase : Phase.values()) {
      seconds.put(phase, nanos[phase.ordinal()] / 1e9);
    }
    return seconds;
  }

  public void reset() {
    Arrays.fill(nanos, 0);
  }
}
