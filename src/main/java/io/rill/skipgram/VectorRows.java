package io.rill.skipgram;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KernelRows}'s loops written with the incubating Vector API ({@code jdk.incubator.vector}): 256-bit lanes
 * (8 floats), the remainder of a row in plain Java. Loaded only when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}; nothing else may refer to this class.
 *
 * <p>Why: C2 does not vectorize a float dot product written as a plain loop (the sum's order is fixed, so it stays a
 * chain of scalar adds), and the kernel's time is mostly dot products. Lane-wise partial sums reduced once at the
 * end change the order of the additions, so results differ from the scalar loop in the last bits.
 */
final class VectorRows {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();

    private VectorRows() {
    }

    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.zero(S);
        FloatVector b = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            a = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), a);
            b = FloatVector.fromArray(S, x, xo + i + L).fma(FloatVector.fromArray(S, y, yo + i + L), b);
        }
        if (i + L <= n) {
            a = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), a);
            i += L;
        }
        float s = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += x[xo + i] * y[yo + i];
        }
        return s;
    }

    static void step(float g, float[] out, int oo, float[] acc, float[] h, int ho, int n) {
        FloatVector gv = FloatVector.broadcast(S, g);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector u = FloatVector.fromArray(S, out, oo + i);
            u.fma(gv, FloatVector.fromArray(S, acc, i)).intoArray(acc, i);
            FloatVector.fromArray(S, h, ho + i).fma(gv, u).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            float u = out[oo + i];
            acc[i] += g * u;
            out[oo + i] = u + g * h[ho + i];
        }
    }

    static void add(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += x[xo + i];
        }
    }
}
