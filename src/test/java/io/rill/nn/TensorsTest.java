package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.Tensors.Axis;
import io.rill.nn.Tensors.Spec;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A tensor set as a parameter server uses it without knowing the model: growth by group, padding a gradient from
 * before a growth, arithmetic, and the binary and wire forms, which refuse damage with an IOException.
 */
class TensorsTest {

  /** A sentence classifier's shape: "words" grow the embedding's rows, "classes" the output's rows and bias. */
  private static List<Spec> classifier(int words, int classes) {
    return List.of(
        Spec.growing("embedding", words, 3, "words", Axis.ROWS),
        Spec.fixed("filters", 6, 4),
        Spec.growing("output.weights", classes, 4, "classes", Axis.ROWS),
        Spec.growing("output.bias", 1, classes, "classes", Axis.COLUMNS));
  }

  private static Tensors random(DataType type, List<Spec> specs, long seed) {
    Tensors tensors = Tensors.zeros(type, specs);
    Random random = new Random(seed);
    for (INDArray array : tensors) {
      Vec values = Vec.of(array);
      for (int i = 0; i < values.length(); i++) {
        values.set(i, random.nextGaussian());
      }
    }
    return tensors;
  }

  @Test
  void specsNamesShapesAndGroups() {
    Tensors tensors = Tensors.zeros(DataType.FLOAT, classifier(10, 2));
    assertThat(tensors.count()).isEqualTo(4);
    assertThat(tensors.names()).containsExactly("embedding", "filters", "output.weights", "output.bias");
    assertThat(tensors.get("filters").shape()).containsExactly(6, 4);
    assertThat(tensors.get(3)).isSameAs(tensors.get("output.bias"));
    assertThat(tensors.size()).isEqualTo(30 + 24 + 8 + 2);
    assertThat(tensors.groupSize("words")).isEqualTo(10);
    assertThat(tensors.groupSize("classes")).isEqualTo(2);
    assertThat(tensors.specs()).isEqualTo(classifier(10, 2));
    assertThat(tensors.dataType()).isEqualTo(DataType.FLOAT);

    assertThatThrownBy(() -> Tensors.zeros(DataType.FLOAT, Spec.fixed("a", 1, 1), Spec.fixed("a", 2, 2)))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> Tensors.zeros(DataType.FLOAT, Spec.growing("a", 3, 1, "g", Axis.ROWS),
        Spec.growing("b", 1, 4, "g", Axis.COLUMNS))).hasMessageContaining("group g has size 3");
    assertThatThrownBy(() -> Tensors.zeros(DataType.INT, classifier(1, 1))).hasMessageContaining("FLOAT or DOUBLE");
    assertThatThrownBy(() -> Spec.fixed("a", 0, 1)).hasMessageContaining("at least 1 × 1");
    assertThatThrownBy(() -> tensors.get("nothing")).hasMessageContaining("no tensor nothing");
  }

  @Test
  void growingAGroupAppendsRowsOrColumnsInOrderAndKeepsEverythingElse() {
    Tensors tensors = random(DataType.DOUBLE, classifier(4, 2), 1);
    Tensors before = tensors.copy();
    List<String> asked = new ArrayList<>();
    double[] counter = {0};
    tensors.grow("classes", 2, (name, existing) -> {
      asked.add(name + " of " + existing.length());
      return ++counter[0];
    });
    // Tensor by tensor in order, each in C order: the output's two new rows, then the bias's two new columns.
    assertThat(asked).containsExactly("output.weights of 8", "output.weights of 8", "output.weights of 8",
        "output.weights of 8", "output.weights of 8", "output.weights of 8", "output.weights of 8",
        "output.weights of 8", "output.bias of 2", "output.bias of 2");
    assertThat(tensors.groupSize("classes")).isEqualTo(4);
    assertThat(tensors.get("output.weights").shape()).containsExactly(4, 4);
    assertThat(tensors.get("output.bias").shape()).containsExactly(1, 4);
    assertThat(values(tensors.get("output.weights"))).startsWith(values(before.get("output.weights")))
        .endsWith(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(values(tensors.get("output.bias"))).startsWith(values(before.get("output.bias"))).endsWith(9, 10);
    assertThat(values(tensors.get("embedding"))).isEqualTo(values(before.get("embedding")));
    assertThat(values(tensors.get("filters"))).isEqualTo(values(before.get("filters")));

    // A column group: each row keeps its values and gets the new column at its end.
    Tensors wide = Tensors.zeros(DataType.FLOAT, Spec.growing("w", 2, 2, "v", Axis.COLUMNS));
    Vec.copy(vec(1, 2, 3, 4), 0, Vec.of(wide.get(0)), 0, 4);
    wide.grow("v", 1, (name, existing) -> -1);
    assertThat(values(wide.get(0))).containsExactly(1, 2, -1, 3, 4, -1);
    assertThatThrownBy(() -> wide.grow("nothing", 1, Tensors.Fill.ZEROS)).hasMessageContaining("no group nothing");
  }

  @Test
  void aGradientFromBeforeAGrowthIsPaddedWithZeros() {
    Tensors params = random(DataType.FLOAT, classifier(5, 3), 2);
    Tensors gradient = random(DataType.FLOAT, classifier(5, 3), 3);
    Tensors old = gradient.copy();
    params.grow("words", 2, Tensors.Fill.ZEROS);
    params.grow("classes", 1, Tensors.Fill.ZEROS);
    assertThat(gradient.sameShapeAs(params)).isFalse();
    gradient.padTo(params);
    assertThat(gradient.sameShapeAs(params)).isTrue();
    assertThat(values(gradient.get("embedding"))).startsWith(values(old.get("embedding"))).endsWith(0, 0, 0, 0, 0, 0);
    assertThat(values(gradient.get("output.bias"))).startsWith(values(old.get("output.bias"))).endsWith(0);
    gradient.padTo(params); // already there: nothing changes
    assertThat(gradient.sameShapeAs(params)).isTrue();

    Tensors larger = random(DataType.FLOAT, classifier(9, 3), 4);
    assertThatThrownBy(() -> larger.padTo(params)).hasMessageContaining("cannot pad embedding 9 × 3");
    Tensors other = Tensors.zeros(DataType.FLOAT, Spec.fixed("a", 1, 1));
    assertThatThrownBy(() -> other.padTo(params)).hasMessageContaining("cannot pad");
  }

  @Test
  void arithmeticOverAllTensors() {
    Tensors a = Tensors.zeros(DataType.DOUBLE, Spec.fixed("x", 1, 2), Spec.fixed("y", 2, 1));
    Vec.copy(vec(3, 0), 0, Vec.of(a.get(0)), 0, 2);
    Vec.copy(vec(0, 4), 0, Vec.of(a.get(1)), 0, 2);
    assertThat(a.globalNorm()).isEqualTo(5);
    Tensors b = a.copy();
    b.scale(2);
    assertThat(values(a.get(0))).containsExactly(3, 0);
    a.add(b);
    assertThat(values(a.get(0))).containsExactly(9, 0);
    assertThat(values(a.get(1))).containsExactly(0, 12);
    assertThat(GradientClipping.clipGlobalNorm(a, 5)).isCloseTo(15, within(1e-12));
    assertThat(a.globalNorm()).isCloseTo(5, within(1e-6));
    Tensors zeros = a.zerosLike();
    assertThat(zeros.sameShapeAs(a)).isTrue();
    assertThat(zeros.globalNorm()).isZero();
    a.clear();
    assertThat(a.globalNorm()).isZero();
    assertThatThrownBy(() -> a.add(Tensors.zeros(DataType.DOUBLE, Spec.fixed("x", 1, 2))))
        .hasMessageContaining("tensor sets differ");
  }

  @Test
  void binaryStateRoundTripsExactlyInFloatAndDouble() throws IOException {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Tensors tensors = random(type, classifier(7, 3), 5);
      byte[] bytes = StateFormat.toBytes(tensors::writeTo);
      assertThat((double) bytes.length).isEqualTo(Tensors.stateBytes(type, tensors.specs()));

      Tensors read = Tensors.readFrom(in(bytes), "test tensors");
      assertSame(read, tensors);
      Tensors into = tensors.zerosLike();
      into.readValues(in(bytes), "test tensors");
      assertSame(into, tensors);
      assertSame(Tensors.fromWireBytes(tensors.toWireBytes()), tensors);
    }
  }

  @Test
  void valuesOfAnotherLayoutAreRefusedSayingHow() {
    byte[] bytes = StateFormat.toBytes(random(DataType.FLOAT, classifier(7, 3), 5)::writeTo);
    assertThatThrownBy(() -> Tensors.zeros(DataType.FLOAT, classifier(8, 3)).readValues(in(bytes), "moments"))
        .isInstanceOf(IOException.class).hasMessageContaining("moments embedding was stored as 7 × 3, expected 8 × 3");
    assertThatThrownBy(() -> Tensors.zeros(DataType.DOUBLE, classifier(7, 3)).readValues(in(bytes), "moments"))
        .isInstanceOf(IOException.class).hasMessageContaining("stored as FLOAT, expected DOUBLE");
    List<Spec> renamed = new ArrayList<>(classifier(7, 3));
    renamed.set(1, Spec.fixed("kernels", 6, 4));
    assertThatThrownBy(() -> Tensors.zeros(DataType.FLOAT, renamed).readValues(in(bytes), "moments"))
        .isInstanceOf(IOException.class).hasMessageContaining("tensor 1 was stored as filters 6 × 4, expected kernels");
    byte[] newer = bytes.clone();
    newer[0] = 2;
    assertThatThrownBy(() -> Tensors.readFrom(in(newer), "moments")).isInstanceOf(IOException.class)
        .hasMessageContaining("format version 2, this build reads versions 1 to 1");
  }

  @Test
  void damagedInputIsAnIOExceptionNeverAnAllocationOfWhatItClaims() {
    Tensors tensors = random(DataType.FLOAT, classifier(7, 3), 5);
    byte[] bytes = StateFormat.toBytes(tensors::writeTo);
    for (int cut : new int[] {0, 1, 5, 20, bytes.length / 2, bytes.length - 1}) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertRefused(() -> Tensors.readFrom(in(truncated), "t"));
      assertRefused(() -> Tensors.fromWireBytes(truncated));
      assertRefused(() -> readInto(tensors.zerosLike(), truncated));
    }
    // The embedding's rows (after version, type, count, "embedding", growth "words" by rows) claim 2^31 − 9: a
    // stream reader runs out of input, the wire reader sees the bytes do not add up; neither allocates 8 GiB.
    int rowsAt = 1 + 1 + 4 + 2 + "embedding".length() + 1 + 2 + "words".length();
    byte[] huge = bytes.clone();
    ByteBuffer.wrap(huge).putInt(rowsAt, StateFormat.MAX_ARRAY_LENGTH / 3);
    assertRefused(() -> Tensors.readFrom(in(huge), "t"));
    assertThatThrownBy(() -> Tensors.fromWireBytes(huge)).hasMessageContaining("bytes of values for");
    byte[] zeroRows = bytes.clone();
    ByteBuffer.wrap(zeroRows).putInt(rowsAt, 0);
    assertThatThrownBy(() -> Tensors.readFrom(in(zeroRows), "t")).hasMessageContaining("t embedding rows 0");
    byte[] manyTensors = bytes.clone();
    ByteBuffer.wrap(manyTensors).putInt(2, Integer.MAX_VALUE);
    assertThatThrownBy(() -> Tensors.readFrom(in(manyTensors), "t")).hasMessageContaining("tensor count");
    byte[] extra = Arrays.copyOf(bytes, bytes.length + 4);
    assertThatThrownBy(() -> Tensors.fromWireBytes(extra)).hasMessageContaining("bytes of values for");

    byte[] garbage = new byte[4096];
    new Random(8).nextBytes(garbage);
    assertRefused(() -> Tensors.readFrom(in(garbage), "t"));
    assertRefused(() -> Tensors.fromWireBytes(garbage));
    assertRefused(() -> readInto(tensors.zerosLike(), garbage));
  }

  @Test
  void aSingleArrayRoundTripsEvenFromAView() throws IOException {
    Tensors tensors = random(DataType.FLOAT, classifier(7, 3), 5);
    INDArray rows = tensors.get("embedding").get(NDArrayIndex.interval(2, 5),
        NDArrayIndex.all());
    byte[] bytes = StateFormat.toBytes(out -> Tensors.writeArray(out, rows));
    INDArray target = Nd4j.zeros(DataType.FLOAT, 3, 3);
    Tensors.readArray(in(bytes), target, "rows");
    assertThat(values(target)).isEqualTo(Arrays.copyOfRange(values(tensors.get("embedding")), 6, 15));
    INDArray wrong = Nd4j.zeros(DataType.FLOAT, 2, 3);
    assertThatThrownBy(() -> Tensors.readArray(in(bytes), wrong, "rows"))
        .hasMessageContaining("rows was stored as 3 × 3, expected 2 × 3");
  }

  private interface Read {
    Object run() throws Exception;
  }

  private static void assertRefused(Read read) {
    try {
      Object result = read.run();
      throw new AssertionError("read damaged bytes as " + result);
    } catch (IOException expected) {
      // refused
    } catch (Exception | OutOfMemoryError unexpected) {
      throw new AssertionError("expected an IOException, got " + unexpected, unexpected);
    }
  }

  private static Tensors readInto(Tensors target, byte[] bytes) throws IOException {
    target.readValues(in(bytes), "t");
    return target;
  }

  private static void assertSame(Tensors actual, Tensors expected) {
    assertThat(actual.sameShapeAs(expected)).isTrue();
    for (int k = 0; k < expected.count(); k++) {
      assertThat(values(actual.get(k))).as(expected.names().get(k)).isEqualTo(values(expected.get(k)));
    }
  }

  private static DataInputStream in(byte[] bytes) {
    return new DataInputStream(new ByteArrayInputStream(bytes));
  }

  private static Vec vec(double... values) {
    INDArray array = Nd4j.zeros(DataType.DOUBLE, 1, values.length);
    Vec vec = Vec.of(array);
    for (int i = 0; i < values.length; i++) {
      vec.set(i, values[i]);
    }
    return vec;
  }

  private static double[] values(INDArray array) {
    Vec vec = Vec.of(array);
    double[] values = new double[vec.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = vec.get(i);
    }
    return values;
  }
}
