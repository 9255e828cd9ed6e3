package io.rill.lstm;

import java.util.concurrent.ForkJoinTask;

/**
 * Splits a loop over [0, n) in two halves and runs one of them on the common fork-join pool, so the elementwise
 * work of a step uses both cores of a small machine the way the matrix products do.
 *
 * <p>It uses fork then join: when the pool's worker is busy or descheduled, the joining thread takes the unstarted
 * half back and runs it itself, so a loaded machine costs no waiting, only the lost parallelism. Halves write
 * disjoint ranges, and join orders their writes before anything the caller does next.
 */
final class TwoWay {

  /** A loop body over [from, to). */
  interface Range {
    void run(int from, int to);
  }

  /** A loop body over [from, to) that returns a partial sum. */
  interface RangeSum {
    double sum(int from, int to);
  }

  private static final boolean PARALLEL = Runtime.getRuntime().availableProcessors() > 1;

  private TwoWay() {
  }

  static void run(int n, Range body) {
    if (!PARALLEL || n < 2) {
      body.run(0, n);
      return;
    }
    int half = n / 2;
    ForkJoinTask<?> upper = ForkJoinTask.adapt(() -> body.run(half, n)).fork();
    body.run(0, half);
    upper.join();
  }

  static double sum(int n, RangeSum body) {
    if (!PARALLEL || n < 2) {
      return body.sum(0, n);
    }
    int half = n / 2;
    ForkJoinTask<Double> upper = ForkJoinTask.adapt(() -> body.sum(half, n)).fork();
    double lower = body.sum(0, half);
    return lower + upper.join();
  }
}
