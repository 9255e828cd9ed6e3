package io.rill.skipgram.query;

/**
 * The k highest-scoring row indices seen in a scan, kept in a bounded min-heap of primitive arrays:
 * O(n log k) for n offers and no allocation per offer. The root is the weakest kept entry, so an
 * offer that does not beat it costs one comparison, which is the common case in a long scan.
 *
 * <p>Among equal scores the row offered first wins; offers come in row order, so ties resolve to
 * the lower row index. Single use: {@link #drainBestFirst()} empties the heap.
 */
final class TopK {
    private final int[] rows;
    private final float[] scores;
    private int size;

    TopK(int k) {
        rows = new int[k];
        scores = new float[k];
    }

    void offer(int row, float score) {
        if (size < rows.length) {
            rows[size] = row;
            scores[size] = score;
            siftUp(size++);
        } else if (score > scores[0]) {
            rows[0] = row;
            scores[0] = score;
            siftDown(0);
        }
    }

    /** Number of entries kept. */
    int size() {
        return size;
    }

    /**
     * Sorts the kept entries best first (score descending, then row ascending) by popping the
     * weakest into the back of the arrays, and returns the rows; {@link #score(int)} reads the
     * matching scores.
     */
    int[] drainBestFirst() {
        int n = size;
        while (size > 1) {
            swap(0, --size);
            siftDown(0);
        }
        size = 0;
        int[] out = new int[n];
        System.arraycopy(rows, 0, out, 0, n);
        return out;
    }

    /** After {@link #drainBestFirst()}: the score of the i-th best entry. */
    float score(int i) {
        return scores[i];
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!weaker(i, parent)) return;
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) return;
            if (child + 1 < size && weaker(child + 1, child)) child++;
            if (!weaker(child, i)) return;
            swap(i, child);
            i = child;
        }
    }

    /** Whether entry a ranks below entry b: a lower score, or an equal score on a later row. */
    private boolean weaker(int a, int b) {
        return scores[a] < scores[b] || (scores[a] == scores[b] && rows[a] > rows[b]);
    }

    private void swap(int a, int b) {
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }
}
