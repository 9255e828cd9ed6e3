package io.rill.lstm;

import com.fasterxml.jackson.annotation.JsonValue;
import io.rill.wire.WireBytes;
import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The set of tensors shaped like a character model's parameters: what {@link LstmParams} holds as weights and
 * {@link LstmGradients} as their gradients (and {@link Adam} as its moment estimates).
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
 * <p>The vocabulary size V is the only dimension that changes: {@link #appendVocabularyEntry} adds one embedding row,
 * one output column and one output bias, copying everything else, so ids already in use keep their rows. The arrays
 * are replaced on growth; callers take them from here rather than holding on to them.
 *
 * <p>Binary state ({@link #writeTo}, read by the subclasses' {@code readFrom}): format version, architecture,
 * vocabulary size, the number of tensors, then each tensor as rows, columns and values in C order (see
 * {@link StateFormat}).
 *
 * <p>Wire form between nodes ({@link #toWireBytes}, read by the subclasses' {@code fromWireBytes}): the dropout rate,
 * then the binary state, so the values stay raw big-endian float32 (float64 in a gradient check's double model) as the
 * checkpoint writer puts them: one copy of the tensors' bytes, no CBOR number per value.
 */
public abstract sealed class LstmTensors permits LstmParams, LstmGradients {

  /** Values for the entries a new vocabulary id adds. */
  interface NewEntryValues {
    double embedding();

    double outputWeight();

    double outputBias(Vec existingBiases);
  }

  /** Version of the binary state {@link #writeTo} writes. */
  static final int FORMAT_VERSION = 1;

  static final NewEntryValues ZEROS = new NewEntryValues() {
    @Override
    public double embedding() {
      return 0;
    }

    @Override
    public double outputWeight() {
      return 0;
    }

    @Override
    public double outputBias(Vec existingBiases) {
      return 0;
    }
  };

  private final LstmConfig config;
  private int vocabularySize;
  private INDArray embedding;
  private final INDArray[] weights;
  private final INDArray[] biases;
  private INDArray outputWeights;
  private INDArray outputBias;

  /** Zero tensors for {@code config} and a vocabulary of {@code vocabularySize} ids. */
  LstmTensors(LstmConfig config, int vocabularySize) {
    if (vocabularySize < 1) {
      throw new IllegalArgumentException("vocabulary size must be positive: " + vocabularySize);
    }
    this.config = config;
    this.vocabularySize = vocabularySize;
    int hidden = config.hiddenSize();
    embedding = Nd4j.zeros(config.dataType(), vocabularySize, config.embeddingSize());
    weights = new INDArray[config.layers()];
    biases = new INDArray[config.layers()];
    for (int l = 0; l < config.layers(); l++) {
      weights[l] = Nd4j.zeros(config.dataType(), hidden + config.inputSize(l), config.gateWidth());
      biases[l] = Nd4j.zeros(config.dataType(), 1, config.gateWidth());
    }
    outputWeights = Nd4j.zeros(config.dataType(), hidden, vocabularySize);
    outputBias = Nd4j.zeros(config.dataType(), 1, vocabularySize);
  }

  /** A deep copy of {@code other}'s tensors. */
  LstmTensors(LstmTensors other) {
    config = other.config;
    vocabularySize = other.vocabularySize;
    embedding = other.embedding.dup();
    weights = new INDArray[other.weights.length];
    biases = new INDArray[other.biases.length];
    for (int l = 0; l < weights.length; l++) {
      weights[l] = other.weights[l].dup();
      biases[l] = other.biases[l].dup();
    }
    outputWeights = other.outputWeights.dup();
    outputBias = other.outputBias.dup();
  }

  public LstmConfig config() {
    return config;
  }

  public int vocabularySize() {
    return vocabularySize;
  }

  public INDArray embedding() {
    return embedding;
  }

  public INDArray weights(int layer) {
    return weights[layer];
  }

  public INDArray bias(int layer) {
    return biases[layer];
  }

  public INDArray outputWeights() {
    return outputWeights;
  }

  public INDArray outputBias() {
    return outputBias;
  }

  /** Every tensor, in the fixed order of {@link #names()}. */
  public List<INDArray> tensors() {
    List<INDArray> all = new ArrayList<>(2 * weights.length + 3);
    all.add(embedding);
    for (int l = 0; l < weights.length; l++) {
      all.add(weights[l]);
      all.add(biases[l]);
    }
    all.add(outputWeights);
    all.add(outputBias);
    return Collections.unmodifiableList(all);
  }

  /** The tensors' names, in the order of {@link #tensors()}. */
  public List<String> names() {
    List<String> names = new ArrayList<>(2 * weights.length + 3);
    names.add("embedding");
    for (int l = 0; l < weights.length; l++) {
      names.add("layer" + l + ".weights");
      names.add("layer" + l + ".bias");
    }
    names.add("output.weights");
    names.add("output.bias");
    return Collections.unmodifiableList(names);
  }

  /** The number of scalars over all tensors. */
  public long size() {
    return tensors().stream().mapToLong(INDArray::length).sum();
  }

  /** Whether {@code other} has the same configuration and vocabulary size, hence tensors of the same shapes. */
  public boolean sameShapeAs(LstmTensors other) {
    return config.equals(other.config) && vocabularySize == other.vocabularySize;
  }

  void requireSameShape(LstmTensors other) {
    if (!sameShapeAs(other)) {
      throw new IllegalArgumentException("tensor sets differ in shape: vocabulary " + vocabularySize + " vs "
          + other.vocabularySize + ", config " + config + " vs " + other.config);
    }
  }

  /** Writes the architecture, the vocabulary size and every tensor's values, in the order of {@link #tensors()}. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    StateFormat.writeArchitecture(out, config);
    out.writeInt(vocabularySize);
    List<INDArray> all = tensors();
    out.writeInt(all.size());
    for (INDArray tensor : all) {
      StateFormat.writeTensor(out, tensor);
    }
  }

  /**
   * The wire form: the dropout rate (the configuration's one part that {@link #writeTo} leaves out and that tensors
   * of the same shape must still agree on), then what {@link #writeTo} writes.
   */
  @JsonValue
  public byte[] toWireBytes() {
    return io.rill.state.StateFormat.toBytes(out -> {
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
      StateFormat.readVersion(header, FORMAT_VERSION, what);
      config = StateFormat.readArchitecture(header, dropout, what);
      vocabularySize = StateFormat.readInt(header, 1, Character.MAX_CODE_POINT + 1, what + " vocabulary size");
    } catch (EOFException e) {
      throw new IOException(what + ": truncated in its header, " + bytes.length + " bytes", e);
    }
    double expected = tensorBytes(config, vocabularySize);
    StateFormat.require(expected == header.available(), what + ": " + header.available() + " bytes of tensors for "
        + config + " and a vocabulary of " + vocabularySize + ", which take " + (long) expected);
    return WireBytes.read(bytes, in -> {
      in.readDouble();
      return reader.readFrom(in, config, vocabularySize);
    }, what);
  }

  /**
   * What {@link #writeTo} writes after the vocabulary size: the tensor count, then each tensor's shape and values.
   * In double, so that no damaged size overflows: it is exact below 2^53, and above it matches no real input.
   */
  private static double tensorBytes(LstmConfig config, int vocabularySize) {
    double e = config.embeddingSize();
    double h = config.hiddenSize();
    double g = (double) config.cell().cell().gates() * config.hiddenSize();
    double v = vocabularySize;
    double layers = config.layers();
    double scalars = v * e + (h + e) * g + (layers - 1) * (h + h) * g + layers * g + h * v + v;
    double tensors = 2 * layers + 3;
    return Integer.BYTES + tensors * 2 * Integer.BYTES + scalars * config.dataType().width();
  }

  /**
   * Overwrites these tensors with what {@link #writeTo} wrote for the same architecture and vocabulary size; fails
   * on anything else, naming {@code what} was being read.
   */
  void readValues(DataInput in, String what) throws IOException {
    StateFormat.readVersion(in, FORMAT_VERSION, what);
    StateFormat.readArchitecture(in, config, what);
    int storedVocabulary = in.readInt();
    StateFormat.require(storedVocabulary == vocabularySize, what + " was stored for a vocabulary of "
        + storedVocabulary + " ids, expected " + vocabularySize);
    List<INDArray> all = tensors();
    List<String> names = names();
    int count = in.readInt();
    StateFormat.require(count == all.size(), what + " has " + count + " tensors, expected " + all.size());
    for (int k = 0; k < all.size(); k++) {
      StateFormat.readTensor(in, all.get(k), what + " " + names.get(k));
    }
  }

  /**
   * Grows the vocabulary axis by one id: a new last embedding row, output weight column and output bias, filled
   * from {@code values}.
   */
  void appendVocabularyEntry(NewEntryValues values) {
    int oldSize = vocabularySize;
    int newSize = oldSize + 1;
    int emb = config.embeddingSize();
    int hidden = config.hiddenSize();

    INDArray newEmbedding = Nd4j.zeros(config.dataType(), newSize, emb);
    Vec from = Vec.of(embedding);
    Vec to = Vec.of(newEmbedding);
    for (int i = 0; i < oldSize * emb; i++) {
      to.set(i, from.get(i));
    }
    for (int j = 0; j < emb; j++) {
      to.set(oldSize * emb + j, values.embedding());
    }

    INDArray newOutputWeights = Nd4j.zeros(config.dataType(), hidden, newSize);
    from = Vec.of(outputWeights);
    to = Vec.of(newOutputWeights);
    for (int h = 0; h < hidden; h++) {
      for (int v = 0; v < oldSize; v++) {
        to.set(h * newSize + v, from.get(h * oldSize + v));
      }
      to.set(h * newSize + oldSize, values.outputWeight());
    }

    INDArray newOutputBias = Nd4j.zeros(config.dataType(), 1, newSize);
    from = Vec.of(outputBias);
    to = Vec.of(newOutputBias);
    for (int v = 0; v < oldSize; v++) {
      to.set(v, from.get(v));
    }
    to.set(oldSize, values.outputBias(from));

    embedding = newEmbedding;
    outputWeights = newOutputWeights;
    outputBias = newOutputBias;
    vocabularySize = newSize;
  }
}
