package io.rill.skipgram;

import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A small, fast, seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64).
 *
 * <p>Every per-token decision in the learner (subsampling, window shrink, negative draws) takes a
 * random number, so this must cost a few nanoseconds. {@link java.util.Random} synchronises on an
 * atomic seed and yields only 48 bits; SplitMix64 is one add and three xor-shift-multiplies, has a
 * full 2^64 period and passes BigCrush. Not thread-safe: each owner (actor, worker) holds its own,
 * which also makes runs reproducible from a seed.
 *
 * <p>Its whole state is one long, so {@link #writeTo} and {@link #readFrom} give a generator that continues the
 * original's sequence exactly.
 */
public final class SplitMix64 {
    private static final int FORMAT = 1; // of writeTo's data

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Uniform in [0, bound) by multiply-and-shift of the high 32 bits (Lemire). The bias is at most
     * bound / 2^32, far below anything our statistics can see, and it avoids a division.
     */
    public int nextInt(int bound) {
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** Uniform in [0, 1) with 24 bits, the full precision of a float. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeLong(state);
    }

    /** A generator that continues where the one that wrote this left off. */
    public static SplitMix64 readFrom(DataInput in) throws IOException {
        StateFormat.readVersion(in, "random generator", FORMAT);
        return new SplitMix64(in.readLong());
    }
}
