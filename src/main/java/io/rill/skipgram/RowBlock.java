package io.rill.skipgram;

import java.util.Arrays;

/**
 * Local copies of the rows of one matrix that a batch touches, keyed by word id: the unit a
 * worker pulls from the parameter server, trains on, and pushes back as deltas.
 *
 * <p>Rows are numbered locally in order of first use. {@link #values()} holds the rows being
 * trained; a copy of them as pulled is kept, so {@link #deltas()} is new − old per row, which
 * a parameter server adds to its matrix. Adding deltas, rather than overwriting, keeps the
 * concurrent pushes of several workers from erasing one another (Hogwild-style).
 *
 * <p>The word id → local row map is open addressing with per-slot generation stamps, so
 * {@link #clear()} is O(1) and a reused block allocates nothing in steady state.
 */
public final class RowBlock {
    private final int dim;
    private int[] ids = new int[64];
    private float[] values;
    private float[] pulled;
    private float[] deltas;
    private int size;

    private int[] keys = new int[128];
    private int[] rows = new int[128];
    private int[] stamps = new int[128];
    private int stamp = 1;

    public RowBlock(int dim) {
        if (dim < 1) throw new IllegalArgumentException("dim " + dim);
        this.dim = dim;
        values = new float[ids.length * dim];
        pulled = new float[values.length];
        deltas = new float[values.length];
    }

    /** Forgets all rows. */
    public void clear() {
        size = 0;
        if (++stamp == Integer.MAX_VALUE) {
            Arrays.fill(stamps, 0);
            stamp = 1;
        }
    }

    /** The local row of {@code wordId}, adding it (zeroed, not yet pulled) if absent. */
    public int rowOf(int wordId) {
        int mask = keys.length - 1;
        int slot = home(wordId, mask);
        while (stamps[slot] == stamp) {
            if (keys[slot] == wordId) return rows[slot];
            slot = (slot + 1) & mask;
        }
        if (size == ids.length) grow();
        if (2 * (size + 1) > keys.length) {
            rehash(keys.length * 2);
            return rowOf(wordId);
        }
        stamps[slot] = stamp;
        keys[slot] = wordId;
        rows[slot] = size;
        ids[size] = wordId;
        return size++;
    }

    /** Rows held. */
    public int size() {
        return size;
    }

    public int dim() {
        return dim;
    }

    /** Word id of each local row; valid up to {@link #size()}. */
    public int[] ids() {
        return ids;
    }

    /** The local rows, row-major; valid up to {@code size()·dim}. Fill them, then call {@link #markPulled()}. */
    public float[] values() {
        return values;
    }

    /** Copies each held row from a dense matrix (rows indexed by word id) and marks them pulled. */
    public void pullFrom(float[] matrix) {
        for (int r = 0; r < size; r++) System.arraycopy(matrix, ids[r] * dim, values, r * dim, dim);
        markPulled();
    }

    /** Records the current values as the pulled state that {@link #deltas()} is measured from. */
    public void markPulled() {
        System.arraycopy(values, 0, pulled, 0, size * dim);
    }

    /** Per row, current − pulled, row-major in local row order; valid up to {@code size()·dim}; reused. */
    public float[] deltas() {
        for (int i = 0, n = size * dim; i < n; i++) deltas[i] = values[i] - pulled[i];
        return deltas;
    }

    /** Adds {@link #deltas()} to the rows of a dense matrix: what a parameter server does with a push. */
    public void addDeltasTo(float[] matrix) {
        for (int r = 0; r < size; r++) {
            int local = r * dim, row = ids[r] * dim;
            for (int i = 0; i < dim; i++) matrix[row + i] += values[local + i] - pulled[local + i];
        }
    }

    private static int home(int wordId, int mask) {
        int h = wordId * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask; // fold the well-mixed high bits down
    }

    private void grow() {
        int n = ids.length * 2;
        ids = Arrays.copyOf(ids, n);
        values = Arrays.copyOf(values, n * dim);
        pulled = Arrays.copyOf(pulled, n * dim);
        deltas = new float[n * dim];
    }

    private void rehash(int tableSize) {
        keys = new int[tableSize];
        rows = new int[tableSize];
        stamps = new int[tableSize];
        stamp = 1;
        int mask = tableSize - 1;
        for (int r = 0; r < size; r++) {
            int slot = home(ids[r], mask);
            while (stamps[slot] == stamp) slot = (slot + 1) & mask;
            stamps[slot] = stamp;
            keys[slot] = ids[r];
            rows[slot] = r;
        }
    }
}
