package io.rill.classify;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The few loops the sentence CNN runs over plain arrays, for {@code float[]} (training) and {@code double[]}
 * (gradient checks), so that {@link KimCnn} holds its math once. A is the array type. Each method is a simple
 * counted loop the JIT vectorises; a JVM that trains sees only {@link #FLOATS}, so the calls inline.
 *
 * <p>The array moves to and from ND4J ({@link #read}, {@link #write}) are bulk copies of a contiguous C-order
 * array's memory (a whole array or a range of rows).
 */
abstract class Numbers<A> {

    static final Numbers<float[]> FLOATS = new Floats();
    static final Numbers<double[]> DOUBLES = new Doubles();

    @SuppressWarnings("unchecked")
    static <A> Numbers<A> of(DataType type) {
        return (Numbers<A>) (type == DataType.FLOAT ? FLOATS : DOUBLES);
    }

    abstract A allocate(int n);

    abstract int length(A a);

    abstract double get(A a, int i);

    abstract void set(A a, int i, double v);

    abstract void fill(A a, int from, int n, double v);

    /** y[yo, yo + n) = x[xo, xo + n). */
    abstract void copy(A x, int xo, A y, int yo, int n);

    /** y[yo, yo + n) += x[xo, xo + n). */
    abstract void add(A x, int xo, A y, int yo, int n);

    /** y[yo, yo + n) += a · x[xo, xo + n). */
    abstract void axpy(double a, A x, int xo, A y, int yo, int n);

    abstract double dot(A x, int xo, A y, int yo, int n);

    /** y[yo, yo + n) = x[xo, xo + n) from a float row (base rows are always float). */
    abstract void copyFloats(float[] x, int xo, A y, int yo, int n);

    /** y[yo, yo + n) += x[xo, xo + n) from a float row. */
    abstract void addFloats(float[] x, int xo, A y, int yo, int n);

    /**
     * Where {@code value[vo + i]} beats {@code best[bo + i]}, takes it and records {@code position} in
     * {@code arg[ao + i]}, for i in [0, n): one window's step of max pooling.
     */
    abstract void maxUpdate(A value, int vo, A best, int bo, int[] arg, int ao, int position, int n);

    /**
     * The memory of {@code array} (its NIO buffer from its first element), for {@link #read} and {@link #write}:
     * taken once per array and step, since making the buffer is itself a native call.
     */
    abstract java.nio.Buffer memory(INDArray array);

    /** Copies {@code n} elements of {@code memory} from element {@code from} into {@code to[toOffset..]}. */
    abstract void read(java.nio.Buffer memory, int from, A to, int toOffset, int n);

    /** Copies {@code n} elements of {@code from[fromOffset..]} into {@code memory} at element {@code to}. */
    abstract void write(A from, int fromOffset, java.nio.Buffer memory, int to, int n);

    /** Copies the whole of {@code array} (C order) into {@code to[0..]}. */
    final void read(INDArray array, A to) {
        read(memory(array), 0, to, 0, Math.toIntExact(array.length()));
    }

    /** Copies {@code from[0, array.length())} into the whole of {@code array}. */
    final void write(A from, INDArray array) {
        write(from, 0, memory(array), 0, Math.toIntExact(array.length()));
    }

    private static final class Floats extends Numbers<float[]> {
        @Override
        float[] allocate(int n) {
            return new float[n];
        }

        @Override
        int length(float[] a) {
            return a.length;
        }

        @Override
        double get(float[] a, int i) {
            return a[i];
        }

        @Override
        void set(float[] a, int i, double v) {
            a[i] = (float) v;
        }

        @Override
        void fill(float[] a, int from, int n, double v) {
            java.util.Arrays.fill(a, from, from + n, (float) v);
        }

        @Override
        void copy(float[] x, int xo, float[] y, int yo, int n) {
            System.arraycopy(x, xo, y, yo, n);
        }

        @Override
        void add(float[] x, int xo, float[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] += x[xo + i];
            }
        }

        @Override
        void axpy(double a, float[] x, int xo, float[] y, int yo, int n) {
            float s = (float) a;
            for (int i = 0; i < n; i++) {
                y[yo + i] += s * x[xo + i];
            }
        }

        @Override
        double dot(float[] x, int xo, float[] y, int yo, int n) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i <= n - 4; i += 4) {
                s0 += x[xo + i] * y[yo + i];
                s1 += x[xo + i + 1] * y[yo + i + 1];
                s2 += x[xo + i + 2] * y[yo + i + 2];
                s3 += x[xo + i + 3] * y[yo + i + 3];
            }
            for (; i < n; i++) {
                s0 += x[xo + i] * y[yo + i];
            }
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        void copyFloats(float[] x, int xo, float[] y, int yo, int n) {
            System.arraycopy(x, xo, y, yo, n);
        }

        @Override
        void addFloats(float[] x, int xo, float[] y, int yo, int n) {
            add(x, xo, y, yo, n);
        }

        @Override
        void maxUpdate(float[] value, int vo, float[] best, int bo, int[] arg, int ao, int position, int n) {
            for (int i = 0; i < n; i++) {
                float v = value[vo + i];
                if (v > best[bo + i]) {
                    best[bo + i] = v;
                    arg[ao + i] = position;
                }
            }
        }

        @Override
        java.nio.Buffer memory(INDArray array) {
            requireType(array, DataType.FLOAT);
            return array.data().asNioFloat().position(Math.toIntExact(array.offset())).slice();
        }

        @Override
        void read(java.nio.Buffer memory, int from, float[] to, int toOffset, int n) {
            ((FloatBuffer) memory).get(from, to, toOffset, n);
        }

        @Override
        void write(float[] from, int fromOffset, java.nio.Buffer memory, int to, int n) {
            ((FloatBuffer) memory).put(to, from, fromOffset, n);
        }
    }

    private static final class Doubles extends Numbers<double[]> {
        @Override
        double[] allocate(int n) {
            return new double[n];
        }

        @Override
        int length(double[] a) {
            return a.length;
        }

        @Override
        double get(double[] a, int i) {
            return a[i];
        }

        @Override
        void set(double[] a, int i, double v) {
            a[i] = v;
        }

        @Override
        void fill(double[] a, int from, int n, double v) {
            java.util.Arrays.fill(a, from, from + n, v);
        }

        @Override
        void copy(double[] x, int xo, double[] y, int yo, int n) {
            System.arraycopy(x, xo, y, yo, n);
        }

        @Override
        void add(double[] x, int xo, double[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] += x[xo + i];
            }
        }

        @Override
        void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] += a * x[xo + i];
            }
        }

        @Override
        double dot(double[] x, int xo, double[] y, int yo, int n) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += x[xo + i] * y[yo + i];
            }
            return s;
        }

        @Override
        void copyFloats(float[] x, int xo, double[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = x[xo + i];
            }
        }

        @Override
        void addFloats(float[] x, int xo, double[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] += x[xo + i];
            }
        }

        @Override
        void maxUpdate(double[] value, int vo, double[] best, int bo, int[] arg, int ao, int position, int n) {
            for (int i = 0; i < n; i++) {
                double v = value[vo + i];
                if (v > best[bo + i]) {
                    best[bo + i] = v;
                    arg[ao + i] = position;
                }
            }
        }

        @Override
        java.nio.Buffer memory(INDArray array) {
            requireType(array, DataType.DOUBLE);
            return array.data().asNioDouble().position(Math.toIntExact(array.offset())).slice();
        }

        @Override
        void read(java.nio.Buffer memory, int from, double[] to, int toOffset, int n) {
            ((DoubleBuffer) memory).get(from, to, toOffset, n);
        }

        @Override
        void write(double[] from, int fromOffset, java.nio.Buffer memory, int to, int n) {
            ((DoubleBuffer) memory).put(to, from, fromOffset, n);
        }
    }

    private static void requireType(INDArray array, DataType type) {
        if (array.dataType() != type || array.ordering() != 'c') {
            throw new IllegalArgumentException("expected a C-order " + type + " array, got "
                    + array.shapeInfoToString());
        }
    }
}
