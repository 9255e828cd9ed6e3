package io.rill.lstm;

import java.util.Arrays;

/**
 * One id stream cut into B parallel streams and then into chunks of T steps, the standard way to train a character
 * model with truncated backpropagation through time: stream b is the b-th of B equal consecutive slices of the
 * sequence, so chunk k of stream b continues exactly where chunk k − 1 of stream b stopped, and the state carried
 * from one chunk to the next is the state of the right text. Targets are the inputs shifted by one id. The tail that
 * does not fill a whole chunk in every stream is dropped.
 */
public final class ParallelStreams {

  private final int[] ids;
  private final int batch;
  private final int steps;
  private final int streamLength;

  public ParallelStreams(int[] ids, int batch, int steps) {
    if (batch < 1 || steps < 1) {
      throw new IllegalArgumentException("batch and steps must be positive: " + batch + ", " + steps);
    }
    this.ids = ids;
    this.batch = batch;
    this.steps = steps;
    this.streamLength = Math.max(0, (ids.length - 1) / batch);
  }

  /** How many whole chunks of T steps every stream holds. */
  public int chunks() {
    return streamLength / steps;
  }

  /** The ids streams see in chunk {@code chunk}: B × T. */
  public int[][] inputs(int chunk) {
    return slice(chunk, 0);
  }

  /** The ids they must predict: the inputs shifted by one, B × T. */
  public int[][] targets(int chunk) {
    return slice(chunk, 1);
  }

  /** How many characters one chunk trains on, B·T. */
  public int charactersPerChunk() {
    return batch * steps;
  }

  private int[][] slice(int chunk, int shift) {
    if (chunk < 0 || chunk >= chunks()) {
      throw new IndexOutOfBoundsException("chunk " + chunk + " of " + chunks());
    }
    int[][] out = new int[batch][];
    for (int b = 0; b < batch; b++) {
      int from = b * streamLength + chunk * steps + shift;
      out[b] = Arrays.copyOfRange(ids, from, from + steps);
    }
    return out;
  }
}
