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
        pairs = batch.size();
        if (centers.length < pairs) {
            centers = new int[pairs];
            contexts = new int[pairs];
        }
        if (negativeRows.length < pairs * negatives) negativeRows = new int[pairs * negatives];
        input.clear();
        output.clear();
        for (int p = 0; p < pairs; p++) {
            centers[p] = input.rowOf(batch.center(p));
            contexts[p] = output.rowOf(batch.context(p));
        }
        for (int j = 0, n = pairs * negatives; j < n; j++) negativeRows[j] = output.rowOf(negativeIds[j]);
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
        if (kernel.negatives() != negatives || kernel.dim() != input.dim()) {
            throw new IllegalArgumentException("kernel shape differs from the batch's");
        }
        return kernel.trainRows(input.values(), output.values(), centers, contexts, negativeRows, pairs, lr);
    }
}
