package io.rill.lstm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The building blocks of the model classes' binary state ({@code writeTo} / {@code readFrom}, for checkpoints):
 * format versions, checked counts, the architecture a state belongs to, and tensors and id arrays in bulk.
 *
 * <p>Numbers are big-endian, as {@link DataOutput} writes them. Arrays go through a 64 KiB block of bytes, one
 * {@code write}/{@code readFully} per block rather than one call per element: a model has up to a million floats.
 * Readers check what they read against what the caller expects and throw an {@link IOException} naming the value,
 * so corrupted input fails cleanly instead of allocating whatever a damaged length says.
 */
final class StateFormat {

  private static final int BLOCK_BYTES = 1 << 16;
  /** The first allocation for an array read without a trusted length; it doubles as the data actually arrives. */
  private static final int FIRST_READ_CAPACITY = 1 << 12;
  /** The largest Java array length that every JVM allocates. */
  static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private StateFormat() {
  }

  static void readVersion(DataInput in, int supported, String what) throws IOException {
    int version = in.readInt();
    if (version != supported) {
      throw new IOException(what + ": format version " + version + ", this build reads version " + supported);
    }
  }

  /** An int that must lie in [min, max], e.g. a length. */
  static int readInt(DataInput in, int min, int max, String what) throws IOException {
    int value = in.readInt();
    if (value < min || value > max) {
      throw new IOException(what + " is " + value + ", outside [" + min + ", " + max + "]");
    }
    return value;
  }

  static void require(boolean condition, String message) throws IOException {
    if (!condition) {
      throw new IOException(message);
    }
  }

  /**
   * The parts of {@code config} that fix the tensors' shapes and types. Dropout is left out: it is a training
   * setting that may change between runs without making the stored values wrong.
   */
  static void writeArchitecture(DataOutput out, LstmConfig config) throws IOException {
    out.writeUTF(config.cell().name());
    out.writeInt(config.embeddingSize());
    out.writeInt(config.hiddenSize());
    out.writeInt(config.layers());
    out.writeUTF(config.dataType().name());
  }

  /** Reads what {@link #writeArchitecture} wrote and fails unless it is {@code expected}'s. */
  static void readArchitecture(DataInput in, LstmConfig expected, String what) throws IOException {
    String cell = in.readUTF();
    int embedding = in.readInt();
    int hidden = in.readInt();
    int layers = in.readInt();
    String dataType = in.readUTF();
    String stored = cell + " E=" + embedding + " H=" + hidden + " layers=" + layers + " " + dataType;
    String wanted = expected.cell().name() + " E=" + expected.embeddingSize() + " H=" + expected.hiddenSize()
        + " layers=" + expected.layers() + " " + expected.dataType().name();
    require(stored.equals(wanted), what + " was stored for " + stored + ", expected " + wanted);
  }

  /**
   * Reads what {@link #writeArchitecture} wrote as a configuration with {@code dropout}, for input that carries its
   * own shape (a message from another node); refuses names and sizes no configuration has.
   */
  static LstmConfig readArchitecture(DataInput in, double dropout, String what) throws IOException {
    String cell = in.readUTF();
    int embedding = in.readInt();
    int hidden = in.readInt();
    int layers = in.readInt();
    String dataType = in.readUTF();
    try {
      return new LstmConfig(CellType.valueOf(cell), embedding, hidden, layers, dropout, DataType.valueOf(dataType));
    } catch (IllegalArgumentException e) {
      throw new IOException(what + ": invalid architecture: " + e.getMessage(), e);
    }
  }

  /** A 2-d tensor: rows, columns, then its values. */
  static void writeTensor(DataOutput out, INDArray tensor) throws IOException {
    require(tensor.rank() == 2, "only 2-d tensors are written, got " + tensor.shapeInfoToString());
    out.writeInt(Math.toIntExact(tensor.size(0)));
    out.writeInt(Math.toIntExact(tensor.size(1)));
    writeValues(out, tensor);
  }

  /** Reads what {@link #writeTensor} wrote into {@code target}, which must have the stored shape. */
  static void readTensor(DataInput in, INDArray target, String what) throws IOException {
    int rows = in.readInt();
    int columns = in.readInt();
    require(rows == target.size(0) && columns == target.size(1), what + " was stored as " + rows + " × " + columns
        + ", expected " + target.size(0) + " × " + target.size(1));
    readValues(in, target);
  }

  private static void writeValues(DataOutput out, INDArray array) throws IOException {
    INDArray source = array.ordering() == 'c' && !array.isView() ? array : array.dup('c');
    int offset = Math.toIntExact(source.offset());
    int length = Math.toIntExact(source.length());
    byte[] block = new byte[BLOCK_BYTES];
    ByteBuffer bytes = ByteBuffer.wrap(block);
    if (source.dataType() == DataType.FLOAT) {
      FloatBuffer values = source.data().asNioFloat();
      FloatBuffer blockValues = bytes.asFloatBuffer();
      for (int from = 0; from < length; from += blockValues.capacity()) {
        int count = Math.min(blockValues.capacity(), length - from);
        blockValues.put(0, values, offset + from, count);
        out.write(block, 0, count * Float.BYTES);
      }
    } else if (source.dataType() == DataType.DOUBLE) {
      DoubleBuffer values = source.data().asNioDouble();
      DoubleBuffer blockValues = bytes.asDoubleBuffer();
      for (int from = 0; from < length; from += blockValues.capacity()) {
        int count = Math.min(blockValues.capacity(), length - from);
        blockValues.put(0, values, offset + from, count);
        out.write(block, 0, count * Double.BYTES);
      }
    } else {
      throw new IllegalArgumentException("unsupported data type " + source.dataType());
    }
  }

  private static void readValues(DataInput in, INDArray target) throws IOException {
    if (target.ordering() != 'c' || target.isView()) {
      throw new IllegalArgumentException("not a whole C-order array: " + target.shapeInfoToString());
    }
    int offset = Math.toIntExact(target.offset());
    int length = Math.toIntExact(target.length());
    byte[] block = new byte[BLOCK_BYTES];
    ByteBuffer bytes = ByteBuffer.wrap(block);
    if (target.dataType() == DataType.FLOAT) {
      FloatBuffer values = target.data().asNioFloat();
      FloatBuffer blockValues = bytes.asFloatBuffer();
      for (int from = 0; from < length; from += blockValues.capacity()) {
        int count = Math.min(blockValues.capacity(), length - from);
        in.readFully(block, 0, count * Float.BYTES);
        values.put(offset + from, blockValues, 0, count);
      }
    } else if (target.dataType() == DataType.DOUBLE) {
      DoubleBuffer values = target.data().asNioDouble();
      DoubleBuffer blockValues = bytes.asDoubleBuffer();
      for (int from = 0; from < length; from += blockValues.capacity()) {
        int count = Math.min(blockValues.capacity(), length - from);
        in.readFully(block, 0, count * Double.BYTES);
        values.put(offset + from, blockValues, 0, count);
      }
    } else {
      throw new IllegalArgumentException("unsupported data type " + target.dataType());
    }
  }

  /** {@code count} ints of {@code values} from {@code from}, without a length (the caller writes it). */
  static void writeInts(DataOutput out, int[] values, int from, int count) throws IOException {
    byte[] block = new byte[BLOCK_BYTES];
    IntBuffer blockValues = ByteBuffer.wrap(block).asIntBuffer();
    for (int done = 0; done < count; done += blockValues.capacity()) {
      int n = Math.min(blockValues.capacity(), count - done);
      blockValues.put(0, values, from + done, n);
      out.write(block, 0, n * Integer.BYTES);
    }
  }

  /**
   * {@code count} ints written by {@link #writeInts}, each in [0, {@code bound}). The count comes from the input
   * and is not trusted: the array starts small and grows as ints actually arrive, so a damaged count on short
   * input ends in an {@link java.io.EOFException} rather than a huge allocation.
   */
  static int[] readIds(DataInput in, int count, int bound, String what) throws IOException {
    byte[] block = new byte[BLOCK_BYTES];
    IntBuffer blockValues = ByteBuffer.wrap(block).asIntBuffer();
    int[] values = new int[Math.min(count, FIRST_READ_CAPACITY)];
    for (int done = 0; done < count; ) {
      int n = Math.min(blockValues.capacity(), count - done);
      in.readFully(block, 0, n * Integer.BYTES);
      if (done + n > values.length) {
        values = Arrays.copyOf(values, (int) Math.min(count, Math.max(done + n, 2L * values.length)));
      }
      blockValues.get(0, values, done, n);
      for (int i = done; i < done + n; i++) {
        if (values[i] < 0 || values[i] >= bound) {
          throw new IOException(what + ": id " + values[i] + " at " + i + " is outside [0, " + bound + ")");
        }
      }
      done += n;
    }
    return values;
  }

  static void writeLongs(DataOutput out, long[] values) throws IOException {
    byte[] block = new byte[BLOCK_BYTES];
    LongBuffer blockValues = ByteBuffer.wrap(block).asLongBuffer();
    for (int done = 0; done < values.length; done += blockValues.capacity()) {
      int n = Math.min(blockValues.capacity(), values.length - done);
      blockValues.put(0, values, done, n);
      out.write(block, 0, n * Long.BYTES);
    }
  }

  /** Fills {@code values} with longs written by {@link #writeLongs}. */
  static void readLongs(DataInput in, long[] values) throws IOException {
    byte[] block = new byte[BLOCK_BYTES];
    LongBuffer blockValues = ByteBuffer.wrap(block).asLongBuffer();
    for (int done = 0; done < values.length; done += blockValues.capacity()) {
      int n = Math.min(blockValues.capacity(), values.length - done);
      in.readFully(block, 0, n * Long.BYTES);
      blockValues.get(0, values, done, n);
    }
  }
}
