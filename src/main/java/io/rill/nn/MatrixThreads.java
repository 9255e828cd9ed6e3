package io.rill.nn;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many threads ND4J's native code gives each operation: OpenBLAS's threads for a matrix product and libnd4j's
 * OpenMP threads for its other operations. Both are settings of the whole process.
 *
 * <p>Why one thread: the products of a recurrent step are small (a batch of 32 rows against a 256 × 1024 weight
 * matrix is a few hundred microseconds), so a second BLAS thread buys little and, on a machine whose cores are busy
 * with other work (Kafka, actors, other learners), its waiting threads spin and its split work waits for a core.
 * A learner that wants both cores splits its own work at a coarser grain instead (the character model's worker
 * trains the halves of its batch on two threads, see {@code CharLstm}), with one-threaded products in each.
 */
public final class MatrixThreads {

  private MatrixThreads() {
  }

  /** Sets the threads of every later native operation, process-wide; at least 1. */
  public static void set(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    Nd4j.factory().blas().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxThreads(threads);
  }

  /** The threads OpenBLAS uses for a matrix product now. */
  public static int blasThreads() {
    return Nd4j.factory().blas().getMaxThreads();
  }
}
