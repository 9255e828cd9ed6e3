package io.rill.skipgram.query;

import io.rill.skipgram.SplitMix64;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A two-dimensional principal-component projection of chosen words' vectors, for pictures such as
 * countries and their capitals: the 2-D coordinates of each word, the two principal axes, and the
 * share of the chosen vectors' total variance that each axis explains.
 *
 * <p>The chosen vectors are centred on their mean and their d×d covariance is built in double
 * precision. The top eigenvector is found by power iteration, its part is deflated from the
 * covariance (C − λ·v·vᵀ), and the second is found the same way, kept orthogonal to the first. For a
 * few dozen words of dimension 100 that is a few milliseconds. Each axis's sign is fixed so that its
 * entry of largest magnitude is positive (the first such entry on ties): the same words give the same
 * picture every time. The iteration starts from a fixed vector, so the result is deterministic.
 *
 * <p>Words the snapshot does not hold are skipped and listed in {@link #skipped()}; repeated words
 * count once. At least two distinct known words are needed.
 */
public final class PcaProjection {
    private static final int MAX_ITERATIONS = 10_000;
    private static final double TOLERANCE = 1e-12;
    private static final long START_SEED = 0x5EED_0F_9CAL;

    private final List<String> words;
    private final double[] x;
    private final double[] y;
    private final double[][] axes;
    private final double[] explained;
    private final List<String> skipped;

    private PcaProjection(List<String> words, double[] x, double[] y, double[][] axes, double[] explained,
                          List<String> skipped) {
        this.words = List.copyOf(words);
        this.x = x;
        this.y = y;
        this.axes = axes;
        this.explained = explained;
        this.skipped = List.copyOf(skipped);
    }

    /** Projects the raw vectors of {@code chosen}. */
    public static PcaProjection of(EmbeddingSnapshot snapshot, List<String> chosen) {
        return of(snapshot, chosen, false);
    }

    /**
     * Projects the vectors of {@code chosen}, each first scaled to unit length if
     * {@code unitVectors} (then the picture reflects cosine similarity rather than vector length,
     * which in word2vec grows with frequency).
     *
     * @throws IllegalArgumentException if fewer than two distinct chosen words are known
     */
    public static PcaProjection of(EmbeddingSnapshot snapshot, List<String> chosen, boolean unitVectors) {
        List<String> known = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String word : new LinkedHashSet<>(chosen)) (snapshot.contains(word) ? known : skipped).add(word);
        if (known.size() < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 known words, got " + known
                    + (skipped.isEmpty() ? "" : "; unknown: " + String.join(", ", skipped)));
        }
        int n = known.size(), d = snapshot.dim();
        double[][] rows = new double[n][];
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            rows[r] = vectorOf(snapshot, known.get(r), unitVectors);
            for (int i = 0; i < d; i++) mean[i] += rows[r][i] / n;
        }
        for (double[] row : rows) for (int i = 0; i < d; i++) row[i] -= mean[i];

        double[][] cov = new double[d][d];
        for (double[] row : rows) {
            for (int i = 0; i < d; i++) {
                double ri = row[i];
                if (ri == 0) continue;
                for (int j = 0; j < d; j++) cov[i][j] += ri * row[j];
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++) trace += cov[i][i];

        // Below this, M·v is rounding noise left by the deflation, not a direction.
        double negligible = 1e-12 * trace;
        double[] first = topEigenvector(cov, null, negligible);
        double lambda1 = rayleigh(cov, first);
        deflate(cov, first, lambda1);
        double[] second = topEigenvector(cov, first, negligible);
        double lambda2 = Math.max(0, rayleigh(cov, second));

        double[] xs = new double[n], ys = new double[n];
        for (int r = 0; r < n; r++) {
            xs[r] = dot(rows[r], first);
            ys[r] = dot(rows[r], second);
        }
        double[] shares = new double[2];
        if (trace > 0) { // clamped so that rounding can never make the shares exceed the whole
            shares[0] = Math.min(1, Math.max(0, lambda1 / trace));
            shares[1] = Math.min(1 - shares[0], lambda2 / trace);
        }
        return new PcaProjection(known, xs, ys, new double[][] {first, second}, shares, skipped);
    }

    /** The projected words, in the order first chosen. */
    public List<String> words() {
        return words;
    }

    /** Coordinate of word i on the first principal axis. */
    public double x(int i) {
        return x[i];
    }

    /** Coordinate of word i on the second principal axis. */
    public double y(int i) {
        return y[i];
    }

    /** A copy of principal axis {@code component} (0 or 1): a unit vector of the embedding's dimension. */
    public double[] axis(int component) {
        return axes[component].clone();
    }

    /** The share (0..1) of the chosen vectors' total variance along axis {@code component} (0 or 1). */
    public double explainedVariance(int component) {
        return explained[component];
    }

    /** Chosen words the snapshot does not hold. */
    public List<String> skipped() {
        return skipped;
    }

    private static double[] vectorOf(EmbeddingSnapshot snapshot, String word, boolean unit) {
        float[] v = snapshot.vector(word).orElseThrow();
        double norm = 0;
        for (float f : v) norm += (double) f * f;
        double scale = unit && norm > 0 ? 1 / Math.sqrt(norm) : 1;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] * scale;
        return out;
    }

    /**
     * The dominant eigenvector of the symmetric positive semi-definite {@code m} by power iteration,
     * orthogonal to {@code orthogonalTo} if given. Once |m·v| is at most {@code negligible}, m
     * vanishes on what is left (rank-deficient data) and the current v, an eigenvector of about 0,
     * is returned rather than a normalised rounding error.
     */
    private static double[] topEigenvector(double[][] m, double[] orthogonalTo, double negligible) {
        int d = m.length;
        double[] v = new double[d];
        // A fixed pseudo-random start: deterministic, and almost never orthogonal to the answer.
        SplitMix64 rng = new SplitMix64(START_SEED);
        for (int i = 0; i < d; i++) v[i] = rng.nextDouble() - 0.5;
        for (int basis = 0; !normalise(removeAlong(v, orthogonalTo), 1e-9) && basis < d; basis++) {
            v = new double[d];
            v[basis] = 1;
        }
        double[] next = new double[d];
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            for (int i = 0; i < d; i++) next[i] = dot(m[i], v);
            if (!normalise(removeAlong(next, orthogonalTo), negligible)) break;
            double change = 0;
            for (int i = 0; i < d; i++) change += (next[i] - v[i]) * (next[i] - v[i]);
            double[] t = v;
            v = next;
            next = t;
            if (change < TOLERANCE * TOLERANCE) break;
        }
        fixSign(v);
        return v;
    }

    /** v minus its component along {@code axis} (none if null), in place; returns v. */
    private static double[] removeAlong(double[] v, double[] axis) {
        if (axis == null) return v;
        double along = dot(v, axis);
        for (int i = 0; i < v.length; i++) v[i] -= along * axis[i];
        return v;
    }

    /** Scales v to unit length in place, unless its length is at most {@code floor}; says which. */
    private static boolean normalise(double[] v, double floor) {
        double norm = Math.sqrt(dot(v, v));
        if (norm <= floor) return false;
        for (int i = 0; i < v.length; i++) v[i] /= norm;
        return true;
    }

    private static void deflate(double[][] m, double[] v, double lambda) {
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m.length; j++) m[i][j] -= lambda * v[i] * v[j];
    }

    private static double rayleigh(double[][] m, double[] v) {
        double s = 0;
        for (int i = 0; i < m.length; i++) s += v[i] * dot(m[i], v);
        return s;
    }

    /** Makes the entry of largest magnitude positive. */
    private static void fixSign(double[] v) {
        int top = 0;
        for (int i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[top])) top = i;
        if (v[top] < 0) for (int i = 0; i < v.length; i++) v[i] = -v[i];
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
