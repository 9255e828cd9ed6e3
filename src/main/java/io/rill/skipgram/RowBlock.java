package io.rill.skipgram;

import java.util.Arrays;

/**
 * Local copies of the rows of one matrix that a batch touches, keyed by word id: the unit a
 * worker pulls from the parameter server, trains on, and pushes back as deltas.
 *
 * <p>Rows are numbered locally in order of first use; {@link #groupBy} then renumbers them so that
 * the rows of each parameter-server shard are contiguous, and a shard's pulled rows are one copy
 * into {@link #values()} and its deltas one pass over a range. {@link #values()} holds the rows
 * being trained. For callers that pull row by row ({@link #pullFrom}, tests and benchmarks), a copy
 * as pulled is kept on {@link #markPulled()}, so {@link #deltas()} is new − old per row, which a
 * parameter server adds to its matrix. Adding deltas, rather than overwriting, keeps the
 * concurrent pushes of several workers from erasing one another (Hogwild-style).
 *
 * <p>The word id → local row map is an array indexed by id (word ids are dense: they index the
 * server's rows too), each entry stamped with the batch it belongs to, so {@link #clear()} is O(1),
 * a lookup is one load, and a reused block allocates nothing in steady state.
 */
public final class RowBlock {
    private final int dim;
    private int[] ids = new int[64];
    private float[] values;
    private float[] pulled;
    private float[] deltas;
    private int size;

    /** Per word id: {@code [2·id]} the stamp of the batch that holds it, {@code [2·id + 1]} its local row. */
    private int[] byId = new int[2 * 1024];
    private int stamp = 1;
    /** After {@link #groupBy}: rows of group g are {@code [groupStarts[g], groupStarts[g + 1])}. */
    private int[] groupStarts = new int[0];

    public RowBlock(int dim) {
        if (dim < 1) throw new IllegalArgumentException("dim " + dim);
        this.dim = dim;
        values = new float[ids.length * dim];
    }

    /** Forgets all rows. */
    public void clear() {
        size = 0;
        groupStarts = new int[0];
        if (++stamp == Integer.MAX_VALUE) {
            for (int i = 0; i < byId.length; i += 2) byId[i] = 0;
            stamp = 1;
        }
    }

    /** The local row of {@code wordId}, adding it (zeroed, not yet pulled) if absent. */
    public int rowOf(int wordId) {
        int slot = 2 * wordId;
        if (slot >= byId.length) growIndex(wordId);
        if (byId[slot] == stamp) return byId[slot + 1];
        if (size == ids.length) grow();
        byId[slot] = stamp;
        byId[slot + 1] = size;
        ids[size] = wordId;
        return size++;
    }

    /** The local row of {@code wordId}, or −1 if the block does not hold it. */
    public int find(int wordId) {
        int slot = 2 * wordId;
        return slot < byId.length && byId[slot] == stamp ? byId[slot + 1] : -1;
    }

    /**
     * Renumbers the rows so that those of each group (word id mod {@code groups}: the parameter-server shard that
     * owns the word) are contiguous, in group order and, within a group, in their old order. Returns the map from
     * old to new local row, valid up to {@link #size()}, for the caller to renumber the rows it refers to.
     */
    public int[] groupBy(int groups) {
        int[] starts = new int[groups + 1];
        for (int r = 0; r < size; r++) starts[ids[r] % groups + 1]++;
        for (int g = 0; g < groups; g++) starts[g + 1] += starts[g];
        int[] next = Arrays.copyOf(starts, groups);
        int[] remap = new int[size];
        int[] grouped = new int[ids.length];
        for (int r = 0; r < size; r++) {
            int id = ids[r];
            int to = next[id % groups]++;
            remap[r] = to;
            grouped[to] = id;
            byId[2 * id + 1] = to;
        }
        ids = grouped;
        groupStarts = starts;
        return remap;
    }

    /** The first local row of group {@code g} after {@link #groupBy}. */
    public int groupStart(int g) {
        return groupStarts[g];
    }

    /** One past the last local row of group {@code g} after {@link #groupBy}. */
    public int groupEnd(int g) {
        return groupStarts[g + 1];
    }

    /** The word ids of group {@code g}'s rows, in row order: a new array, for a message. */
    public int[] groupIds(int g) {
        return Arrays.copyOfRange(ids, groupStarts[g], groupStarts[g + 1]);
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
        if (pulled == null || pulled.length < values.length) pulled = new float[values.length];
        System.arraycopy(values, 0, pulled, 0, size * dim);
    }

    /** Per row, current − pulled, row-major in local row order; valid up to {@code size()·dim}; reused. */
    public float[] deltas() {
        if (deltas == null || deltas.length < values.length) deltas = new float[values.length];
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

    private void growIndex(int wordId) {
        byId = Arrays.copyOf(byId, Math.max(2 * (wordId + 1), 2 * byId.length));
    }

    private void grow() {
        int n = ids.length * 2;
        ids = Arrays.copyOf(ids, n);
        values = Arrays.copyOf(values, n * dim);
        if (pulled != null) pulled = Arrays.copyOf(pulled, n * dim);
    }
}
