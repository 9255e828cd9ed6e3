package io.rill.skipgram;

import java.util.Arrays;

/**
 * A reusable, growable batch of (center, context) word-id pairs, stored as two parallel int
 * arrays so the training loop reads plain ints and the hot path allocates nothing once the
 * buffer has grown to its working size.
 */
public final class PairBuffer {
    private int[] centers;
    private int[] contexts;
    private int size;

    public PairBuffer() {
        this(1024);
    }

    public PairBuffer(int initialCapacity) {
        centers = new int[Math.max(1, initialCapacity)];
        contexts = new int[centers.length];
    }

    public void add(int center, int context) {
        if (size == centers.length) {
            centers = Arrays.copyOf(centers, size * 2);
            contexts = Arrays.copyOf(contexts, size * 2);
        }
        centers[size] = center;
        contexts[size++] = context;
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    public int center(int i) {
        return centers[i];
    }

    public int context(int i) {
        return contexts[i];
    }

    /** The backing array; valid up to {@link #size()}, replaced when the buffer grows. */
    public int[] centers() {
        return centers;
    }

    /** The backing array; valid up to {@link #size()}, replaced when the buffer grows. */
    public int[] contexts() {
        return contexts;
    }
}
