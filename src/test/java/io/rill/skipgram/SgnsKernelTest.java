package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SgnsKernelTest {
    private static final int DIM = 8;
    private static final int K = 3;
    private static final int ROWS = 12;

    private static float[] randomMatrix(int rows, int dim, float scale, SplitMix64 rng) {
        float[] m = new float[rows * dim];
        for (int i = 0; i < m.length; i++) m[i] = (rng.nextFloat() * 2 - 1) * scale;
        return m;
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** The pair loss in double precision, written out independently of the kernel. */
    private static double referenceLoss(double[] h, double[][] targets, int[] labels, boolean[] skipped) {
        double loss = 0;
        for (int t = 0; t < targets.length; t++) {
            if (skipped[t]) continue;
            double s = 0;
            for (int i = 0; i < h.length; i++) s += h[i] * targets[t][i];
            loss += labels[t] == 1 ? softplus(-s) : softplus(s);
        }
        return loss;
    }

    private static double[] row(float[] m, int r) {
        double[] out = new double[DIM];
        for (int i = 0; i < DIM; i++) out[i] = m[r * DIM + i];
        return out;
    }

    /**
     * Central differences of the double-precision loss against the kernel's analytic gradient, for
     * W_in[c] and each target row of W_out; includes a repeated negative and one equal to the
     * context (skipped).
     */
    @Test
    void gradientMatchesFiniteDifferencesOfTheLoss() {
        SplitMix64 rng = new SplitMix64(17);
        float[] wIn = randomMatrix(ROWS, DIM, 0.6f, rng);
        float[] wOut = randomMatrix(ROWS, DIM, 0.6f, rng);
        SgnsKernel kernel = new SgnsKernel(DIM, K);
        int center = 2, context = 5;
        for (int[] negatives : new int[][] {{1, 7, 9}, {4, 4, 11}, {3, 5, 8}}) {
            double[] gradCenter = new double[DIM];
            double[] gradTargets = new double[(1 + K) * DIM];
            double kernelLoss = kernel.gradient(wIn, wOut, center, context, negatives, 0, gradCenter, gradTargets);

            // The distinct output rows touched, with the gradient summed over repeated uses.
            int[] targetIds = {context, negatives[0], negatives[1], negatives[2]};
            int[] labels = {1, 0, 0, 0};
            boolean[] skipped = new boolean[4];
            for (int t = 1; t < 4; t++) skipped[t] = targetIds[t] == context;

            double[] h = row(wIn, center);
            double[][] targets = new double[4][];
            for (int t = 0; t < 4; t++) targets[t] = row(wOut, targetIds[t]);
            double loss = referenceLoss(h, targets, labels, skipped);
            assertThat(kernelLoss).isCloseTo(loss, within(1e-5));
            assertThat(kernel.loss(wIn, wOut, center, context, negatives, 0)).isCloseTo(loss, within(1e-5));

            double eps = 1e-5;
            for (int i = 0; i < DIM; i++) {
                double keep = h[i];
                h[i] = keep + eps;
                double up = referenceLoss(h, targets, labels, skipped);
                h[i] = keep - eps;
                double down = referenceLoss(h, targets, labels, skipped);
                h[i] = keep;
                assertThat(gradCenter[i]).as("dL/dW_in[c][%d]", i).isCloseTo((up - down) / (2 * eps), within(1e-5));
            }
            for (int t = 0; t < 4; t++) {
                if (skipped[t]) {
                    for (int i = 0; i < DIM; i++) assertThat(gradTargets[t * DIM + i]).isZero();
                    continue;
                }
                for (int i = 0; i < DIM; i++) {
                    // Perturb the word's row everywhere it appears among the targets.
                    double keep = targets[t][i];
                    double[][] plus = perturbed(targets, targetIds, targetIds[t], i, keep + eps);
                    double[][] minus = perturbed(targets, targetIds, targetIds[t], i, keep - eps);
                    double numeric = (referenceLoss(h, plus, labels, skipped) - referenceLoss(h, minus, labels, skipped)) / (2 * eps);
                    double analytic = 0;
                    for (int u = 0; u < 4; u++) if (targetIds[u] == targetIds[t]) analytic += gradTargets[u * DIM + i];
                    assertThat(analytic).as("dL/dW_out[%d][%d]", targetIds[t], i).isCloseTo(numeric, within(1e-5));
                }
            }
        }
    }

    private static double[][] perturbed(double[][] targets, int[] ids, int id, int i, double value) {
        double[][] out = new double[targets.length][];
        for (int t = 0; t < targets.length; t++) {
            out[t] = targets[t].clone();
            if (ids[t] == id) out[t][i] = value;
        }
        return out;
    }

    /**
     * One update moves every touched row by −lr times its gradient, and nothing else; a negative
     * equal to the context is skipped by the update exactly as by the gradient.
     */
    @Test
    void updateIsMinusLearningRateTimesTheGradient() {
        int center = 4, context = 0;
        for (int[] negatives : new int[][] {{6, 10, 3}, {6, 0, 3}}) {
            SplitMix64 rng = new SplitMix64(23);
            float[] wIn = randomMatrix(ROWS, DIM, 0.6f, rng);
            float[] wOut = randomMatrix(ROWS, DIM, 0.6f, rng);
            SgnsKernel kernel = new SgnsKernel(DIM, K);
            double[] gradCenter = new double[DIM];
            double[] gradTargets = new double[(1 + K) * DIM];
            double loss = kernel.gradient(wIn, wOut, center, context, negatives, 0, gradCenter, gradTargets);
            float[] in0 = wIn.clone(), out0 = wOut.clone();

            PairBuffer pair = new PairBuffer();
            pair.add(center, context);
            float lr = 0.05f;
            assertThat(kernel.train(wIn, wOut, pair, negatives, lr)).isCloseTo(loss, within(1e-6));

            int[] targetIds = {context, negatives[0], negatives[1], negatives[2]};
            for (int r = 0; r < ROWS; r++) {
                for (int i = 0; i < DIM; i++) {
                    double expectedIn = r == center ? in0[r * DIM + i] - lr * gradCenter[i] : in0[r * DIM + i];
                    assertThat((double) wIn[r * DIM + i]).isCloseTo(expectedIn, within(1e-6));
                    double expectedOut = out0[r * DIM + i];
                    for (int t = 0; t < 4; t++) if (targetIds[t] == r) expectedOut -= lr * gradTargets[t * DIM + i];
                    assertThat((double) wOut[r * DIM + i]).as("W_out[%d][%d]", r, i).isCloseTo(expectedOut, within(1e-6));
                }
            }
            // and the loss went down
            assertThat(kernel.loss(wIn, wOut, center, context, negatives, 0)).isLessThan(loss);
        }
    }

    /**
     * Training on pulled local rows then adding the deltas gives the matrices that training in
     * place gives: the local rows match bit for bit, the added deltas to float rounding.
     */
    @Test
    void sparseDeltasReproduceTheInPlaceUpdate() {
        int rows = 40, dim = 16, k = 5;
        SplitMix64 rng = new SplitMix64(31);
        float[] denseIn = randomMatrix(rows, dim, 0.3f, rng);
        float[] denseOut = randomMatrix(rows, dim, 0.3f, rng);
        SgnsKernel kernel = new SgnsKernel(dim, k);
        SparseBatch sparse = new SparseBatch(dim, k);

        // Two batches through the same SparseBatch: a small one, then one that makes its blocks grow.
        for (int size : new int[] {30, 600}) {
            PairBuffer pairs = new PairBuffer(2);
            for (int p = 0; p < size; p++) pairs.add(rng.nextInt(rows), rng.nextInt(rows)); // repeats galore
            int[] negatives = new int[size * k];
            for (int j = 0; j < negatives.length; j++) negatives[j] = rng.nextInt(rows); // some equal the context
            float[] pushedIn = denseIn.clone(), pushedOut = denseOut.clone();

            sparse.plan(pairs, negatives);
            sparse.input().pullFrom(pushedIn);
            sparse.output().pullFrom(pushedOut);
            double sparseLoss = sparse.train(kernel, 0.1f);
            double denseLoss = kernel.train(denseIn, denseOut, pairs, negatives, 0.1f);

            assertLocalRowsEqual(sparse.input(), denseIn);
            assertLocalRowsEqual(sparse.output(), denseOut);
            assertThat(sparseLoss).isEqualTo(denseLoss);
            sparse.input().addDeltasTo(pushedIn);
            sparse.output().addDeltasTo(pushedOut);
            for (int i = 0; i < denseIn.length; i++) {
                assertThat(pushedIn[i]).isCloseTo(denseIn[i], within(1e-6f));
                assertThat(pushedOut[i]).isCloseTo(denseOut[i], within(1e-6f));
            }
        }
        assertThat(sparse.output().size()).isEqualTo(rows); // every output row was touched and listed once
    }

    private static void assertLocalRowsEqual(RowBlock block, float[] dense) {
        int dim = block.dim();
        for (int r = 0; r < block.size(); r++) {
            int id = block.ids()[r];
            for (int i = 0; i < dim; i++) {
                assertThat(block.values()[r * dim + i]).as("row of word %d", id).isEqualTo(dense[id * dim + i]);
            }
        }
    }

    @Test
    void rowBlockListsEachWordOnceAndDeltasAreNewMinusPulled() {
        RowBlock block = new RowBlock(2);
        float[] matrix = {0, 1, 10, 11, 20, 21, 30, 31};
        assertThat(block.rowOf(3)).isZero();
        assertThat(block.rowOf(1)).isEqualTo(1);
        assertThat(block.rowOf(3)).isZero();
        assertThat(block.size()).isEqualTo(2);
        block.pullFrom(matrix);
        assertThat(block.values()).startsWith(30, 31, 10, 11);
        block.values()[1] += 0.5f;
        assertThat(block.deltas()).startsWith(0, 0.5f, 0, 0);
        block.clear();
        assertThat(block.size()).isZero();
        assertThat(block.rowOf(1)).isZero();
    }
}
