package io.rill.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A set of named 2-D tensors: a model's parameters, or anything shaped like them (their gradients, an optimizer's
 * moments). It is what a parameter server holds, updates, copies and sends without knowing which model it is; a
 * model wraps it in a typed view that names its tensors ({@code LstmParams}'s {@code embedding()}, ...).
 *
 * <p>All tensors of a set are FLOAT (training) or DOUBLE (gradient checks), whole C-order arrays, at least 1 × 1.
 * Tensors keep the order they were specified in; every operation visits them in that order.
 *
 * <p><b>Growth.</b> A tensor may grow along one axis with a named group: a character model's "vocabulary" group is
 * the embedding's rows and the output weights' and bias's columns, so a new character appends one of each
 * ({@link #grow}). Every tensor of a group has the same size along its axis. A set computed before its parameters
 * grew (a gradient from a worker with an older copy) is zero-padded to match them with {@link #padTo}. Arrays are
 * replaced when they grow: callers take them from here ({@link #get}) rather than holding on to them.
 *
 * <p><b>Binary state</b> ({@link #writeTo}, layout in {@link TensorFormat}): format version (a byte), data type, the
 * number of tensors, each tensor's name, growth and shape, then each tensor's values in C order, big-endian. Every
 * header comes before any value, so a reader that knows how many bytes there are checks them all before allocating anything
 * ({@link #fromWireBytes}); one that does not reads values into arrays grown as the bytes arrive
 * ({@link #readFrom(DataInput, String)}). Either way a damaged size ends in an IOException saying what was being
 * read, never in an allocation of what the damaged size says.
 *
 * <p><b>Wire form</b> between nodes ({@link #toWireBytes}): the binary state as one CBOR byte string, so values stay
 * raw float32 (float64) — one copy of the tensors' bytes, no CBOR number per value.
 */
public final class Tensors implements Iterable<INDArray> {

  /** The axis a growing tensor grows along. */
  public enum Axis {
    ROWS,
    COLUMNS
  }

  /** That a tensor grows with {@code group}, along {@code axis}. */
  public record Growth(String group, Axis axis) {
    public Growth {
      if (group == null || group.isEmpty() || axis == null) {
        throw new IllegalArgumentException("a growth needs a group name and an axis: " + group + ", " + axis);
      }
    }
  }

  /**
   * A tensor to be made: its name, shape and growth (null: fixed). The dimensions are longs so that a shape computed
   * from untrusted sizes can be described, and refused, without overflowing; {@link #zeros} takes only shapes that
   * fit a Java array.
   */
  public record Spec(String name, long rows, long columns, Growth growth) {
    public Spec {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("a tensor needs a name");
      }
      if (rows < 1 || columns < 1) {
        throw new IllegalArgumentException(name + ": shape " + rows + " × " + columns + " is not at least 1 × 1");
      }
    }

    /** A tensor of fixed shape. */
    public static Spec fixed(String name, long rows, long columns) {
      return new Spec(name, rows, columns, null);
    }

    /** A tensor that grows with {@code group} along {@code axis}. */
    public static Spec growing(String name, long rows, long columns, String group, Axis axis) {
      return new Spec(name, rows, columns, new Growth(group, axis));
    }

    /** Its size along its growth axis. */
    long groupSize() {
      return growth.axis() == Axis.ROWS ? rows : columns;
    }

    @Override
    public String toString() {
      return name + " " + rows + " × " + columns
          + (growth == null ? "" : " (" + growth.group() + " " + growth.axis().name().toLowerCase() + ")");
    }
  }

  /** The values of the entries a {@link #grow} adds. */
  @FunctionalInterface
  public interface Fill {
    /** No new entry: zeros. */
    Fill ZEROS = (name, existing) -> 0;

    /**
     * The value of the next new entry of tensor {@code name}; {@code existing} holds that tensor's values before it
     * grew. New entries are asked for tensor by tensor in the set's order, each tensor's in C order.
     */
    double next(String name, Vec existing);
  }

  private final DataType dataType;
  private final String[] names;
  private final Growth[] growths;
  private final INDArray[] arrays;
  private final Map<String, Integer> indexByName;

  private Tensors(DataType dataType, String[] names, Growth[] growths, INDArray[] arrays) {
    this.dataType = dataType;
    this.names = names;
    this.growths = growths;
    this.arrays = arrays;
    this.indexByName = new HashMap<>();
    for (int k = 0; k < names.length; k++) {
      indexByName.put(names[k], k);
    }
  }

  /** Zero tensors of {@code dataType} (FLOAT or DOUBLE) as {@code specs} describe them, in that order. */
  public static Tensors zeros(DataType dataType, List<Spec> specs) {
    String problem = problem(dataType, specs);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    int count = specs.size();
    String[] names = new String[count];
    Growth[] growths = new Growth[count];
    INDArray[] arrays = new INDArray[count];
    for (int k = 0; k < count; k++) {
      Spec spec = specs.get(k);
      names[k] = spec.name();
      growths[k] = spec.growth();
      arrays[k] = Nd4j.zeros(dataType, spec.rows(), spec.columns());
    }
    return new Tensors(dataType, names, growths, arrays);
  }

  /** {@link #zeros(DataType, List)} of the specs given in order. */
  public static Tensors zeros(DataType dataType, Spec... specs) {
    return zeros(dataType, List.of(specs));
  }

  /** Why {@code specs} cannot make a set of {@code dataType}, or null when they can. */
  static String problem(DataType dataType, List<Spec> specs) {
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      return "tensors must be FLOAT or DOUBLE, not " + dataType;
    }
    if (specs.size() > TensorFormat.MAX_TENSORS) {
      return specs.size() + " tensors, more than " + TensorFormat.MAX_TENSORS;
    }
    Map<String, Long> groupSizes = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Spec spec : specs) {
      if (!seen.add(spec.name())) {
        return "tensor " + spec.name() + " appears twice";
      }
      if (TensorFormat.utfLength(spec.name()) > 65_535
          || spec.growth() != null && TensorFormat.utfLength(spec.growth().group()) > 65_535) {
        return "tensor " + spec.name().substring(0, 40) + "...: name or group longer than writeUTF takes";
      }
      if (spec.rows() * (double) spec.columns() > StateFormat.MAX_ARRAY_LENGTH) {
        return "tensor " + spec + " has more than " + StateFormat.MAX_ARRAY_LENGTH + " values";
      }
      if (spec.growth() != null) {
        Long size = groupSizes.putIfAbsent(spec.growth().group(), spec.groupSize());
        if (size != null && size != spec.groupSize()) {
          return "group " + spec.growth().group() + " has size " + size + " but " + spec + " has "
              + spec.groupSize();
        }
      }
    }
    return null;
  }

  public DataType dataType() {
    return dataType;
  }

  /** The number of tensors. */
  public int count() {
    return arrays.length;
  }

  /** Tensor {@code k}, in the set's order. */
  public INDArray get(int k) {
    return arrays[k];
  }

  /** The tensor named {@code name}. */
  public INDArray get(String name) {
    return arrays[indexOf(name)];
  }

  /** The position of the tensor named {@code name}. */
  public int indexOf(String name) {
    Integer k = indexByName.get(name);
    if (k == null) {
      throw new IllegalArgumentException("no tensor " + name + " in " + this);
    }
    return k;
  }

  /** The tensors' names, in order. */
  public List<String> names() {
    return List.of(names);
  }

  /** Tensor {@code k}'s growth, or null when its shape is fixed. */
  public Growth growth(int k) {
    return growths[k];
  }

  /** The tensors' current specs, in order: {@code zeros(dataType(), specs())} is {@link #zerosLike()}. */
  public List<Spec> specs() {
    List<Spec> specs = new ArrayList<>(arrays.length);
    for (int k = 0; k < arrays.length; k++) {
      specs.add(new Spec(names[k], arrays[k].rows(), arrays[k].columns(), growths[k]));
    }
    return Collections.unmodifiableList(specs);
  }

  /** The current size of {@code group}: the rows or columns each of its tensors has along its axis. */
  public int groupSize(String group) {
    for (int k = 0; k < arrays.length; k++) {
      if (growths[k] != null && growths[k].group().equals(group)) {
        return growths[k].axis() == Axis.ROWS ? arrays[k].rows() : arrays[k].columns();
      }
    }
    throw new IllegalArgumentException("no group " + group + " in " + this);
  }

  /** The number of scalars over all tensors. */
  public long size() {
    long size = 0;
    for (INDArray array : arrays) {
      size += array.length();
    }
    return size;
  }

  /** The tensors in order (the list cannot be changed, the arrays can). */
  @Override
  public Iterator<INDArray> iterator() {
    return Collections.unmodifiableList(Arrays.asList(arrays)).iterator();
  }

  /** An independent deep copy. */
  public Tensors copy() {
    INDArray[] copies = new INDArray[arrays.length];
    for (int k = 0; k < arrays.length; k++) {
      copies[k] = arrays[k].dup();
    }
    return new Tensors(dataType, names.clone(), growths.clone(), copies);
  }

  /** Zero tensors of the same names, shapes, growths and data type (e.g. gradients or moments for parameters). */
  public Tensors zerosLike() {
    return zeros(dataType, specs());
  }

  /** Sets every entry to zero. */
  public void clear() {
    for (INDArray array : arrays) {
      Vec.of(array).fill(0);
    }
  }

  /** Adds {@code other} (same shape) entry by entry, e.g. to combine the gradients of several workers. */
  public void add(Tensors other) {
    requireSameShape(other);
    for (int k = 0; k < arrays.length; k++) {
      Vec to = Vec.of(arrays[k]);
      Vec from = Vec.of(other.arrays[k]);
      if (to instanceof Vec.FloatVec t && from instanceof Vec.FloatVec f) {
        addFloat(t, f);
        continue;
      }
      for (int i = 0, n = to.length(); i < n; i++) {
        to.add(i, from.get(i));
      }
    }
  }

  /** The float case of {@link #add}, block by block through plain arrays so the loop vectorises. */
  private static void addFloat(Vec.FloatVec to, Vec.FloatVec from) {
    int n = to.length();
    float[] a = new float[Math.min(n, Vec.BLOCK)];
    float[] b = new float[a.length];
    for (int start = 0; start < n; start += a.length) {
      int count = Math.min(a.length, n - start);
      to.read(start, a, count);
      from.read(start, b, count);
      for (int i = 0; i < count; i++) {
        a[i] += b[i];
      }
      to.write(start, a, count);
    }
  }

  /** Multiplies every entry by {@code factor}. */
  public void scale(double factor) {
    for (INDArray array : arrays) {
      Vec vec = Vec.of(array);
      if (vec instanceof Vec.FloatVec f) {
        int n = f.length();
        float[] a = new float[Math.min(n, Vec.BLOCK)];
        float scale = (float) factor;
        for (int start = 0; start < n; start += a.length) {
          int count = Math.min(a.length, n - start);
          f.read(start, a, count);
          for (int i = 0; i < count; i++) {
            a[i] *= scale;
          }
          f.write(start, a, count);
        }
        continue;
      }
      for (int i = 0, n = vec.length(); i < n; i++) {
        vec.set(i, vec.get(i) * factor);
      }
    }
  }

  /** The Euclidean norm of all entries taken together as one vector, summed in double. */
  public double globalNorm() {
    double sum = 0;
    for (INDArray array : arrays) {
      Vec vec = Vec.of(array);
      if (vec instanceof Vec.FloatVec f) {
        sum += sumOfSquares(f);
        continue;
      }
      for (int i = 0, n = vec.length(); i < n; i++) {
        double g = vec.get(i);
        sum += g * g;
      }
    }
    return Math.sqrt(sum);
  }

  /** Σ v² of a float vector, in double: block by block through a plain array, four running sums. */
  private static double sumOfSquares(Vec.FloatVec vec) {
    int n = vec.length();
    float[] a = new float[Math.min(n, Vec.BLOCK)];
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    for (int start = 0; start < n; start += a.length) {
      int count = Math.min(a.length, n - start);
      vec.read(start, a, count);
      int i = 0;
      for (; i + 3 < count; i += 4) {
        s0 += (double) a[i] * a[i];
        s1 += (double) a[i + 1] * a[i + 1];
        s2 += (double) a[i + 2] * a[i + 2];
        s3 += (double) a[i + 3] * a[i + 3];
      }
      for (; i < count; i++) {
        s0 += (double) a[i] * a[i];
      }
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Whether {@code other} has the same data type, names, growths and shapes, in the same order. */
  public boolean sameShapeAs(Tensors other) {
    return describeDifference(other) == null;
  }

  /** Throws an IllegalArgumentException saying how {@code other} differs unless it {@link #sameShapeAs} this. */
  public void requireSameShape(Tensors other) {
    String difference = describeDifference(other);
    if (difference != null) {
      throw new IllegalArgumentException("tensor sets differ: " + difference);
    }
  }

  private String describeDifference(Tensors other) {
    if (other.dataType != dataType) {
      return other.dataType + " vs " + dataType;
    }
    if (other.arrays.length != arrays.length) {
      return other.arrays.length + " tensors vs " + arrays.length;
    }
    for (int k = 0; k < arrays.length; k++) {
      if (!other.names[k].equals(names[k]) || !Objects.equals(other.growths[k], growths[k])
          || other.arrays[k].rows() != arrays[k].rows() || other.arrays[k].columns() != arrays[k].columns()) {
        return other.specs().get(k) + " vs " + specs().get(k);
      }
    }
    return null;
  }

  /**
   * Appends {@code n} entries to {@code group}: a row or a column (as each tensor's growth says) on every tensor of
   * the group, with values from {@code fill}; everything else is copied, so entries already in use keep their values.
   */
  public void grow(String group, int n, Fill fill) {
    if (n < 1) {
      throw new IllegalArgumentException("grow by at least one entry, not " + n);
    }
    groupSize(group); // fails for an unknown group
    for (int k = 0; k < arrays.length; k++) {
      if (growths[k] == null || !growths[k].group().equals(group)) {
        continue;
      }
      INDArray old = arrays[k];
      boolean rows = growths[k].axis() == Axis.ROWS;
      int oldRows = old.rows();
      int oldColumns = old.columns();
      int newColumns = rows ? oldColumns : oldColumns + n;
      INDArray grown = resized(old, rows ? oldRows + n : oldRows, newColumns);
      Vec from = Vec.of(old);
      Vec to = Vec.of(grown);
      if (rows) {
        for (int i = oldRows * oldColumns; i < to.length(); i++) {
          to.set(i, fill.next(names[k], from));
        }
      } else {
        for (int r = 0; r < oldRows; r++) {
          for (int c = oldColumns; c < newColumns; c++) {
            to.set(r * newColumns + c, fill.next(names[k], from));
          }
        }
      }
      arrays[k] = grown;
    }
  }

  /**
   * Zero-pads these tensors to the shapes of {@code params}, which may have grown since they were computed (a
   * gradient from a copy of the parameters older than the last growth: the new entries get no gradient from it).
   * Names and growths must agree, and a tensor may only be smaller along its growth axis.
   */
  public void padTo(Tensors params) {
    if (params.dataType != dataType || params.arrays.length != arrays.length) {
      throw new IllegalArgumentException("cannot pad " + this + " to " + params);
    }
    for (int k = 0; k < arrays.length; k++) {
      INDArray mine = arrays[k];
      INDArray target = params.arrays[k];
      if (mine.rows() == target.rows() && mine.columns() == target.columns()
          && names[k].equals(params.names[k]) && Objects.equals(growths[k], params.growths[k])) {
        continue;
      }
      boolean rows = growths[k] != null && growths[k].axis() == Axis.ROWS;
      boolean fits = names[k].equals(params.names[k]) && Objects.equals(growths[k], params.growths[k])
          && growths[k] != null
          && (rows ? mine.rows() <= target.rows() && mine.columns() == target.columns()
                   : mine.columns() <= target.columns() && mine.rows() == target.rows());
      if (!fits) {
        throw new IllegalArgumentException("cannot pad " + specs().get(k) + " to " + params.specs().get(k));
      }
      arrays[k] = resized(mine, target.rows(), target.columns());
    }
  }

  /** A zero array of {@code rows} × {@code columns} with {@code array} (no larger) copied into its top left. */
  private INDArray resized(INDArray array, int rows, int columns) {
    INDArray grown = Nd4j.zeros(dataType, rows, columns);
    Vec from = Vec.of(array);
    Vec to = Vec.of(grown);
    int oldColumns = array.columns();
    for (int r = 0; r < array.rows(); r++) {
      Vec.copy(from, r * oldColumns, to, r * columns, oldColumns);
    }
    return grown;
  }

  // ---- binary state -------------------------------------------------------------------------------------------

  /** Writes the data type, every tensor's name, growth and shape, then their values. */
  public void writeTo(DataOutput out) throws IOException {
    TensorFormat.writeHeader(out, dataType, specs());
    for (INDArray array : arrays) {
      TensorFormat.writeValues(out, array);
    }
  }

  /**
   * The number of bytes {@link #writeTo} writes for tensors of {@code specs}, in double so that sizes read from
   * damaged input cannot overflow: exact below 2^53, and above that it matches no real input.
   */
  public static double stateBytes(DataType dataType, List<Spec> specs) {
    return TensorFormat.headerBytes(specs) + TensorFormat.valueBytes(dataType, specs);
  }

  /**
   * Tensors written by {@link #writeTo}, whatever their names and shapes; {@code what} names them in errors. Values
   * are read into arrays grown as they arrive, so damaged input costs at most about twice what it holds.
   *
   * @throws IOException when the input is truncated, of another format version, or not a valid set of tensors
   */
  public static Tensors readFrom(DataInput in, String what) throws IOException {
    TensorFormat.Header header = TensorFormat.readHeader(in, what);
    List<Object> values = new ArrayList<>(header.specs().size());
    for (Spec spec : header.specs()) {
      int n = Math.toIntExact(spec.rows() * spec.columns());
      values.add(header.dataType() == DataType.FLOAT ? StateFormat.readFloatValues(in, n)
          : StateFormat.readDoubleValues(in, n));
    }
    // Every value has arrived: the shapes were not a damaged size's claim.
    Tensors tensors = zeros(header.dataType(), header.specs());
    for (int k = 0; k < tensors.arrays.length; k++) {
      if (values.get(k) instanceof float[] floats) {
        tensors.arrays[k].data().asNioFloat().put(floats);
      } else {
        tensors.arrays[k].data().asNioDouble().put((double[]) values.get(k));
      }
    }
    return tensors;
  }

  /**
   * Overwrites these tensors with what {@link #writeTo} wrote for a set of the same data type, names, growths and
   * shapes; fails on anything else, naming {@code what} was being read. Nothing is allocated beyond these tensors.
   */
  public void readValues(DataInput in, String what) throws IOException {
    TensorFormat.readExpectedHeader(in, dataType, specs(), what);
    for (INDArray array : arrays) {
      TensorFormat.readValues(in, array);
    }
  }

  /** The wire form: what {@link #writeTo} writes. */
  @JsonValue
  public byte[] toWireBytes() {
    return StateFormat.toBytes(this::writeTo);
  }

  /**
   * Tensors from their wire form. The headers must account for exactly the bytes that follow them before anything
   * is allocated, so a damaged size is refused rather than allocated.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Tensors fromWireBytes(byte[] bytes) throws IOException {
    String what = "tensors";
    ByteArrayInputStream stream = new ByteArrayInputStream(bytes);
    DataInputStream in = new DataInputStream(stream);
    TensorFormat.Header header;
    try {
      header = TensorFormat.readHeader(in, what);
    } catch (EOFException e) {
      throw new IOException(what + ": truncated in its header, " + bytes.length + " bytes", e);
    }
    double valueBytes = TensorFormat.valueBytes(header.dataType(), header.specs());
    StateFormat.require(valueBytes == stream.available(), what + ": " + stream.available() + " bytes of values for "
        + header.specs() + ", which take " + (long) valueBytes);
    Tensors tensors = zeros(header.dataType(), header.specs());
    for (INDArray array : tensors.arrays) {
      TensorFormat.readValues(in, array);
    }
    return tensors;
  }

  /** A 2-d array on its own: rows, columns, then its values (a view is written as its own values). */
  public static void writeArray(DataOutput out, INDArray array) throws IOException {
    StateFormat.require(array.rank() == 2, "only 2-d arrays are written, got " + array.shapeInfoToString());
    out.writeInt(Math.toIntExact(array.size(0)));
    out.writeInt(Math.toIntExact(array.size(1)));
    TensorFormat.writeValues(out, array);
  }

  /** Reads what {@link #writeArray} wrote into {@code target}, which must have the stored shape. */
  public static void readArray(DataInput in, INDArray target, String what) throws IOException {
    int rows = in.readInt();
    int columns = in.readInt();
    StateFormat.require(rows == target.size(0) && columns == target.size(1), what + " was stored as " + rows
        + " × " + columns + ", expected " + target.size(0) + " × " + target.size(1));
    TensorFormat.readValues(in, target);
  }

  @Override
  public String toString() {
    return "Tensors[" + dataType + ": " + String.join(", ", specs().stream().map(Spec::toString).toList()) + "]";
  }
}
