package io.rill.skipgram;

/**
 * One batch trained sparsely: the pairs and negatives are mapped onto local rows of an input
 * {@link RowBlock} (centers) and an output {@link RowBlock} (contexts and negatives), the caller
 * fills those rows (from a parameter server, or {@link RowBlock#pullFrom} a dense matrix), the
 * {@link SgnsKernel} trains on them, and each block's deltas go back.
 *
 * <p>The kernel runs unchanged on local row indices; because the same word always maps to the
 * same local row, word2vec's "skip a negative equal to the context" test and the in-batch
 * sequencing of updates come out exactly as they would on the full matrices.
 */
public final class SparseBatch {
    private final int negatives;
    private final RowBlock input;
    private final RowBlock output;
    private int[] centers = new int[256];
    private int[] contexts = new int[256];
    private int[] negativeRows = new int[256];
    private int pairs;

    public SparseBatch(int dim, int negatives) {
        this.negatives = negatives;
        this.input = new RowBlock(dim);
        this.output = new RowBlock(dim);
    }

    /**
     * Starts a batch: maps the word ids of {@code batch} and its negatives ({@code k} per pair,
     * as for {@link SgnsKernel#train}) to local rows. Afterwards the blocks list the rows to pull.
     */
    public void plan(PairBuffer batch, int[] negativeIds) {
        plan(batch.centers(), batch.contexts(), 0, batch.size(), negativeIds);
    }

    /**
     * As {@link #plan(PairBuffer, int[])} for the pairs {@code (centerIds[i], contextIds[i])}, {@code from <= i < to},
     * with {@code negativeIds[(i − from)·k ..]} their negatives.
     */
    public void plan(int[] centerIds, int[] contextIds, int from, int to, int[] negativeIds) {
        pairs = to - from;
        if (centers.length < pairs) {
            centers = new int[pairs];
            contexts = new int[pairs];
        }
        if (negativeRows.length < pairs * negatives) negativeRows = new int[pairs * negatives];
        input.clear();
        output.clear();
        for (int p = 0; p < pairs; p++) {
            centers[p] = input.rowOf(centerIds[from + p]);
            contexts[p] = output.rowOf(contextIds[from + p]);
        }
        for (int j = 0, n = pairs * negatives; j < n; j++) negativeRows[j] = output.rowOf(negativeIds[j]);
    }

    /**
     * Renumbers both blocks' rows so that each parameter-server shard's (word id mod {@code shards}) are contiguous
     * ({@link RowBlock#groupBy}), and the planned pairs with them.
     */
    public void groupByShard(int shards) {
        int[] in = input.groupBy(shards);
        for (int p = 0; p < pairs; p++) centers[p] = in[centers[p]];
        int[] out = output.groupBy(shards);
        for (int p = 0; p < pairs; p++) contexts[p] = out[contexts[p]];
        for (int j = 0, n = pairs * negatives; j < n; j++) negativeRows[j] = out[negativeRows[j]];
    }

    /** Pairs planned. */
    public int pairs() {
        return pairs;
    }

    /** Rows of W_in the batch reads and writes. */
    public RowBlock input() {
        return input;
    }

    /** Rows of W_out the batch reads and writes. */
    public RowBlock output() {
        return output;
    }

    /** Trains the planned batch on the pulled local rows; returns the summed loss. */
    public double train(SgnsKernel kernel, float lr) {
        return train(kernel, lr, 1);
    }

    /** As {@link #train(SgnsKernel, float)}, the loss estimated from every {@code lossEvery}-th pair. */
    public double train(SgnsKernel kernel, float lr, int lossEvery) {
        if (kernel.negatives() != negatives || kernel.dim() != input.dim()) {
            throw new IllegalArgumentException("kernel shape differs from the batch's");
        }
        return kernel.trainRows(input.values(), output.values(), centers, contexts, negativeRows, pairs, lr, lossEvery);
    }
}
