package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rill.nn.Adam;
import io.rill.nn.CellType;
import io.rill.nn.GradientClipping;
import io.rill.nn.Vec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The model classes' binary state for checkpoints: what is read back behaves exactly as what was written (training
 * continues to the same bits, lanes give the same chunks, the vocabulary and seen set give the same answers), and
 * damaged input is an IOException, never a wrong object or a huge allocation.
 */
class StateRoundTripTest {

  private static final List<String> NAMES = List.of("anna", "bob", "carl", "dora", "emil");

  /** Something that writes itself to a DataOutput. */
  private interface Writer {
    void writeTo(DataOutputStream out) throws IOException;
  }

  /** Something that reads itself back from a DataInputStream. */
  private interface Reader<T> {
    T readFrom(DataInputStream in) throws IOException;
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void parametersAndAdamRestoredMidTrainingTrainOnToTheSameBits(CellType cellType) throws IOException {
    Random order = new Random(4);
    String text = IntStream.range(0, 200).mapToObj(i -> NAMES.get(order.nextInt(NAMES.size())) + "\n")
        .collect(Collectors.joining());
    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters(text);
    int[] ids = vocabulary.encode("\n" + text);
    LstmConfig config = LstmConfig.lstm(6, 12).withCell(cellType).withLayers(2);
    ParallelStreams streams = new ParallelStreams(ids, 3, 8);
    LstmParams params = LstmParams.initialize(config, vocabulary.size(), 1);
    Adam adam = new Adam(params.tensors(), 1e-2, 0.9, 0.999, 1e-8);
    CharLstm engine = new CharLstm(config, 2);
    LstmState state = LstmState.zeros(config, 3);
    for (int k = 0; k < 5; k++) {
      state = trainStep(engine, params, adam, streams, k, state);
    }

    byte[] paramBytes = bytes(params::writeTo);
    byte[] adamBytes = bytes(adam::writeTo);
    byte[] stateBytes = bytes(state::writeTo);
    LstmParams restoredParams = read(paramBytes, in -> LstmParams.readFrom(in, config, vocabulary.size()));
    Adam restoredAdam = read(adamBytes, in -> Adam.readFrom(in, restoredParams.tensors()));
    LstmState restoredState = read(stateBytes, in -> LstmState.readFrom(in, config, 3));
    assertThat(restoredAdam.steps()).isEqualTo(5);
    assertThat(restoredAdam.learningRate()).isEqualTo(1e-2);
    assertThat(bytes(restoredAdam::writeTo)).isEqualTo(adamBytes);

    CharLstm restoredEngine = new CharLstm(config, 2);
    for (int k = 5; k < 10; k++) {
      state = trainStep(engine, params, adam, streams, k, state);
      restoredState = trainStep(restoredEngine, restoredParams, restoredAdam, streams, k, restoredState);
    }
    assertSameValues(restoredParams, params);
    assertThat(bytes(restoredAdam::writeTo)).isEqualTo(bytes(adam::writeTo));
    assertThat(values(restoredState.hidden(1))).isEqualTo(values(state.hidden(1)));
  }

  @Test
  void doubleGradientsRoundTripExactly() throws IOException {
    LstmConfig config = LstmConfig.lstm(3, 5).withDataType(DataType.DOUBLE);
    LstmGradients gradients = LstmGradients.zerosLike(LstmParams.initialize(config, 7, 1));
    Random random = new Random(3);
    for (INDArray tensor : gradients.tensors()) {
      Vec vec = Vec.of(tensor);
      for (int i = 0; i < vec.length(); i++) {
        vec.set(i, random.nextGaussian());
      }
    }
    LstmGradients restored = read(bytes(gradients::writeTo), in -> LstmGradients.readFrom(in, config, 7));
    assertSameValues(restored, gradients);
  }

  @Test
  void aLargeFloatModelIsWrittenInBulkAndReadBackEqual() throws IOException {
    LstmConfig config = LstmConfig.lstm(64, 256);
    LstmParams params = LstmParams.initialize(config, 90, 5);
    assertThat(params.size()).isGreaterThan(350_000);
    byte[] written = bytes(params::writeTo);
    assertThat(written.length).isBetween(4 * (int) params.size(), 4 * (int) params.size() + 200);
    assertSameValues(read(written, in -> LstmParams.readFrom(in, config, 90)), params);
  }

  @Test
  void parametersOfAnotherShapeOrVersionAreRefused() throws IOException {
    LstmConfig config = LstmConfig.lstm(4, 6);
    byte[] written = bytes(LstmParams.initialize(config, 5, 1)::writeTo);

    assertThatThrownBy(() -> read(written, in -> LstmParams.readFrom(in, config.withCell(CellType.RNN), 5)))
        .isInstanceOf(IOException.class).hasMessageContaining("expected RNN");
    assertThatThrownBy(() -> read(written, in -> LstmParams.readFrom(in, config.withDataType(DataType.DOUBLE), 5)))
        .isInstanceOf(IOException.class).hasMessageContaining("DOUBLE");
    assertThatThrownBy(() -> read(written, in -> LstmParams.readFrom(in, config, 6)))
        .isInstanceOf(IOException.class).hasMessageContaining("vocabulary of 5 ids, expected 6");
    byte[] newerVersion = written.clone();
    ByteBuffer.wrap(newerVersion).putInt(0, LstmTensors.FORMAT_VERSION + 1);
    assertThatThrownBy(() -> read(newerVersion, in -> LstmParams.readFrom(in, config, 5)))
        .isInstanceOf(IOException.class).hasMessageContaining("format version " + (LstmTensors.FORMAT_VERSION + 1));
    // Dropout is a training setting, not part of the stored shape.
    assertSameValues(read(written, in -> LstmParams.readFrom(in, config.withDropout(0.3), 5)),
        LstmParams.initialize(config, 5, 1));
  }

  @Test
  void truncatedModelStateIsAnIOException() throws IOException {
    LstmConfig config = LstmConfig.lstm(4, 6);
    LstmParams params = LstmParams.initialize(config, 5, 1);
    Adam adam = new Adam(params.tensors());
    byte[] paramBytes = bytes(params::writeTo);
    byte[] adamBytes = bytes(adam::writeTo);
    byte[] stateBytes = bytes(LstmState.zeros(config, 2)::writeTo);
    for (int cut : new int[] {0, 3, 10, 40, paramBytes.length / 2, paramBytes.length - 1}) {
      assertRefused(Arrays.copyOf(paramBytes, cut), in -> LstmParams.readFrom(in, config, 5));
    }
    for (int cut : new int[] {0, 20, 44, adamBytes.length / 2, adamBytes.length - 1}) {
      assertRefused(Arrays.copyOf(adamBytes, cut), in -> Adam.readFrom(in, params.tensors()));
    }
    for (int cut = 0; cut < stateBytes.length; cut++) {
      assertRefused(Arrays.copyOf(stateBytes, cut), in -> LstmState.readFrom(in, config, 2));
    }
  }

  @Test
  void garbageIsAnIOException() {
    LstmConfig config = LstmConfig.lstm(4, 6);
    LstmParams params = LstmParams.initialize(config, 5, 1);
    byte[] garbage = new byte[4096];
    new Random(8).nextBytes(garbage);
    assertRefused(garbage, in -> LstmParams.readFrom(in, config, 5));
    assertRefused(garbage, in -> Adam.readFrom(in, params.tensors()));
    assertRefused(garbage, in -> LstmState.readFrom(in, config, 2));
    assertRefused(garbage, CharVocabulary::readFrom);
    assertRefused(garbage, SeenSequences::readFrom);
    assertRefused(garbage, in -> StreamLanes.readFrom(in, 2, 4, 5));
  }

  @Test
  void adamWithImpossibleHyperParametersIsRefused() throws IOException {
    LstmParams params = LstmParams.initialize(LstmConfig.lstm(2, 3), 4, 1);
    byte[] written = bytes(new Adam(params.tensors())::writeTo);
    byte[] negativeRate = written.clone();
    ByteBuffer.wrap(negativeRate).putDouble(4, -1);
    assertThatThrownBy(() -> read(negativeRate, in -> Adam.readFrom(in, params.tensors())))
        .isInstanceOf(IOException.class).hasMessageContaining("learning rate -1.0");
    byte[] betaOne = written.clone();
    ByteBuffer.wrap(betaOne).putDouble(12, 1.0);
    assertThatThrownBy(() -> read(betaOne, in -> Adam.readFrom(in, params.tensors())))
        .isInstanceOf(IOException.class).hasMessageContaining("β");
    LstmParams grown = params.copy();
    grown.growVocabulary(new Random(1));
    assertThatThrownBy(() -> read(written, in -> Adam.readFrom(in, grown.tensors())))
        .isInstanceOf(IOException.class).hasMessageContaining("first moment");
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void recurrentStateRoundTripsToEqualArraysAndRefusesAnotherBatch(CellType cellType) throws IOException {
    LstmConfig config = LstmConfig.lstm(3, 4).withCell(cellType).withLayers(2);
    LstmState state = LstmState.zeros(config, 3);
    Random random = new Random(6);
    for (int l = 0; l < 2; l++) {
      fill(state.hidden(l), random);
      if (state.cell(l) != null) {
        fill(state.cell(l), random);
      }
    }
    byte[] written = bytes(state::writeTo);
    LstmState restored = read(written, in -> LstmState.readFrom(in, config, 3));
    for (int l = 0; l < 2; l++) {
      assertThat(restored.hidden(l).shape()).isEqualTo(state.hidden(l).shape());
      assertThat(values(restored.hidden(l))).isEqualTo(values(state.hidden(l)));
      if (cellType == CellType.LSTM) {
        assertThat(values(restored.cell(l))).isEqualTo(values(state.cell(l)));
      } else {
        assertThat(restored.cell(l)).isNull();
      }
    }
    assertThatThrownBy(() -> read(written, in -> LstmState.readFrom(in, config, 4)))
        .isInstanceOf(IOException.class).hasMessageContaining("expected 2 layers of 4 × 4");
    // Views (streams 1 and 2 of the state above, not copied) are written as their own values.
    INDArray[] hidden = new INDArray[2];
    INDArray[] cell = new INDArray[2];
    for (int l = 0; l < 2; l++) {
      hidden[l] = state.hidden(l).get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
      cell[l] = state.cell(l) == null ? null : state.cell(l).get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
    }
    assertThat(hidden[0].isView()).isTrue();
    LstmState views = new LstmState(hidden, cell);
    LstmState fromViews = read(bytes(views::writeTo), in -> LstmState.readFrom(in, config, 2));
    assertThat(values(fromViews.hidden(1))).isEqualTo(values(state.rows(1, 2).hidden(1)));
  }

  @Test
  void vocabularyRoundTripsWithEveryIdAndGrowsTheSameWay() throws IOException {
    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters("zebra ärger 😀");
    vocabulary.add('Q');
    CharVocabulary restored = read(bytes(vocabulary::writeTo), CharVocabulary::readFrom);
    assertThat(restored.size()).isEqualTo(vocabulary.size());
    for (int id = 0; id < vocabulary.size(); id++) {
      assertThat(restored.codePoint(id)).isEqualTo(vocabulary.codePoint(id));
    }
    assertThat(restored.encode("bär 😀\n")).isEqualTo(vocabulary.encode("bär 😀\n"));
    assertThat(restored.idOf('x')).isEqualTo(-1);
    assertThat(restored.add('x')).isEqualTo(vocabulary.add('x'));
  }

  @Test
  void damagedVocabularyIsRefused() throws IOException {
    assertRefused(ints(CharVocabulary.FORMAT_VERSION, 3, '\n', 'a', 'a'), CharVocabulary::readFrom, "repeated");
    assertRefused(ints(CharVocabulary.FORMAT_VERSION, 2, 'a', '\n'), CharVocabulary::readFrom, "newline");
    assertRefused(ints(CharVocabulary.FORMAT_VERSION, 2, '\n', -5), CharVocabulary::readFrom, "invalid code point");
    assertRefused(ints(CharVocabulary.FORMAT_VERSION, Integer.MAX_VALUE, '\n'), CharVocabulary::readFrom,
        "vocabulary size");
    assertRefused(ints(CharVocabulary.FORMAT_VERSION, 0), CharVocabulary::readFrom, "vocabulary size");
    assertRefused(ints(CharVocabulary.FORMAT_VERSION, 500, '\n', 'a'), CharVocabulary::readFrom, null);
  }

  @Test
  void seenSequencesRoundTripGiveTheSameAnswers() throws IOException {
    SeenSequences seen = new SeenSequences(2_000, 0.01);
    for (int i = 0; i < 1_500; i++) {
      seen.add("name" + i);
    }
    SeenSequences restored = read(bytes(seen::writeTo), SeenSequences::readFrom);
    assertThat(restored.bits()).isEqualTo(seen.bits());
    assertThat(restored.hashes()).isEqualTo(seen.hashes());
    assertThat(restored.count()).isEqualTo(seen.count());
    for (int i = 0; i < 5_000; i++) {
      assertThat(restored.mightContain("name" + i)).isEqualTo(seen.mightContain("name" + i));
    }
    assertThat(restored.add("name7")).isFalse();
    assertThat(restored.add("newcomer")).isEqualTo(seen.add("newcomer"));
    assertThat(restored.count()).isEqualTo(seen.count());
  }

  @Test
  void damagedSeenSequencesAreRefusedBeforeAllocating() throws IOException {
    byte[] written = bytes(new SeenSequences(100, 0.01)::writeTo);
    byte[] oddBits = written.clone();
    ByteBuffer.wrap(oddBits).putLong(4, 1000);
    assertRefused(oddBits, SeenSequences::readFrom, "bit count 1000");
    byte[] hugeBits = written.clone();
    ByteBuffer.wrap(hugeBits).putLong(4, 1L << 40);
    assertRefused(hugeBits, SeenSequences::readFrom, "bit count");
    byte[] noHashes = written.clone();
    ByteBuffer.wrap(noHashes).putInt(12, 0);
    assertRefused(noHashes, SeenSequences::readFrom, "hash count 0");
    byte[] wrongWords = written.clone();
    ByteBuffer.wrap(wrongWords).putInt(24, 3);
    assertRefused(wrongWords, SeenSequences::readFrom, "3 words");
    assertRefused(Arrays.copyOf(written, written.length - 1), SeenSequences::readFrom, null);
  }

  @Test
  void restoredLanesGiveTheSameChunksAndTakeUnitsTheSameWay() throws IOException {
    Random random = new Random(11);
    StreamLanes lanes = new StreamLanes(3, 5);
    List<int[]> units = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      int[] unit = new int[1 + random.nextInt(9)];
      for (int j = 0; j < unit.length; j++) {
        unit[j] = random.nextInt(12);
      }
      units.add(unit);
    }
    for (int i = 0; i < 30; i++) {
      lanes.add(units.get(i));
      if (lanes.hasChunk() && i % 3 == 0) {
        lanes.advance(); // lanes now start part-way into their arrays
      }
    }
    StreamLanes restored = read(bytes(lanes::writeTo), in -> StreamLanes.readFrom(in, 3, 5, 12));
    assertThat(restored.backlog()).isEqualTo(lanes.backlog());
    for (int i = 30; i < 60; i++) {
      lanes.add(units.get(i));
      restored.add(units.get(i));
      assertThat(restored.hasChunk()).isEqualTo(lanes.hasChunk());
      while (lanes.hasChunk()) {
        assertThat(restored.inputs()).isDeepEqualTo(lanes.inputs());
        assertThat(restored.targets()).isDeepEqualTo(lanes.targets());
        lanes.advance();
        restored.advance();
      }
      assertThat(restored.backlog()).isEqualTo(lanes.backlog());
    }
  }

  @Test
  void damagedLanesAreRefused() throws IOException {
    StreamLanes lanes = new StreamLanes(2, 3);
    lanes.add(new int[] {4, 5, 0});
    byte[] written = bytes(lanes::writeTo);
    assertRefused(written, in -> StreamLanes.readFrom(in, 3, 3, 6), "expected 3 of 3");
    assertRefused(written, in -> StreamLanes.readFrom(in, 2, 4, 6), "expected 2 of 4");
    assertRefused(written, in -> StreamLanes.readFrom(in, 2, 3, 5), "id 5 at 2 is outside [0, 5)");
    for (int cut = 0; cut < written.length; cut++) {
      assertRefused(Arrays.copyOf(written, cut), in -> StreamLanes.readFrom(in, 2, 3, 6), null);
    }
    // A lane claiming two billion ids on short input fails at the end of the input, not in an allocation.
    assertRefused(ints(StreamLanes.FORMAT_VERSION, 2, 3, Integer.MAX_VALUE - 8, 0, 1, 2),
        in -> StreamLanes.readFrom(in, 2, 3, 6), null);
    assertRefused(ints(StreamLanes.FORMAT_VERSION, 2, 3, 0), in -> StreamLanes.readFrom(in, 2, 3, 6),
        "lane 0 length is 0");
    assertRefused(ints(StreamLanes.FORMAT_VERSION, 2, 3, -4), in -> StreamLanes.readFrom(in, 2, 3, 6),
        "lane 0 length is -4");
  }

  private static LstmState trainStep(CharLstm engine, LstmParams params, Adam adam, ParallelStreams streams,
                                     int chunk, LstmState state) {
    int k = chunk % streams.chunks();
    CharLstm.ChunkResult result = engine.trainChunk(params, streams.inputs(k), streams.targets(k), state);
    GradientClipping.clipGlobalNorm(result.gradients().tensors(), GradientClipping.DEFAULT_MAX_NORM);
    adam.step(params.tensors(), result.gradients().tensors());
    return result.finalState();
  }

  private static void assertSameValues(LstmTensors actual, LstmTensors expected) {
    assertThat(actual.config().withDropout(0)).isEqualTo(expected.config().withDropout(0));
    assertThat(actual.vocabularySize()).isEqualTo(expected.vocabularySize());
    for (int k = 0; k < expected.tensors().count(); k++) {
      assertThat(actual.tensors().get(k).shape()).isEqualTo(expected.tensors().get(k).shape());
      assertThat(values(actual.tensors().get(k))).as(expected.names().get(k))
          .isEqualTo(values(expected.tensors().get(k)));
    }
  }

  private static double[] values(INDArray array) {
    Vec vec = Vec.of(array);
    double[] values = new double[vec.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = vec.get(i);
    }
    return values;
  }

  private static void fill(INDArray array, Random random) {
    Vec vec = Vec.of(array);
    for (int i = 0; i < vec.length(); i++) {
      vec.set(i, random.nextGaussian());
    }
  }

  private static byte[] bytes(Writer writer) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(buffer);
    writer.writeTo(out);
    out.flush();
    return buffer.toByteArray();
  }

  private static byte[] ints(int... values) {
    ByteBuffer buffer = ByteBuffer.allocate(4 * values.length);
    for (int value : values) {
      buffer.putInt(value);
    }
    return buffer.array();
  }

  private static <T> T read(byte[] bytes, Reader<T> reader) throws IOException {
    return reader.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  private static void assertRefused(byte[] bytes, Reader<?> reader) {
    assertRefused(bytes, reader, null);
  }

  /** Reading {@code bytes} must fail with an IOException, whose message contains {@code message} when given. */
  private static void assertRefused(byte[] bytes, Reader<?> reader, String message) {
    try {
      Object result = read(bytes, reader);
      throw new AssertionError("read " + bytes.length + " damaged bytes as " + result);
    } catch (IOException expected) {
      if (message != null) {
        assertThat(expected).hasMessageContaining(message);
      }
    } catch (RuntimeException | OutOfMemoryError unexpected) {
      throw new AssertionError("expected an IOException, got " + unexpected, unexpected);
    }
  }
}
