package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.FloatVectors;
import org.junit.jupiter.api.Test;

/**
 * The kernel's row loops (Vector API and plain) against straightforward double-precision loops, at every length that
 * exercises a different mix of whole lanes and remainder; and the kernel's sampled loss and its handling of a
 * repeated negative.
 */
class KernelRowsTest {

    private static float[] random(int n, SplitMix64 rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextFloat() * 2 - 1;
        return v;
    }

    @Test
    void theTestsRunWithTheVectorApiLoops() {
        // surefire and failsafe start the JVM with --add-modules jdk.incubator.vector (pom.xml)
        assertThat(KernelRows.VECTOR).as(KernelRows.describe()).isTrue();
    }

    @Test
    void dotStepAndAddMatchPlainLoopsAtEveryLength() {
        SplitMix64 rng = new SplitMix64(3);
        for (int n = 0; n <= 70; n++) {
            for (int offset : new int[] {0, 3}) {
                float[] x = random(n + 2 * offset, rng), y = random(n + 2 * offset, rng);
                double expected = 0;
                for (int i = 0; i < n; i++) expected += (double) x[offset + i] * y[offset + i];
                assertThat((double) VectorRows.dot(x, offset, y, offset, n)).as("vector dot, n %d", n)
                        .isCloseTo(expected, within(1e-5));
                assertThat((double) FloatVectors.dot(x, offset, y, offset, n)).as("plain dot, n %d", n)
                        .isCloseTo(expected, within(1e-5));
                assertThat((double) KernelRows.dot(x, offset, y, offset, n)).isCloseTo(expected, within(1e-5));

                float g = rng.nextFloat() - 0.5f;
                float[] out = random(n + offset, rng), acc = random(n, rng), h = random(n + offset, rng);
                float[] out2 = out.clone(), acc2 = acc.clone();
                VectorRows.step(g, out, offset, acc, h, offset, n);
                KernelRows.scalarStep(g, out2, offset, acc2, h, offset, n);
                for (int i = 0; i < n; i++) {
                    assertThat(acc[i]).as("step's acc, n %d", n).isCloseTo(acc2[i], within(1e-6f));
                    assertThat(out[offset + i]).as("step's out, n %d", n).isCloseTo(out2[offset + i], within(1e-6f));
                }
                float[] sum = out.clone();
                VectorRows.add(acc, 0, sum, offset, n);
                for (int i = 0; i < n + offset; i++) {
                    float want = i >= offset ? out[i] + acc[i - offset] : out[i];
                    assertThat(sum[i]).as("add, n %d", n).isEqualTo(want);
                }
            }
        }
    }

    @Test
    void sampledLossTrainsTheSameRowsAndEstimatesTheLossFromEveryNthPair() {
        int rows = 30, dim = 20, k = 5, pairs = 200;
        SplitMix64 rng = new SplitMix64(8);
        float[] wIn = random(rows * dim, rng), wOut = random(rows * dim, rng);
        int[] centers = new int[pairs], contexts = new int[pairs], negatives = new int[pairs * k];
        for (int p = 0; p < pairs; p++) {
            centers[p] = rng.nextInt(rows);
            contexts[p] = rng.nextInt(rows);
        }
        for (int j = 0; j < negatives.length; j++) negatives[j] = rng.nextInt(rows);
        SgnsKernel kernel = new SgnsKernel(dim, k);

        // The loss of every pair, each at the parameters it was trained on.
        float[] in1 = wIn.clone(), out1 = wOut.clone();
        double[] each = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            each[p] = kernel.trainRows(in1, out1, new int[] {centers[p]}, new int[] {contexts[p]},
                    java.util.Arrays.copyOfRange(negatives, p * k, p * k + k), 1, 0.1f);
        }
        float[] in7 = wIn.clone(), out7 = wOut.clone();
        double estimate = kernel.trainRows(in7, out7, centers, contexts, negatives, pairs, 0.1f, 7);
        assertThat(in7).isEqualTo(in1);
        assertThat(out7).isEqualTo(out1);
        double sampled = 0;
        int n = 0;
        for (int p = 0; p < pairs; p += 7) {
            sampled += each[p];
            n++;
        }
        assertThat(estimate).isCloseTo(sampled * pairs / n, within(1e-9 * pairs));
        double all = 0;
        for (double l : each) all += l;
        float[] inAll = wIn.clone(), outAll = wOut.clone();
        assertThat(kernel.trainRows(inAll, outAll, centers, contexts, negatives, pairs, 0.1f))
                .isCloseTo(all, within(1e-9 * pairs));
    }

    /**
     * A negative drawn twice counts twice, both scored on the rows before the pair's update: the output rows move by
     * exactly −lr times the gradient; the center's step reads the repeated row after its first step (as word2vec's
     * loop does), so it differs from the gradient step by a term of order lr².
     */
    @Test
    void aRepeatedNegativeIsScoredTwiceOnTheRowsBeforeTheUpdate() {
        int rows = 6, dim = 8, k = 3;
        SplitMix64 rng = new SplitMix64(12);
        float[] wIn = random(rows * dim, rng), wOut = random(rows * dim, rng);
        int[] negatives = {4, 4, 1};
        SgnsKernel kernel = new SgnsKernel(dim, k);
        double[] gradCenter = new double[dim], gradTargets = new double[(1 + k) * dim];
        double loss = kernel.gradient(wIn, wOut, 2, 3, negatives, 0, gradCenter, gradTargets);
        float[] in0 = wIn.clone(), out0 = wOut.clone();
        float lr = 0.05f;
        assertThat(kernel.trainRows(wIn, wOut, new int[] {2}, new int[] {3}, negatives, 1, lr))
                .isCloseTo(loss, within(1e-6));
        int[] targetIds = {3, 4, 4, 1};
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < dim; i++) {
                double in = r == 2 ? in0[r * dim + i] - lr * gradCenter[i] : in0[r * dim + i];
                assertThat((double) wIn[r * dim + i]).isCloseTo(in, within(2.0 * lr * lr));
                double out = out0[r * dim + i];
                for (int t = 0; t < targetIds.length; t++) if (targetIds[t] == r) out -= lr * gradTargets[t * dim + i];
                assertThat((double) wOut[r * dim + i]).as("W_out[%d][%d]", r, i).isCloseTo(out, within(1e-6));
            }
        }
    }
}
