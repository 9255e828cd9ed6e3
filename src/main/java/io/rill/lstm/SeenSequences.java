package io.rill.lstm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.rill.state.StateFormat;
import io.rill.wire.WireBytes;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Remembers which sequences (names, lines) the training stream has shown, so generated samples can be split into
 * "occurs in training" and "new", on a stream too long to keep every sequence: a Bloom filter of fixed size.
 *
 * <p>Error rate: no false negatives, ever; a sequence that was added is always reported as seen. False positives (a
 * new sequence reported as seen in training) happen at about the configured rate while {@link #count()} stays within
 * the expected number of sequences, and grow beyond it: at twice the expected count with 1% configured, about 16%.
 * {@link #expectedFalsePositiveRate()} gives the current estimate. Sizing: bits m = -n ln p / (ln 2)^2, hashes
 * k = round(m/n ln 2); 1,000,000 sequences at 1% take about 1.2 MB and 7 hashes. The bit count is capped at 2^31
 * (256 MiB), beyond which the rate for that many sequences is not met.
 *
 * <p>A sequence is identified by its UTF-16 chars (the same as by its UTF-8 bytes for any well-formed string), hashed
 * twice with a 64-bit murmur-style mix under two seeds and combined as h1 + i h2 for the k bit positions.
 *
 * <p>Binary state ({@link #writeTo} / {@link #readFrom}): format version, bit count, hash count, sequence count,
 * word count, then the bits as 64-bit words. The hash functions are fixed in code, so bits and sizes are all a
 * restored filter needs to give the same answers. It is also the wire form between nodes ({@link #toWireBytes} /
 * {@link #fromWireBytes}).
 *
 * <p>Not thread-safe: one actor owns it.
 */
public final class SeenSequences {

  /** 2^31 bits, 256 MiB: more than any node should spend on this. */
  public static final long MAX_BITS = 1L << 31;
  /** More hashes buy almost nothing and cost time on every lookup; only tiny filters would want more. */
  static final int MAX_HASHES = 30;

  /** Version of the binary state {@link #writeTo} writes. */
  static final int FORMAT_VERSION = 1;

  private static final double LN2 = Math.log(2);
  private static final long SEED_1 = 0x9E3779B97F4A7C15L;
  private static final long SEED_2 = 0xC2B2AE3D27D4EB4FL;
  private static final long C1 = 0x87C37B91114253D5L;
  private static final long C2 = 0x4CF5AD432745937FL;

  private final long[] words;
  private final long bits;
  private final int hashes;
  private long count;

  public SeenSequences(long expectedSequences, double falsePositiveRate) {
    if (expectedSequences <= 0) {
      throw new IllegalArgumentException("expected sequences must be positive, got " + expectedSequences);
    }
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
      throw new IllegalArgumentException("false-positive rate must be in (0, 1), got " + falsePositiveRate);
    }
    this.bits = bitsFor(expectedSequences, falsePositiveRate);
    this.words = new long[(int) (bits / 64)];
    long k = Math.round((double) bits / expectedSequences * LN2);
    this.hashes = (int) Math.max(1, Math.min(MAX_HASHES, k));
  }

  private SeenSequences(SeenSequences other) {
    this.words = other.words.clone();
    this.bits = other.bits;
    this.hashes = other.hashes;
    this.count = other.count;
  }

  private SeenSequences(long[] words, long bits, int hashes, long count) {
    this.words = words;
    this.bits = bits;
    this.hashes = hashes;
    this.count = count;
  }

  /** Writes the sizes, the count and the bits. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    out.writeLong(bits);
    out.writeInt(hashes);
    out.writeLong(count);
    StateFormat.writeLongs(out, words, 0, words.length);
  }

  /**
   * A filter written by {@link #writeTo}, whatever sizes it was made with: it answers as the written one did. The
   * bit count is checked against {@link #MAX_BITS} before anything is allocated, so at most 256 MiB.
   *
   * @throws IOException when the input is truncated, of another format version, or holds impossible sizes
   */
  public static SeenSequences readFrom(DataInput in) throws IOException {
    return readFrom(in, MAX_BITS);
  }

  /** {@link #readFrom}, refusing more than {@code maxBits} bits (at most {@link #MAX_BITS}). */
  private static SeenSequences readFrom(DataInput in, long maxBits) throws IOException {
    StateFormat.readIntVersion(in, FORMAT_VERSION, "seen sequences");
    long bits = in.readLong();
    int hashes = in.readInt();
    long count = in.readLong();
    StateFormat.require(bits >= 64 && bits <= maxBits && bits % 64 == 0,
        "seen sequences: bit count " + bits + " is not a multiple of 64 in [64, " + maxBits + "]");
    StateFormat.require(hashes >= 1 && hashes <= MAX_HASHES,
        "seen sequences: hash count " + hashes + " outside [1, " + MAX_HASHES + "]");
    StateFormat.require(count >= 0, "seen sequences: count " + count);
    long[] words = StateFormat.readLongs(in, (int) (maxBits / 64), "seen sequences words");
    StateFormat.require(words.length == bits / 64,
        "seen sequences: " + words.length + " words for " + bits + " bits");
    return new SeenSequences(words, bits, hashes, count);
  }

  @JsonValue
  public byte[] toWireBytes() {
    return StateFormat.toBytes(this::writeTo);
  }

  /** A filter from its wire form; its bits must be there, so a damaged bit count allocates no more than was sent. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SeenSequences fromWireBytes(byte[] bytes) throws IOException {
    return WireBytes.read(bytes, in -> readFrom(in, Math.min(MAX_BITS, 8L * bytes.length)), "seen sequences");
  }

  /** An independent copy, e.g. for a generator's snapshot while the original goes on learning. */
  public SeenSequences copy() {
    return new SeenSequences(this);
  }

  /** m = -n ln p / (ln 2)^2, rounded up to whole words, at least one word and at most {@link #MAX_BITS}. */
  static long bitsFor(long expectedSequences, double falsePositiveRate) {
    double ideal = -expectedSequences * Math.log(falsePositiveRate) / (LN2 * LN2);
    long wanted = (long) Math.min((double) MAX_BITS, Math.max(64, Math.ceil(ideal)));
    return (wanted + 63) / 64 * 64; // MAX_BITS is whole words already
  }

  /**
   * Records a sequence. Returns true if that set at least one bit, which proves the sequence was not seen before;
   * false means it probably was (or is a false positive).
   */
  public boolean add(CharSequence sequence) {
    long h1 = hash(sequence, SEED_1);
    long h2 = hash(sequence, SEED_2) | 1; // odd, so the k positions do not collapse onto one
    boolean flipped = false;
    long combined = h1;
    for (int i = 0; i < hashes; i++) {
      long bit = Long.remainderUnsigned(combined, bits);
      int word = (int) (bit >>> 6);
      long mask = 1L << bit; // the shift uses the low 6 bits
      if ((words[word] & mask) == 0) {
        words[word] |= mask;
        flipped = true;
      }
      combined += h2;
    }
    if (flipped) {
      count++;
    }
    return flipped;
  }

  /** False: certainly never added. True: added, or a false positive at about {@link #expectedFalsePositiveRate()}. */
  public boolean mightContain(CharSequence sequence) {
    long h1 = hash(sequence, SEED_1);
    long h2 = hash(sequence, SEED_2) | 1;
    long combined = h1;
    for (int i = 0; i < hashes; i++) {
      long bit = Long.remainderUnsigned(combined, bits);
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
      combined += h2;
    }
    return true;
  }

  /**
   * Sequences added that set at least one bit: about the number of distinct sequences, slightly under it, since a
   * new sequence that happens to be a false positive sets none.
   */
  public long count() {
    return count;
  }

  /** The false-positive rate to expect now, (1 - e^(-k count / m))^k. */
  public double expectedFalsePositiveRate() {
    return Math.pow(1 - Math.exp(-(double) hashes * count / bits), hashes);
  }

  /** Memory taken by the bits. */
  public long bytes() {
    return words.length * 8L;
  }

  public long bits() {
    return bits;
  }

  public int hashes() {
    return hashes;
  }

  /** A 64-bit hash of the chars, four to a block, mixed murmur-style; the length is folded in first. */
  static long hash(CharSequence sequence, long seed) {
    int length = sequence.length();
    long h = seed ^ (length * 0xFF51AFD7ED558CCDL);
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      long block = sequence.charAt(i)
          | (long) sequence.charAt(i + 1) << 16
          | (long) sequence.charAt(i + 2) << 32
          | (long) sequence.charAt(i + 3) << 48;
      h ^= scramble(block);
      h = Long.rotateLeft(h, 27) * 5 + 0x52DCE729L;
    }
    long tail = 0;
    for (int shift = 0; i < length; i++, shift += 16) {
      tail |= (long) sequence.charAt(i) << shift;
    }
    h ^= scramble(tail);
    return finish(h);
  }

  private static long scramble(long block) {
    return Long.rotateLeft(block * C1, 31) * C2;
  }

  /** Avalanches every input bit into every output bit. */
  private static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
