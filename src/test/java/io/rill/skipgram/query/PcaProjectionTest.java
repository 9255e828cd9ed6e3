package io.rill.skipgram.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PcaProjectionTest {
    private static final int D = 6;

    /** u and w: orthonormal, u's largest entry positive (so the sign convention keeps +u). */
    private static final double[] U = unit(new double[] {1, 2, 0, -1, 0, 3});
    private static final double[] W = unit(orthogonalise(new double[] {0, 1, 1, 1, 0, 0}, U));
    private static final double[] MEAN = {5, -4, 3, 2, 1, 7};

    /**
     * Four points mean + a·u + b·w for a = ±3, b = ±1: the covariance is 36·uuᵀ + 4·wwᵀ (the cross
     * terms cancel), so the axes are exactly u and w and the shares exactly 0.9 and 0.1.
     */
    static EmbeddingSnapshot square() {
        double[][] ab = {{3, 1}, {3, -1}, {-3, 1}, {-3, -1}};
        String[] words = {"p", "q", "r", "s"};
        float[] v = new float[words.length * D];
        for (int r = 0; r < ab.length; r++) {
            for (int i = 0; i < D; i++) v[r * D + i] = (float) (MEAN[i] + ab[r][0] * U[i] + ab[r][1] * W[i]);
        }
        return EmbeddingSnapshot.wrap(words, v, D, 0, 0);
    }

    @Test
    void recoversTheKnownAxesCoordinatesAndShares() {
        PcaProjection p = PcaProjection.of(square(), List.of("p", "q", "r", "s"));
        assertThat(p.axis(0)).containsExactly(U, within(1e-5));
        double[] second = p.axis(1);
        assertThat(Math.abs(dot(second, W))).isCloseTo(1, within(1e-6));
        assertThat(p.explainedVariance(0)).isCloseTo(0.9, within(1e-6));
        assertThat(p.explainedVariance(1)).isCloseTo(0.1, within(1e-6));
        assertThat(p.explainedVariance(0) + p.explainedVariance(1)).isLessThanOrEqualTo(1.0);
        double sign = Math.signum(dot(second, W));
        double[][] expected = {{3, 1}, {3, -1}, {-3, 1}, {-3, -1}};
        for (int i = 0; i < 4; i++) {
            assertThat(p.x(i)).isCloseTo(expected[i][0], within(1e-4));
            assertThat(p.y(i)).isCloseTo(sign * expected[i][1], within(1e-4));
        }
    }

    @Test
    void axesAreOrthonormalEigenvectorsOfRandomDataAndSharesAreOrdered() {
        Random random = new Random(3);
        int n = 30, d = 10;
        String[] words = new String[n];
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) words[i] = "w" + i;
        for (int i = 0; i < v.length; i++) v[i] = (float) (random.nextGaussian() * (1 + i % d)); // spread differs per dim
        PcaProjection p = PcaProjection.of(EmbeddingSnapshot.wrap(words, v, d, 0, 0), List.of(words));

        double[][] cov = covariance(v, n, d);
        double trace = 0;
        for (int i = 0; i < d; i++) trace += cov[i][i];
        for (int c = 0; c < 2; c++) {
            double[] axis = p.axis(c);
            assertThat(dot(axis, axis)).isCloseTo(1, within(1e-9));
            double[] cv = times(cov, axis);
            double lambda = dot(axis, cv);
            for (int i = 0; i < d; i++) assertThat(cv[i]).isCloseTo(lambda * axis[i], within(1e-6 * lambda));
            assertThat(p.explainedVariance(c)).isCloseTo(lambda / trace, within(1e-9));
            assertThat(axis[argMaxAbs(axis)]).isPositive();
        }
        assertThat(dot(p.axis(0), p.axis(1))).isCloseTo(0, within(1e-9));
        assertThat(p.explainedVariance(0)).isGreaterThanOrEqualTo(p.explainedVariance(1)).isLessThan(1);
        assertThat(p.explainedVariance(1)).isPositive();
        assertThat(p.explainedVariance(0) + p.explainedVariance(1)).isLessThanOrEqualTo(1.0);
        // no unit direction carries more variance than the first axis
        for (int t = 0; t < 200; t++) {
            double[] dir = new double[d];
            for (int i = 0; i < d; i++) dir[i] = random.nextGaussian();
            dir = unit(dir);
            assertThat(dot(dir, times(cov, dir)) / trace).isLessThanOrEqualTo(p.explainedVariance(0) + 1e-12);
        }
    }

    @Test
    void unknownAndRepeatedWordsAreSkippedAndListed() {
        PcaProjection p = PcaProjection.of(square(), List.of("p", "atlantis", "q", "p", "r", "s", "eldorado"));
        assertThat(p.words()).containsExactly("p", "q", "r", "s");
        assertThat(p.skipped()).containsExactly("atlantis", "eldorado");
        assertThatThrownBy(() -> PcaProjection.of(square(), List.of("p", "atlantis")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("atlantis");
    }

    @Test
    void isDeterministic() {
        List<String> words = List.of("s", "q", "p", "r");
        PcaProjection a = PcaProjection.of(square(), words), b = PcaProjection.of(square(), words);
        for (int i = 0; i < words.size(); i++) {
            assertThat(a.x(i)).isEqualTo(b.x(i));
            assertThat(a.y(i)).isEqualTo(b.y(i));
        }
    }

    @Test
    void unitVectorModeIgnoresVectorLength() {
        String[] words = {"a", "b", "c", "long-a"};
        float[] v = {1, 0, 0, 0, 1, 0, 0, 0, 1, 10, 0, 0};
        EmbeddingSnapshot s = EmbeddingSnapshot.wrap(words, v, 3, 0, 0);
        PcaProjection unit = PcaProjection.of(s, List.of(words), true);
        assertThat(unit.x(3)).isCloseTo(unit.x(0), within(1e-9));
        assertThat(unit.y(3)).isCloseTo(unit.y(0), within(1e-9));
        PcaProjection raw = PcaProjection.of(s, List.of(words), false);
        assertThat(Math.hypot(raw.x(3) - raw.x(0), raw.y(3) - raw.y(0))).isGreaterThan(8);
    }

    @Test
    void collinearPointsPutAllVarianceOnTheFirstAxis() {
        float[] v = {0, 0, 1, 2, 2, 4, 3, 6};
        PcaProjection p = PcaProjection.of(EmbeddingSnapshot.wrap(new String[] {"a", "b", "c", "d"}, v, 2, 0, 0),
                List.of("a", "b", "c", "d"));
        assertThat(p.explainedVariance(0)).isCloseTo(1, within(1e-12));
        assertThat(p.explainedVariance(1)).isCloseTo(0, within(1e-12));
        assertThat(p.axis(0)).containsExactly(new double[] {1 / Math.sqrt(5), 2 / Math.sqrt(5)}, within(1e-9));
        for (int i = 0; i < 4; i++) assertThat(p.y(i)).isCloseTo(0, within(1e-9));
    }

    private static double[][] covariance(float[] v, int n, int d) {
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) for (int i = 0; i < d; i++) mean[i] += v[r * d + i] / (double) n;
        double[][] cov = new double[d][d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) cov[i][j] += (v[r * d + i] - mean[i]) * (v[r * d + j] - mean[j]);
            }
        }
        return cov;
    }

    private static double[] times(double[][] m, double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = dot(m[i], x);
        return out;
    }

    private static int argMaxAbs(double[] v) {
        int top = 0;
        for (int i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[top])) top = i;
        return top;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double[] unit(double[] v) {
        double n = Math.sqrt(dot(v, v));
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] / n;
        return out;
    }

    private static double[] orthogonalise(double[] v, double[] against) {
        double along = dot(v, against);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] - along * against[i];
        return out;
    }
}
