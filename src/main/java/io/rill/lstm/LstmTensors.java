package io.rill.lstm;

import com.fasterxml.jackson.annotation.JsonValue;
import io.rill.nn.Tensors;
import io.rill.state.StateFormat;
import io.rill.wire.WireBytes;
import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A character model's view of a {@link Tensors} set shaped like its parameters: what {@link LstmParams} holds as
 * weights and {@link LstmGradients} as their gradients. The set itself is plain (a parameter server holds, updates,
 * grows and sends it without knowing the model); this view names its tensors and knows the architecture.
 *
 * <ul>
 *   <li>{@code embedding}: V × E, one row per character id;</li>
 *   <li>{@code layer<l>.weights}: (H + In) × G·H. Row block [0, H) multiplies the previous state h, row block
 *       [H, H + In) the input x, so one product {@code [h, x] · W} gives every gate's pre-activation for a batch;
 *       the G = 4 gate column blocks of an LSTM are forget, input, candidate, output;</li>
 *   <li>{@code layer<l>.bias}: 1 × G·H;</li>
 *   <li>{@code output.weights}: H × V and {@code output.bias}: 1 × V, the softmax layer.</li>
 * </ul>
 *
 * <p>The vocabulary size V is the only dimension that changes: the tensors' group {@value #VOCABULARY} is the
 * embedding's rows and the output weights' and bias's columns, so a new character appends one of each and ids
 * already in use keep theirs. The arrays are replaced on growth; callers take them from here rather than holding on
 * to them.
 *
 * <p>Binary state ({@link #writeTo}, read by the subclasses' {@code readFrom}): format version (an int),
 * architecture ({@link LstmConfig#writeArchitecture}), vocabulary size, then the tensors ({@link Tensors#writeTo}).
 * Version 1 wrote the tensors without names; a reader of it is refused with the version it found.
 *
 * <p>Wire form between nodes ({@link #toWireBytes}, read by the subclasses' {@code fromWireBytes}): the dropout rate,
 * then the binary state, so the values stay raw big-endian float32 (float64 in a gradient check's double model) as the
 * checkpoint writer puts them: one copy of the tensors' bytes, no CBOR number per value.
 */
public abstract sealed class LstmTensors permits LstmParams, LstmGradients {

  /** The group that grows with the vocabulary. */
  public static final String VOCABULARY = "vocabulary";
  public static final String EMBEDDING = "embedding";
  public static final String OUTPUT_WEIGHTS = "output.weights";
  public static final String OUTPUT_BIAS = "output.bias";

  /** Version of the binary state {@link #writeTo} writes. */
  static final int FORMAT_VERSION = 2;

  private final LstmConfig config;
  private final Tensors tensors;

  /** A view of {@code tensors}, which must be shaped like a model of {@code config}. */
  LstmTensors(LstmConfig config, Tensors tensors) {
    this.config = config;
    this.tensors = tensors;
    if (tensors.dataType() != config.dataType()
        || !tensors.specs().equals(specs(config, tensors.groupSize(VOCABULARY)))) {
      throw new IllegalArgumentException(tensors + " are not the tensors of a character model of " + config);
    }
  }

  /** The name of layer {@code layer}'s weights. */
  public static String weightsName(int layer) {
    return "layer" + layer + ".weights";
  }

  /** The name of layer {@code layer}'s bias. */
  public static String biasName(int layer) {
    return "layer" + layer + ".bias";
  }

  /**
   * The tensors of a model of {@code config} with {@code vocabularySize} ids, in order. Sizes are longs, so that a
   * damaged size from another node describes a huge model rather than overflowing into a small one.
   */
  public static List<Tensors.Spec> specs(LstmConfig config, long vocabularySize) {
    long hidden = config.hiddenSize();
    long gates = (long) config.cell().cell().gates() * hidden;
    List<Tensors.Spec> specs = new ArrayList<>(2 * config.layers() + 3);
    specs.add(Tensors.Spec.growing(EMBEDDING, vocabularySize, config.embeddingSize(), VOCABULARY, Tensors.Axis.ROWS));
    for (int l = 0; l < config.layers(); l++) {
      specs.add(Tensors.Spec.fixed(weightsName(l), hidden + config.inputSize(l), gates));
      specs.add(Tensors.Spec.fixed(biasName(l), 1, gates));
    }
    specs.add(Tensors.Spec.growing(OUTPUT_WEIGHTS, hidden, vocabularySize, VOCABULARY, Tensors.Axis.COLUMNS));
    specs.add(Tensors.Spec.growing(OUTPUT_BIAS, 1, vocabularySize, VOCABULARY, Tensors.Axis.COLUMNS));
    return specs;
  }

  /** Zero tensors for {@code config} and a vocabulary of {@code vocabularySize} ids. */
  static Tensors zeros(LstmConfig config, int vocabularySize) {
    if (vocabularySize < 1) {
      throw new IllegalArgumentException("vocabulary size must be positive: " + vocabularySize);
    }
    return Tensors.zeros(config.dataType(), specs(config, vocabularySize));
  }

  public LstmConfig config() {
    return config;
  }

  /** The plain tensor set this view reads and writes (not a copy). */
  public Tensors tensors() {
    return tensors;
  }

  public int vocabularySize() {
    return tensors.get(0).rows();
  }

  public INDArray embedding() {
    return tensors.get(0);
  }

  public INDArray weights(int layer) {
    return tensors.get(1 + 2 * layer);
  }

  public INDArray bias(int layer) {
    return tensors.get(2 + 2 * layer);
  }

  public INDArray outputWeights() {
    return tensors.get(tensors.count() - 2);
  }

  public INDArray outputBias() {
    return tensors.get(tensors.count() - 1);
  }

  /** The tensors' names, in order. */
  public List<String> names() {
    return tensors.names();
  }

  /** The number of scalars over all tensors. */
  public long size() {
    return tensors.size();
  }

  /** Whether {@code other} has the same configuration and vocabulary size, hence tensors of the same shapes. */
  public boolean sameShapeAs(LstmTensors other) {
    return config.equals(other.config) && vocabularySize() == other.vocabularySize();
  }

  void requireSameShape(LstmTensors other) {
    if (!sameShapeAs(other)) {
      throw new IllegalArgumentException("tensor sets differ in shape: vocabulary " + vocabularySize() + " vs "
          + other.vocabularySize() + ", config " + config + " vs " + other.config);
    }
  }

  /** Writes the architecture, the vocabulary size and the tensors. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    config.writeArchitecture(out);
    out.writeInt(vocabularySize());
    tensors.writeTo(out);
  }

  /**
   * Reads what {@link #writeTo} wrote for {@code config} and {@code vocabularySize} (what the caller expects: the
   * running configuration and the vocabulary restored alongside); fails on anything else, naming {@code what} was
   * being read. Nothing is allocated beyond that model's tensors.
   */
  static Tensors readTensors(DataInput in, LstmConfig config, int vocabularySize, String what) throws IOException {
    StateFormat.readIntVersion(in, FORMAT_VERSION, what);
    config.checkArchitecture(in, what);
    int storedVocabulary = in.readInt();
    StateFormat.require(storedVocabulary == vocabularySize, what + " was stored for a vocabulary of "
        + storedVocabulary + " ids, expected " + vocabularySize);
    Tensors tensors = zeros(config, vocabularySize);
    tensors.readValues(in, what);
    return tensors;
  }

  /**
   * The wire form: the dropout rate (the configuration's one part that {@link #writeTo} leaves out and that tensors
   * of the same shape must still agree on), then what {@link #writeTo} writes.
   */
  @JsonValue
  public byte[] toWireBytes() {
    return StateFormat.toBytes(out -> {
      out.writeDouble(config.dropout());
      writeTo(out);
    });
  }

  /** A subclass's {@code readFrom}. */
  interface Reader<T extends LstmTensors> {
    T readFrom(DataInput in, LstmConfig config, int vocabularySize) throws IOException;
  }

  /**
   * Tensors from their wire form, read by {@code reader} with the architecture and vocabulary size the form itself
   * names. Those must account for exactly the form's length before anything is allocated, so a damaged size is
   * refused rather than allocated.
   */
  static <T extends LstmTensors> T fromWireBytes(byte[] bytes, String what, Reader<T> reader) throws IOException {
    DataInputStream header = new DataInputStream(new ByteArrayInputStream(bytes));
    LstmConfig config;
    int vocabularySize;
    try {
      double dropout = header.readDouble();
      StateFormat.readIntVersion(header, FORMAT_VERSION, what);
      config = LstmConfig.readArchitecture(header, dropout, what);
      vocabularySize = StateFormat.readInt(header, 1, Character.MAX_CODE_POINT + 1, what + " vocabulary size");
    } catch (EOFException e) {
      throw new IOException(what + ": truncated in its header, " + bytes.length + " bytes", e);
    }
    int available = header.available();
    // Every tensor's header takes at least 11 bytes: bound the layers by the bytes before listing their tensors.
    boolean fewEnoughLayers = (2.0 * config.layers() + 3) * 11 <= available;
    double expected = fewEnoughLayers ? Tensors.stateBytes(config.dataType(), specs(config, vocabularySize)) : -1;
    StateFormat.require(expected == available, what + ": " + available + " bytes of tensors for " + config
        + " and a vocabulary of " + vocabularySize + ", which take "
        + (fewEnoughLayers ? String.valueOf((long) expected) : "more"));
    return WireBytes.read(bytes, in -> {
      in.readDouble();
      return reader.readFrom(in, config, vocabularySize);
    }, what);
  }
}
