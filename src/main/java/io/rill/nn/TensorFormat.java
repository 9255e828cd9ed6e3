package io.rill.nn;

import io.rill.nn.Tensors.Axis;
import io.rill.nn.Tensors.Growth;
import io.rill.nn.Tensors.Spec;
import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The binary layout of a {@link Tensors} set, which its {@code writeTo}, {@code readFrom}, {@code readValues} and wire
 * form share:
 *
 * <pre>
 *   version      byte (1)
 *   data type    byte: 1 FLOAT, 2 DOUBLE
 *   count        int
 *   per tensor   name (writeUTF), growth axis byte (0 fixed, 1 rows, 2 columns) and, if growing, its group
 *                (writeUTF), rows int, columns int
 *   per tensor   rows × columns values in C order, big-endian float32 or float64
 * </pre>
 *
 * Headers come first, so a reader checks every name and shape, and how many bytes the values take, before it
 * allocates anything. Readers refuse what no set has (a count or size out of range, a name twice, a group whose
 * tensors disagree on its size) with an IOException naming what was being read.
 */
final class TensorFormat {

  /** Version of the layout written here. */
  static final int FORMAT_VERSION = 1;
  /** More tensors than any model of rill has; a larger count is damage. */
  static final int MAX_TENSORS = 1 << 16;

  private static final int FLOAT = 1;
  private static final int DOUBLE = 2;

  private TensorFormat() {
  }

  /** The data type and specs of a stored set, read and checked before any value. */
  record Header(DataType dataType, List<Spec> specs) {
  }

  static void writeHeader(DataOutput out, DataType dataType, List<Spec> specs) throws IOException {
    StateFormat.writeVersion(out, FORMAT_VERSION);
    out.writeByte(dataType == DataType.FLOAT ? FLOAT : DOUBLE);
    out.writeInt(specs.size());
    for (Spec spec : specs) {
      out.writeUTF(spec.name());
      if (spec.growth() == null) {
        out.writeByte(0);
      } else {
        out.writeByte(spec.growth().axis() == Axis.ROWS ? 1 : 2);
        out.writeUTF(spec.growth().group());
      }
      out.writeInt(Math.toIntExact(spec.rows()));
      out.writeInt(Math.toIntExact(spec.columns()));
    }
  }

  /** A header written by {@link #writeHeader}, whatever its names and shapes, refused when no set could have it. */
  static Header readHeader(DataInput in, String what) throws IOException {
    StateFormat.readVersion(in, what, FORMAT_VERSION);
    DataType dataType = readDataType(in, what);
    int count = StateFormat.readInt(in, 0, MAX_TENSORS, what + " tensor count");
    List<Spec> specs = new ArrayList<>(Math.min(count, 64));
    for (int k = 0; k < count; k++) {
      specs.add(readSpec(in, what));
    }
    String problem = Tensors.problem(dataType, specs);
    StateFormat.check(problem == null, what + ": " + problem);
    return new Header(dataType, specs);
  }

  /** Reads a header and fails, saying how, unless it is exactly {@code dataType} and {@code specs}. */
  static void readExpectedHeader(DataInput in, DataType dataType, List<Spec> specs, String what) throws IOException {
    StateFormat.readVersion(in, what, FORMAT_VERSION);
    DataType storedType = readDataType(in, what);
    StateFormat.require(storedType == dataType, what + " was stored as " + storedType + ", expected " + dataType);
    int count = in.readInt();
    StateFormat.require(count == specs.size(), what + " has " + count + " tensors, expected " + specs.size());
    for (int k = 0; k < specs.size(); k++) {
      Spec stored = readSpec(in, what);
      Spec expected = specs.get(k);
      StateFormat.require(stored.equals(expected), what + " " + (stored.name().equals(expected.name())
          ? stored.name() + " was stored as " + stored.rows() + " × " + stored.columns() + ", expected "
              + expected.rows() + " × " + expected.columns()
          : "tensor " + k + " was stored as " + stored + ", expected " + expected));
    }
  }

  private static DataType readDataType(DataInput in, String what) throws IOException {
    int code = in.readUnsignedByte();
    StateFormat.check(code == FLOAT || code == DOUBLE, what + ": data type code " + code);
    return code == FLOAT ? DataType.FLOAT : DataType.DOUBLE;
  }

  private static Spec readSpec(DataInput in, String what) throws IOException {
    String name = in.readUTF();
    StateFormat.check(!name.isEmpty(), what + ": a tensor without a name");
    int axis = in.readUnsignedByte();
    StateFormat.check(axis <= 2, what + " " + name + ": growth axis code " + axis);
    Growth growth = null;
    if (axis != 0) {
      String group = in.readUTF();
      StateFormat.check(!group.isEmpty(), what + " " + name + ": a growth without a group");
      growth = new Growth(group, axis == 1 ? Axis.ROWS : Axis.COLUMNS);
    }
    int rows = StateFormat.readInt(in, 1, StateFormat.MAX_ARRAY_LENGTH, what + " " + name + " rows");
    int columns = StateFormat.readInt(in, 1, StateFormat.MAX_ARRAY_LENGTH, what + " " + name + " columns");
    return new Spec(name, rows, columns, growth);
  }

  /** The bytes {@link #writeHeader} writes for {@code specs}. */
  static double headerBytes(List<Spec> specs) {
    double bytes = 1 + 1 + Integer.BYTES;
    for (Spec spec : specs) {
      bytes += 2 + utfLength(spec.name()) + 1 + 2 * Integer.BYTES;
      if (spec.growth() != null) {
        bytes += 2 + utfLength(spec.growth().group());
      }
    }
    return bytes;
  }

  /** The bytes the values of tensors of {@code specs} take, in double: no damaged size overflows it. */
  static double valueBytes(DataType dataType, List<Spec> specs) {
    double bytes = 0;
    for (Spec spec : specs) {
      bytes += (double) spec.rows() * spec.columns() * dataType.width();
    }
    return bytes;
  }

  /** The values of {@code array} in C order (a view or another order is copied to C order first). */
  static void writeValues(DataOutput out, INDArray array) throws IOException {
    INDArray source = array.ordering() == 'c' && !array.isView() ? array : array.dup('c');
    int offset = Math.toIntExact(source.offset());
    int length = Math.toIntExact(source.length());
    if (source.dataType() == DataType.FLOAT) {
      StateFormat.writeValues(out, source.data().asNioFloat().position(offset).slice().limit(length));
    } else if (source.dataType() == DataType.DOUBLE) {
      StateFormat.writeValues(out, source.data().asNioDouble().position(offset).slice().limit(length));
    } else {
      throw new IllegalArgumentException("unsupported data type " + source.dataType());
    }
  }

  /** Fills {@code target}, a whole C-order array, with values written by {@link #writeValues}. */
  static void readValues(DataInput in, INDArray target) throws IOException {
    if (target.ordering() != 'c' || target.isView()) {
      throw new IllegalArgumentException("not a whole C-order array: " + target.shapeInfoToString());
    }
    int offset = Math.toIntExact(target.offset());
    int length = Math.toIntExact(target.length());
    if (target.dataType() == DataType.FLOAT) {
      StateFormat.readValues(in, target.data().asNioFloat().position(offset).slice().limit(length));
    } else if (target.dataType() == DataType.DOUBLE) {
      StateFormat.readValues(in, target.data().asNioDouble().position(offset).slice().limit(length));
    } else {
      throw new IllegalArgumentException("unsupported data type " + target.dataType());
    }
  }

  /** The bytes {@link DataOutput#writeUTF} takes for {@code s}, without its 2-byte length (modified UTF-8). */
  static int utfLength(String s) {
    int length = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      length += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
    }
    return length;
  }
}
