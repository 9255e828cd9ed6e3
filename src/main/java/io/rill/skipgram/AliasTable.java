package io.rill.skipgram;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.rill.wire.BinaryArrays;
import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * An immutable Walker alias table: draws an id from a fixed discrete distribution in O(1) with one
 * 64-bit random number (Walker 1977, built with Vose's O(n) method).
 *
 * <p>Each slot i holds an acceptance threshold, its own id and an alias id: pick a slot uniformly,
 * then keep its id with probability threshold/2^24, else take the alias. The three ints of a slot
 * sit side by side so a draw touches one cache line. Immutable so that one table can be handed to
 * several workers as a message.
 *
 * <p>A checkpoint writes the slots themselves: the table was built from counts that have changed
 * since, so it cannot be rebuilt, and the same slots give the same draws from the same generator.
 */
public final class AliasTable {
    private static final int ONE = 1 << 24; // thresholds are 24-bit fixed point
    private static final int FORMAT = 1; // of writeTo's data
    private static final byte WIRE_FORMAT = 1; // of toWireBytes's data
    public static final AliasTable EMPTY = new AliasTable(new int[0], 0);

    private final int[] slots; // {threshold, id, aliasId} per slot
    private final int n;

    private AliasTable(int[] slots, int n) {
        this.slots = slots;
        this.n = n;
    }

    /** A table drawing {@code ids[i]} with probability {@code weights[i] / sum(weights)}, over the first {@code n}. */
    public static AliasTable build(int[] ids, double[] weights, int n) {
        if (n == 0) return EMPTY;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!(weights[i] >= 0)) throw new IllegalArgumentException("weight " + weights[i]);
            sum += weights[i];
        }
        if (!(sum > 0)) throw new IllegalArgumentException("weights sum to " + sum);

        // Scale so the mean is 1; pair each under-full slot with an over-full one that tops it up.
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int ns = 0, nl = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = weights[i] * n / sum;
            if (scaled[i] < 1) small[ns++] = i;
            else large[nl++] = i;
        }
        int[] slots = new int[3 * n];
        while (ns > 0 && nl > 0) {
            int s = small[--ns], l = large[--nl];
            slots[3 * s] = (int) Math.round(scaled[s] * ONE);
            slots[3 * s + 1] = ids[s];
            slots[3 * s + 2] = ids[l];
            scaled[l] -= 1 - scaled[s];
            if (scaled[l] < 1) small[ns++] = l;
            else large[nl++] = l;
        }
        // Whatever is left is full up to rounding error.
        while (nl > 0) fill(slots, large[--nl], ids);
        while (ns > 0) fill(slots, small[--ns], ids);
        return new AliasTable(slots, n);
    }

    private static void fill(int[] slots, int i, int[] ids) {
        slots[3 * i] = ONE;
        slots[3 * i + 1] = ids[i];
        slots[3 * i + 2] = ids[i];
    }

    /** One draw; {@link Vocabulary#NONE} if the table is empty. */
    public int sample(SplitMix64 rng) {
        if (n == 0) return Vocabulary.NONE;
        long r = rng.nextLong();
        int i = 3 * (int) (((r >>> 32) * n) >>> 32); // high bits pick the slot...
        return (int) (r & (ONE - 1)) < slots[i] ? slots[i + 1] : slots[i + 2]; // ...low 24 bits accept
    }

    /** How many ids the table was built over (one slot each). */
    public int size() {
        return n;
    }

    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        StateFormat.writeInts(out, slots, 0, 3 * n);
    }

    /**
     * The wire form between nodes: a format byte, then per slot its id as the zig-zag difference from the previous
     * slot's (the negative sampler builds tables in id order, so mostly one byte), its alias id and its threshold, all
     * varints: 6.7 bytes a slot where {@link #writeTo} takes 12 and CBOR numbers 10.5 (measured by
     * {@code WireSizes} on a 30,000-word table). It matters because the table goes with every answer of the
     * vocabulary actor.
     */
    @JsonValue
    public byte[] toWireBytes() {
        int[] coded = new int[3 * n];
        int previous = 0;
        for (int i = 0; i < coded.length; i += 3) {
            int delta = slots[i + 1] - previous;
            coded[i] = (delta << 1) ^ (delta >> 31);
            coded[i + 1] = slots[i + 2];
            coded[i + 2] = slots[i];
            previous = slots[i + 1];
        }
        byte[] varints = BinaryArrays.varintBytes(coded);
        byte[] bytes = new byte[1 + varints.length];
        bytes[0] = WIRE_FORMAT;
        System.arraycopy(varints, 0, bytes, 1, varints.length);
        return bytes;
    }

    /** A table from its wire form: any id that is not negative may be drawn, there is no vocabulary to ask. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static AliasTable fromWireBytes(byte[] bytes) throws IOException {
        StateFormat.check(bytes.length > 0 && bytes[0] == WIRE_FORMAT,
                "alias table: wire format " + (bytes.length > 0 ? bytes[0] : "missing") + ", expected " + WIRE_FORMAT);
        int[] coded = BinaryArrays.intsOf(Arrays.copyOfRange(bytes, 1, bytes.length));
        StateFormat.check(coded.length % 3 == 0, "alias table of " + coded.length + " ints, not whole slots");
        int[] slots = new int[coded.length];
        int previous = 0;
        for (int i = 0; i < coded.length; i += 3) {
            slots[i] = coded[i + 2];
            slots[i + 1] = previous + ((coded[i] >>> 1) ^ -(coded[i] & 1));
            slots[i + 2] = coded[i + 1];
            previous = slots[i + 1];
        }
        return checked(slots, id -> id >= 0);
    }

    /**
     * Restores a table written by {@link #writeTo}, refusing one with a threshold out of range or
     * an id that {@code drawable} rejects (say, one that is not a trainable word).
     */
    public static AliasTable readFrom(DataInput in, IntPredicate drawable) throws IOException {
        StateFormat.readVersion(in, "alias table", FORMAT);
        int[] slots = StateFormat.readInts(in, Integer.MAX_VALUE - 2, "alias table slots");
        StateFormat.check(slots.length % 3 == 0, "alias table of " + slots.length + " ints, not whole slots");
        return checked(slots, drawable);
    }

    private static AliasTable checked(int[] slots, IntPredicate drawable) throws IOException {
        for (int i = 0; i < slots.length; i += 3) {
            StateFormat.check(slots[i] >= 0 && slots[i] <= ONE, "alias table threshold " + slots[i]);
            StateFormat.check(drawable.test(slots[i + 1]) && drawable.test(slots[i + 2]),
                    "alias table slot " + i / 3 + " draws ids " + slots[i + 1] + " and " + slots[i + 2]);
        }
        return slots.length == 0 ? EMPTY : new AliasTable(slots, slots.length / 3);
    }
}
