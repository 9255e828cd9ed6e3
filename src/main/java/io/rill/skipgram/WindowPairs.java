package io.rill.skipgram;

import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The sliding context window of one token stream: takes word ids one at a time (already filtered
 * by min-count and subsampling), remembers the recent tokens of the current document across calls
 * (so a document may arrive split over many Kafka records), and emits skip-gram (center, context)
 * pairs.
 *
 * <p>As in word2vec, each center draws an effective window b uniform in 1..window and pairs with
 * the tokens at most b positions away on either side, within the document; nearer words are thus
 * paired more often. A center's right-hand context arrives after it, so its pairs are emitted when
 * {@code window} more tokens have arrived (its whole right context is known), or at
 * {@link #endDocument}. A ring of the last 2·window+1 tokens is all the state this needs.
 *
 * <p>b is drawn when the center token arrives, from this object's own generator, so the pairs
 * depend only on the token sequence and the seed, never on how it was split into calls or on what
 * other random draws the caller makes in between.
 *
 * <p>A checkpoint holds the tokens that later pairs can still reach (the pending centers and the
 * window before them), their drawn spans, the document's position and the generator.
 */
public final class WindowPairs {
    private static final int FORMAT = 1; // of writeTo's data

    private final int window;
    private final int[] tokens;
    private final int[] spans; // effective window b of the token in the same ring slot
    private final int mask;
    private final SplitMix64 rng;

    private long arrived; // tokens of the current document so far
    private long emitted; // centers of the current document whose pairs are out

    public WindowPairs(int window, long seed) {
        this(window, new SplitMix64(seed));
    }

    private WindowPairs(int window, SplitMix64 rng) {
        if (window < 1) throw new IllegalArgumentException("window " + window);
        this.window = window;
        int ring = Integer.highestOneBit(2 * window) << 1; // a power of two > 2·window
        this.tokens = new int[ring];
        this.spans = new int[ring];
        this.mask = ring - 1;
        this.rng = rng;
    }

    /** Adds one token of the current document; appends any pairs that became complete to {@code out}. */
    public void add(int wordId, PairBuffer out) {
        int slot = (int) (arrived & mask);
        tokens[slot] = wordId;
        spans[slot] = 1 + rng.nextInt(window);
        arrived++;
        if (arrived - emitted > window) emitCenter(out);
    }

    /** Adds {@code ids[from .. to)}, as {@link #add} one by one. */
    public void add(int[] ids, int from, int to, PairBuffer out) {
        for (int i = from; i < to; i++) add(ids[i], out);
    }

    /** Ends the current document: emits the pairs of its remaining centers and forgets it. */
    public void endDocument(PairBuffer out) {
        while (emitted < arrived) emitCenter(out);
        arrived = 0;
        emitted = 0;
    }

    /** Tokens of the current document still waiting for their right-hand context. */
    public int pending() {
        return (int) (arrived - emitted);
    }

    public int window() {
        return window;
    }

    private void emitCenter(PairBuffer out) {
        long c = emitted++;
        int center = tokens[(int) (c & mask)];
        int b = spans[(int) (c & mask)];
        long from = Math.max(0, c - b);
        long to = Math.min(arrived - 1, c + b);
        for (long p = from; p <= to; p++) {
            if (p != c) out.add(center, tokens[(int) (p & mask)]);
        }
    }

    /** Writes the current document's reachable tokens and the generator; {@link #readFrom} restores them. */
    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeInt(window);
        out.writeLong(arrived);
        out.writeLong(emitted);
        // A pending center c pairs with tokens from c - window on: older ones are never read again.
        for (long p = Math.max(0, emitted - window); p < arrived; p++) {
            out.writeInt(tokens[(int) (p & mask)]);
            out.writeInt(spans[(int) (p & mask)]);
        }
        rng.writeTo(out);
    }

    /** Restores a window written by {@link #writeTo}; refuses one of another size than the configured one. */
    public static WindowPairs readFrom(DataInput in, int window) throws IOException {
        StateFormat.readVersion(in, "window", FORMAT);
        int stored = in.readInt();
        if (stored != window) {
            throw new IOException("the window was written with size " + stored + ", not the configured " + window);
        }
        long arrived = StateFormat.readLong(in, 0, Long.MAX_VALUE, "window's token count");
        long emitted = StateFormat.readLong(in, Math.max(0, arrived - window), arrived, "window's emitted centers");
        long first = Math.max(0, emitted - window); // as writeTo: the first token still reachable
        int[] tokens = new int[(int) (arrived - first)];
        int[] spans = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = StateFormat.readInt(in, 0, Integer.MAX_VALUE, "window token");
            spans[i] = StateFormat.readInt(in, 1, window, "window span");
        }
        WindowPairs pairs = new WindowPairs(window, SplitMix64.readFrom(in));
        for (int i = 0; i < tokens.length; i++) {
            int slot = (int) ((first + i) & pairs.mask);
            pairs.tokens[slot] = tokens[i];
            pairs.spans[slot] = spans[i];
        }
        pairs.arrived = arrived;
        pairs.emitted = emitted;
        return pairs;
    }
}
