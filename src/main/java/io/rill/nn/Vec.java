package io.rill.nn;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flat read/write access to the native memory behind a contiguous C-order ND4J array, as doubles whatever the
 * storage type.
 *
 * <p>Why it exists: one small ND4J op costs tens of microseconds of dispatch, so the networks keep ND4J for the matrix
 * products only and do every elementwise step (gate nonlinearities, softmax, optimizers) in plain Java loops over
 * these views. There is no copy: writes land in the array that the next gemm reads. Two implementations (float and
 * double storage) keep one copy of the math for training in float and gradient checking in double; a JVM that only
 * ever sees one of them inlines the calls completely. The float view also copies ranges to and from plain arrays in
 * bulk, for the loops worth vectorising (the LSTM's forward gates, see {@link LstmCell}; {@link Adam}'s update).
 *
 * <p>A view keeps its array reachable: the NIO buffer alone does not, and once ND4J's collector frees an array that
 * nothing else holds, a write through the buffer lands in freed native memory (it corrupted the C heap of a node whose
 * dropout masks were held by their views only).
 */
public interface Vec {

  double get(int i);

  void set(int i, double v);

  int length();

  default void add(int i, double v) {
    set(i, get(i) + v);
  }

  default void fill(double v) {
    for (int i = 0, n = length(); i < n; i++) {
      set(i, v);
    }
  }

  /** Copies {@code length} elements of {@code from} from {@code fromOffset} to {@code to} at {@code toOffset}. */
  static void copy(Vec from, int fromOffset, Vec to, int toOffset, int length) {
    if (from instanceof FloatVec f && to instanceof FloatVec t) {
      t.buffer.put(toOffset, f.buffer, fromOffset, length); // a bulk memory copy
      return;
    }
    for (int i = 0; i < length; i++) {
      to.set(toOffset + i, from.get(fromOffset + i));
    }
  }

  /**
   * Adds the column sums of the rows × cols matrix {@code m} to {@code sums} (Σ_r m[r, j] into sums[j]), in double;
   * a float matrix is read in bulk and summed in float over runs of 32 rows (a loop the JIT vectorises), the runs in
   * double. A bias's gradient is the column sums of the gradient of the products it is added to.
   */
  static void addColumnSums(Vec m, int rows, int cols, double[] sums) {
    if (m instanceof FloatVec floats) {
      float[] row = new float[cols];
      float[] run = new float[cols];
      for (int r0 = 0; r0 < rows; r0 += 32) {
        java.util.Arrays.fill(run, 0f);
        for (int r = r0, end = Math.min(rows, r0 + 32); r < end; r++) {
          floats.read(r * cols, row, cols);
          for (int j = 0; j < cols; j++) {
            run[j] += row[j];
          }
        }
        for (int j = 0; j < cols; j++) {
          sums[j] += run[j];
        }
      }
      return;
    }
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int j = 0; j < cols; j++) {
        sums[j] += m.get(base + j);
      }
    }
  }

  /** A view of {@code array}'s elements in C order; the array must be contiguous (a whole array or a row range). */
  static Vec of(INDArray array) {
    if (array.ordering() != 'c' || (array.isView() && !isRowRange(array))) {
      throw new IllegalArgumentException("not a contiguous C-order array: " + array.shapeInfoToString());
    }
    int offset = Math.toIntExact(array.offset());
    int length = Math.toIntExact(array.length());
    if (array.dataType() == DataType.FLOAT) {
      FloatBuffer all = array.data().asNioFloat();
      return new FloatVec(all.position(offset).slice().limit(length).slice(), length, array);
    }
    if (array.dataType() == DataType.DOUBLE) {
      DoubleBuffer all = array.data().asNioDouble();
      return new DoubleVec(all.position(offset).slice().limit(length).slice(), length, array);
    }
    throw new IllegalArgumentException("unsupported data type " + array.dataType());
  }

  private static boolean isRowRange(INDArray array) {
    long[] shape = array.shape();
    long[] stride = array.stride();
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  final class FloatVec implements Vec {
    private final FloatBuffer buffer;
    private final int length;
    @SuppressWarnings("unused") // held so that the native memory behind the buffer stays allocated
    private final INDArray array;

    FloatVec(FloatBuffer buffer, int length, INDArray array) {
      this.buffer = buffer;
      this.length = length;
      this.array = array;
    }

    /** Copies {@code count} elements from {@code index} into {@code to} (a bulk memory copy). */
    public void read(int index, float[] to, int count) {
      buffer.get(index, to, 0, count);
    }

    /** Copies the first {@code count} elements of {@code from} to {@code index} (a bulk memory copy). */
    public void write(int index, float[] from, int count) {
      buffer.put(index, from, 0, count);
    }

    @Override
    public double get(int i) {
      return buffer.get(i);
    }

    @Override
    public void set(int i, double v) {
      buffer.put(i, (float) v);
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public void fill(double v) {
      float[] block = new float[Math.min(length, BLOCK)];
      java.util.Arrays.fill(block, (float) v);
      for (int i = 0; i < length; i += block.length) {
        write(i, block, Math.min(block.length, length - i));
      }
    }
  }

  /** Elements per bulk transfer when a float loop works through a long vector block by block. */
  int BLOCK = 4096;

  final class DoubleVec implements Vec {
    private final DoubleBuffer buffer;
    private final int length;
    @SuppressWarnings("unused") // held so that the native memory behind the buffer stays allocated
    private final INDArray array;

    DoubleVec(DoubleBuffer buffer, int length, INDArray array) {
      this.buffer = buffer;
      this.length = length;
      this.array = array;
    }

    @Override
    public double get(int i) {
      return buffer.get(i);
    }

    @Override
    public void set(int i, double v) {
      buffer.put(i, v);
    }

    @Override
    public int length() {
      return length;
    }
  }
}
