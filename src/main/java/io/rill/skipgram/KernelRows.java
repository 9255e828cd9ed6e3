package io.rill.skipgram;

import io.rill.nn.FloatVectors;

/**
 * The three row loops of the SGNS kernel, over rows of flat float arrays: a dot product, the fused target step
 * (acc += g·out, then out += g·h, reading each element of out once) and y += x. With {@code --add-modules
 * jdk.incubator.vector} on the JVM's command line they run as {@link VectorRows} (measured here about 2× faster for
 * the whole kernel, the dot products being what the JIT does not vectorize on its own); without it, as plain loops.
 * The choice is made once, when this class loads; {@link #VECTOR} says which.
 */
public final class KernelRows {

    /** Whether the Vector API loops run: the module is in the boot layer, and {@code -Drill.skipgram.scalar} is not set. */
    public static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("rill.skipgram.scalar");

    private KernelRows() {
    }

    /** A line for the log: which loops run. */
    public static String describe() {
        return VECTOR ? "Vector API (jdk.incubator.vector), 256-bit lanes"
                : "plain Java loops (start the JVM with --add-modules jdk.incubator.vector for the faster Vector API loops)";
    }

    /** x·y over n floats from the given offsets. */
    public static float dot(float[] x, int xo, float[] y, int yo, int n) {
        return VECTOR ? VectorRows.dot(x, xo, y, yo, n) : FloatVectors.dot(x, xo, y, yo, n);
    }

    /** The target step: acc += g·out[oo..], then out[oo..] += g·h[ho..] (with out's old values in acc). */
    public static void step(float g, float[] out, int oo, float[] acc, float[] h, int ho, int n) {
        if (VECTOR) {
            VectorRows.step(g, out, oo, acc, h, ho, n);
        } else {
            scalarStep(g, out, oo, acc, h, ho, n);
        }
    }

    /** y[yo..] += x[xo..] over n floats. */
    public static void add(float[] x, int xo, float[] y, int yo, int n) {
        if (VECTOR) {
            VectorRows.add(x, xo, y, yo, n);
        } else {
            FloatVectors.axpy(1f, x, xo, y, yo, n);
        }
    }

    static void scalarStep(float g, float[] out, int oo, float[] acc, float[] h, int ho, int n) {
        for (int i = 0; i < n; i++) {
            float u = out[oo + i];
            acc[i] += g * u;
            out[oo + i] = u + g * h[ho + i];
        }
    }
}
