package io.rill.lstm;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The characters of one stream waiting to be trained, in lanes: each lane is a sequence of ids read in order with
 * its own carried state, and a chunk is the next T steps of every lane at once (inputs, and targets one id ahead).
 * Text arrives in units (a name, or a record of running text), and a unit goes whole to the lane with the least
 * waiting, so lanes fill evenly and each reads whole units one after another, the way a reference trainer reads one
 * slice of a long stream. A lane starts with end-of-sequence, so its first character is predicted from "start of
 * line"; after a chunk, the last input stays as the first of the next chunk.
 *
 * <p>With one lane, the chunks are exactly those of the stream's text read straight through, however the text was
 * cut into records.
 *
 * <p>Binary state ({@link #writeTo} / {@link #readFrom}): format version, lane count, steps, then per lane the
 * number of waiting ids and the ids. Only the waiting ids are kept, not where they sit in the lane's array: that
 * placement decides when an array is compacted but never what a chunk holds, so restored lanes give the same chunks
 * and put new units in the same lanes.
 */
public final class StreamLanes {

  /** Version of the binary state {@link #writeTo} writes. */
  static final int FORMAT_VERSION = 1;

  private final int steps;
  private final int[][] lanes;
  /** Per lane: where its waiting ids start in its array, and how many there are. */
  private final int[] starts;
  private final int[] lengths;

  public StreamLanes(int lanes, int steps) {
    if (lanes < 1 || steps < 1) {
      throw new IllegalArgumentException("lanes and steps must be positive: " + lanes + ", " + steps);
    }
    this.steps = steps;
    this.lanes = new int[lanes][steps + 1];
    this.starts = new int[lanes];
    this.lengths = new int[lanes];
    Arrays.fill(lengths, 1); // each lane starts with end-of-sequence, id 0
  }

  /** Writes every lane's waiting ids (the ids from the next chunk's first input on). */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    out.writeInt(lanes.length);
    out.writeInt(steps);
    for (int l = 0; l < lanes.length; l++) {
      StateFormat.writeInts(out, lanes[l], starts[l], lengths[l]); // the length, then the ids
    }
  }

  /**
   * Lanes written by {@link #writeTo}; {@code laneCount} and {@code steps} are the running configuration's, which
   * the input must match, and every id must be below {@code vocabularySize}.
   *
   * @throws IOException when the input is truncated, of another format version, of another shape, or holds an id
   *                     outside the vocabulary
   */
  public static StreamLanes readFrom(DataInput in, int laneCount, int steps, int vocabularySize) throws IOException {
    StreamLanes restored = new StreamLanes(laneCount, steps);
    StateFormat.readIntVersion(in, FORMAT_VERSION, "stream lanes");
    int storedLanes = in.readInt();
    int storedSteps = in.readInt();
    StateFormat.require(storedLanes == laneCount && storedSteps == steps, "stream lanes were stored as "
        + storedLanes + " lanes of " + storedSteps + " steps, expected " + laneCount + " of " + steps);
    for (int l = 0; l < laneCount; l++) {
      // At least the end-of-sequence a lane starts with stays waiting: advance never takes the last id.
      int length = in.readInt();
      StateFormat.require(length >= 1 && length <= StateFormat.MAX_ARRAY_LENGTH, "stream lane " + l + " length is "
          + length + ", outside [1, " + StateFormat.MAX_ARRAY_LENGTH + "]");
      int[] ids = StateFormat.readIds(in, length, vocabularySize, "stream lane " + l);
      restored.lanes[l] = ids.length >= steps + 1 ? ids : Arrays.copyOf(ids, steps + 1);
      restored.lengths[l] = length;
    }
    return restored;
  }

  public int laneCount() {
    return lanes.length;
  }

  /** Appends {@code unit} to the lane with the fewest ids waiting (the first such lane on a tie). */
  public void add(int[] unit) {
    int lane = 0;
    for (int l = 1; l < lanes.length; l++) {
      if (lengths[l] < lengths[lane]) {
        lane = l;
      }
    }
    int needed = lengths[lane] + unit.length;
    if (starts[lane] + needed > lanes[lane].length) {
      // Move the waiting ids to the front (and grow if that is not enough): amortised, not once per chunk.
      int[] target = needed > lanes[lane].length ? new int[Math.max(needed, 2 * lanes[lane].length)] : lanes[lane];
      System.arraycopy(lanes[lane], starts[lane], target, 0, lengths[lane]);
      lanes[lane] = target;
      starts[lane] = 0;
    }
    System.arraycopy(unit, 0, lanes[lane], starts[lane] + lengths[lane], unit.length);
    lengths[lane] = needed;
  }

  /** Ids added but not yet trained on as targets. */
  public long backlog() {
    long total = 0;
    for (int length : lengths) {
      total += length - 1;
    }
    return total;
  }

  /** Whether every lane holds a whole chunk: T inputs and the target after the last. */
  public boolean hasChunk() {
    for (int length : lengths) {
      if (length < steps + 1) {
        return false;
      }
    }
    return true;
  }

  /** The next chunk's inputs, lanes × T. */
  public int[][] inputs() {
    return slice(0);
  }

  /** The next chunk's targets, lanes × T: the inputs shifted by one. */
  public int[][] targets() {
    return slice(1);
  }

  /** Drops the chunk just trained; its last input's successor becomes the next chunk's first input. */
  public void advance() {
    if (!hasChunk()) {
      throw new IllegalStateException("no whole chunk to advance past");
    }
    for (int l = 0; l < lanes.length; l++) {
      starts[l] += steps;
      lengths[l] -= steps;
    }
  }

  private int[][] slice(int shift) {
    if (!hasChunk()) {
      throw new IllegalStateException("no whole chunk yet");
    }
    int[][] out = new int[lanes.length][];
    for (int l = 0; l < lanes.length; l++) {
      out[l] = Arrays.copyOfRange(lanes[l], starts[l] + shift, starts[l] + shift + steps);
    }
    return out;
  }
}
