package io.rill.translate;

import io.rill.nn.FastFloatMath;
import io.rill.nn.Vec;

/**
 * Additive (Bahdanau) attention of one decoder row over the n source states of its sentence, forward and backward,
 * in plain loops: the query q = s · W_s comes from one gemm for all rows of a step, the keys k_j = h_j · W_h + b
 * from one gemm per batch ({@link Encoder}), so what is left per row is elementwise:
 *
 * <pre>
 *   u_j = tanh(q + k_j)          (A values per source position, kept for the backward pass)
 *   e_j = v · u_j
 *   α   = softmax(e_0 .. e_{n-1}) over the sentence's n words; positions j ≥ n get α_j = 0
 *   c   = Σ_j α_j h_j
 * </pre>
 *
 * Backward, from dL/dc (and the softmax's own backward, {@link io.rill.nn.Softmax#rowsBackward}, between the two
 * halves):
 *
 * <pre>
 *   dα_j = dc · h_j,  dh_j += α_j dc
 *   de = α ∗ (dα − Σ α dα)
 *   dv += Σ_j de_j u_j,  dpre_j = de_j v ∗ (1 − u_j²),  dk_j += dpre_j,  dq += Σ_j dpre_j
 * </pre>
 *
 * Float models take {@link FastFloatMath}'s tanh, double models (gradient checks) the exact one.
 */
final class AdditiveAttention {

    private AdditiveAttention() {
    }

    /**
     * The scores e_j of one row: {@code q} at {@code queryOffset} (A values), the sentence's keys from row
     * {@code keyRow} of {@code keys} on (n rows of A), {@code v}; writes u into {@code u} from {@code uOffset} (n·A
     * values) and e_j into {@code scores} at {@code scoreOffset} + j.
     */
    static void scores(Vec query, int queryOffset, Vec keys, int keyRow, int n, Vec v, int a, double[] u,
                       int uOffset, Vec scores, int scoreOffset, boolean exact) {
        double[] q = new double[a];
        double[] vv = new double[a];
        for (int k = 0; k < a; k++) {
            q[k] = query.get(queryOffset + k);
            vv[k] = v.get(k);
        }
        for (int j = 0; j < n; j++) {
            int keyBase = (keyRow + j) * a;
            int uBase = uOffset + j * a;
            double e = 0;
            for (int k = 0; k < a; k++) {
                double pre = q[k] + keys.get(keyBase + k);
                double t = exact ? Math.tanh(pre) : FastFloatMath.tanh((float) pre);
                u[uBase + k] = t;
                e += vv[k] * t;
            }
            scores.set(scoreOffset + j, e);
        }
    }

    /**
     * The context c = Σ_j α_j h_j of one row: the weights at {@code alphaOffset} (n of them), the sentence's states
     * from row {@code stateRow} of {@code states} (D wide); written into {@code out} at {@code outOffset}.
     */
    static void context(Vec alpha, int alphaOffset, Vec states, int stateRow, int n, int d, Vec out,
                        int outOffset) {
        double[] c = new double[d];
        for (int j = 0; j < n; j++) {
            double w = alpha.get(alphaOffset + j);
            int base = (stateRow + j) * d;
            for (int k = 0; k < d; k++) {
                c[k] += w * states.get(base + k);
            }
        }
        for (int k = 0; k < d; k++) {
            out.set(outOffset + k, c[k]);
        }
    }

    /**
     * The first half backward: from dL/dc ({@code dContext}, D values) writes dα_j into {@code dAlpha} at
     * {@code alphaOffset} + j and adds α_j dc to the states' gradient rows.
     */
    static void contextBackward(double[] dContext, Vec alpha, int alphaOffset, Vec states, Vec dStates, int stateRow,
                                int n, int d, Vec dAlpha) {
        for (int j = 0; j < n; j++) {
            double w = alpha.get(alphaOffset + j);
            int base = (stateRow + j) * d;
            double dot = 0;
            for (int k = 0; k < d; k++) {
                dot += dContext[k] * states.get(base + k);
                dStates.add(base + k, w * dContext[k]);
            }
            dAlpha.set(alphaOffset + j, dot);
        }
    }

    /**
     * The second half backward, from de_j (at {@code scoreOffset} + j of {@code dScores}): adds to dv, to the keys'
     * gradient rows and to dq ({@code dQuery} at {@code queryOffset}, which it overwrites).
     */
    static void scoresBackward(Vec dScores, int scoreOffset, double[] u, int uOffset, Vec v, int a, int n,
                               Vec dKeys, int keyRow, double[] dv, Vec dQuery, int queryOffset) {
        double[] dq = new double[a];
        double[] vv = new double[a];
        for (int k = 0; k < a; k++) {
            vv[k] = v.get(k);
        }
        for (int j = 0; j < n; j++) {
            double de = dScores.get(scoreOffset + j);
            int uBase = uOffset + j * a;
            int keyBase = (keyRow + j) * a;
            for (int k = 0; k < a; k++) {
                double t = u[uBase + k];
                dv[k] += de * t;
                double dPre = de * vv[k] * (1 - t * t);
                dKeys.add(keyBase + k, dPre);
                dq[k] += dPre;
            }
        }
        for (int k = 0; k < a; k++) {
            dQuery.set(queryOffset + k, dq[k]);
        }
    }
}
