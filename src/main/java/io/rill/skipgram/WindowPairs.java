package io.rill.skipgram;

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
 */
public final class WindowPairs {
    private final int window;
    private final int[] tokens;
    private final int[] spans; // effective window b of the token in the same ring slot
    private final int mask;
    private final SplitMix64 rng;

    private long arrived; // tokens of the current document so far
    private long emitted; // centers of the current document whose pairs are out

    public WindowPairs(int window, long seed) {
        if (window < 1) throw new IllegalArgumentException("window " + window);
        this.window = window;
        int ring = Integer.highestOneBit(2 * window) << 1; // a power of two > 2·window
        this.tokens = new int[ring];
        this.spans = new int[ring];
        this.mask = ring - 1;
        this.rng = new SplitMix64(seed);
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
}
