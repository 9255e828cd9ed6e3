package io.rill.skipgram;

import io.rill.nn.FastFloatMath;
import io.rill.nn.FloatVectors;
import java.util.Arrays;

/**
 * The skip-gram negative-sampling update, as word2vec.c applies it, on flat row-major
 * {@code float[]} matrices W_in (input, "syn0") and W_out (output, "syn1neg") of row length dim.
 *
 * <p>For a pair (center c, context o) with negatives n_1..n_k, h = W_in[c] and the loss is
 * L = −log σ(h·W_out[o]) − Σ_j log σ(−h·W_out[n_j]). For each target t (o with label 1, each n_j
 * with label 0, skipping negatives equal to o as word2vec does) the score s = h·W_out[t] gives the
 * coefficient g = (label − σ(s))·lr = −lr·∂L/∂s; then neu1e += g·W_out[t] and W_out[t] += g·h, and
 * after all targets W_in[c] += neu1e. Since h stays fixed while the targets are visited and neu1e
 * reads W_out[t] before it moves, one step is −lr times the gradient of L, which {@link #gradient}
 * exposes for checking.
 *
 * <p>The same loop serves two callers, because it only sees row indices into the arrays it is
 * given: {@link #train} updates whole matrices in place (rows = word ids), and {@link SparseBatch}
 * runs it on local copies of just the touched rows, pulled from a parameter server, and turns the
 * result into per-row deltas to push back.
 *
 * <p>The scores of all targets are computed first, from the rows as they are before the pair's update, then the
 * targets are stepped: the same as visiting them one by one when they are distinct (when a negative repeats, both
 * draws are scored on the row before the update, so W_out moves by exactly −lr times the gradient). σ comes from {@link FastFloatMath#sigmoid} (a clamped rational function,
 * within 2·10⁻⁷ of the true value, no {@code exp}); the loss, which training itself does not need, is computed
 * exactly for every pair by {@link #trainRows(float[], float[], int[], int[], int[], int, float)} and for every
 * n-th pair only by {@link #trainRows(float[], float[], int[], int[], int[], int, float, int)}, the workers' call
 * (gensim computes none unless asked). The row loops are {@link KernelRows}: the Vector API when the JVM has the
 * module, else plain loops. One kernel per thread: it owns scratch rows.
 */
public final class SgnsKernel {
    private final int dim;
    private final int negatives;
    private final float[] neu1e;
    private final int[] targets;
    private final float[] scores;

    public SgnsKernel(int dim, int negatives) {
        if (dim < 1) throw new IllegalArgumentException("dim " + dim);
        if (negatives < 0) throw new IllegalArgumentException("negatives " + negatives);
        this.dim = dim;
        this.negatives = negatives;
        this.neu1e = new float[dim];
        this.targets = new int[negatives + 1];
        this.scores = new float[negatives + 1];
    }

    public int dim() {
        return dim;
    }

    /** Negatives per pair. */
    public int negatives() {
        return negatives;
    }

    /**
     * Trains on every pair of {@code pairs}, in place, with {@code negativeIds[p·k .. p·k+k)} the
     * negatives of pair p. Rows are word ids. Returns the summed loss of the batch (before each
     * pair's update).
     */
    public double train(float[] wIn, float[] wOut, PairBuffer pairs, int[] negativeIds, float lr) {
        return trainRows(wIn, wOut, pairs.centers(), pairs.contexts(), negativeIds, pairs.size(), lr);
    }

    /**
     * The update loop over {@code count} pairs given as row indices into {@code wIn} (centers) and
     * {@code wOut} (contexts and negatives, {@code k} per pair). Returns the summed loss of every pair.
     */
    public double trainRows(float[] wIn, float[] wOut, int[] centerRows, int[] contextRows,
                            int[] negativeRows, int count, float lr) {
        return trainRows(wIn, wOut, centerRows, contextRows, negativeRows, count, lr, 1);
    }

    /**
     * As {@link #trainRows(float[], float[], int[], int[], int[], int, float)}, computing the loss of pairs 0,
     * {@code lossEvery}, 2·{@code lossEvery}, ... only: returns their summed loss scaled to {@code count} pairs, an
     * unbiased estimate of the batch's summed loss (exact when {@code lossEvery} is 1).
     */
    public double trainRows(float[] wIn, float[] wOut, int[] centerRows, int[] contextRows,
                            int[] negativeRows, int count, float lr, int lossEvery) {
        if (lossEvery < 1) throw new IllegalArgumentException("lossEvery " + lossEvery);
        final int d = dim, k = negatives;
        final float[] acc = neu1e;
        final int[] ts = targets;
        final float[] fs = scores;
        double loss = 0;
        int sampled = 0;
        for (int p = 0, untilLoss = 0; p < count; p++) {
            int in = centerRows[p] * d;
            int context = contextRows[p];
            int m = 0;
            ts[m++] = context;
            for (int j = p * k, end = j + k; j < end; j++) {
                int t = negativeRows[j];
                if (t != context) ts[m++] = t;
            }
            for (int q = 0; q < m; q++) fs[q] = KernelRows.dot(wIn, in, wOut, ts[q] * d, d);
            if (untilLoss-- == 0) {
                untilLoss = lossEvery - 1;
                sampled++;
                for (int q = 0; q < m; q++) loss += targetLoss(q == 0 ? 1 : 0, fs[q], Math.exp(-fs[q]));
            }
            Arrays.fill(acc, 0f);
            for (int q = 0; q < m; q++) {
                float g = ((q == 0 ? 1 : 0) - FastFloatMath.sigmoid(fs[q])) * lr;
                KernelRows.step(g, wOut, ts[q] * d, acc, wIn, in, d);
            }
            KernelRows.add(acc, 0, wIn, in, d);
        }
        return sampled == 0 || lossEvery == 1 ? loss : loss * count / sampled;
    }

    /** label − σ(s), given e = exp(−s): −∂L/∂s for the target's term of the loss. */
    static float coefficient(int label, double e) {
        return (float) (label - 1 / (1 + e));
    }

    /** −log σ(s) for label 1, −log σ(−s) = s − log σ(s) for label 0, given e = exp(−s). */
    static double targetLoss(int label, float score, double e) {
        double softplus = Math.log(1 + e);
        return label == 1 ? softplus : softplus + score;
    }

    /**
     * The loss of one pair at the current parameters, without updating: what {@link #trainRows}
     * adds to its total for this pair.
     */
    public double loss(float[] wIn, float[] wOut, int center, int context, int[] negativeIds, int negFrom) {
        int in = center * dim;
        float score = FloatVectors.dot(wIn, in, wOut, context * dim, dim);
        double total = targetLoss(1, score, Math.exp(-score));
        for (int j = negFrom; j < negFrom + negatives; j++) {
            int t = negativeIds[j];
            if (t == context) continue;
            score = FloatVectors.dot(wIn, in, wOut, t * dim, dim);
            total += targetLoss(0, score, Math.exp(-score));
        }
        return total;
    }

    /**
     * The gradient of one pair's loss at the current parameters, without updating, from
     * {@link #coefficient} (exact σ; the update's is within 2·10⁻⁷ of it): ∂L/∂W_in[c] into
     * {@code gradCenter} (dim), and ∂L/∂W_out[t] for the targets in order (context, then each negative) into
     * {@code gradTargets} ((1+k)·dim; a negative equal to the context gets a zero row, its term
     * being skipped). If a word appears twice among the targets, its total gradient is the sum
     * of its rows. Returns the loss.
     */
    public double gradient(float[] wIn, float[] wOut, int center, int context, int[] negativeIds, int negFrom,
                           double[] gradCenter, double[] gradTargets) {
        int in = center * dim;
        Arrays.fill(gradCenter, 0, dim, 0);
        Arrays.fill(gradTargets, 0, (1 + negatives) * dim, 0);
        double total = 0;
        for (int j = -1; j < negatives; j++) {
            int t = j < 0 ? context : negativeIds[negFrom + j];
            int label = j < 0 ? 1 : 0;
            if (j >= 0 && t == context) continue;
            int out = t * dim;
            float score = FloatVectors.dot(wIn, in, wOut, out, dim);
            double e = Math.exp(-score);
            double dLds = -coefficient(label, e);
            int row = (j + 1) * dim;
            for (int i = 0; i < dim; i++) {
                gradCenter[i] += dLds * wOut[out + i];
                gradTargets[row + i] = dLds * wIn[in + i];
            }
            total += targetLoss(label, score, e);
        }
        return total;
    }

    /** word2vec's initialisation of an input row: uniform in [−0.5/dim, 0.5/dim). Output rows start at 0. */
    public static void initInputRow(float[] wIn, int row, int dim, SplitMix64 rng) {
        for (int i = row * dim, end = i + dim; i < end; i++) wIn[i] = (rng.nextFloat() - 0.5f) / dim;
    }
}
