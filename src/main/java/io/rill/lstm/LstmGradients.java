package io.rill.lstm;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.rill.nn.Tensors;
import java.io.DataInput;
import java.io.IOException;

/**
 * Gradients of the loss with respect to every tensor of an {@link LstmParams} of the same shape (layout in
 * {@link LstmTensors}): what a worker computes for one chunk and sends to the parameter server.
 */
public final class LstmGradients extends LstmTensors {

  private LstmGradients(LstmConfig config, Tensors tensors) {
    super(config, tensors);
  }

  /** A view of {@code tensors} (not a copy) as gradients of a model of {@code config}; see {@link LstmParams#wrap}. */
  public static LstmGradients wrap(LstmConfig config, Tensors tensors) {
    return new LstmGradients(config, tensors);
  }

  /** Zero gradients shaped like {@code params}. */
  public static LstmGradients zerosLike(LstmTensors params) {
    return new LstmGradients(params.config(), params.tensors().zerosLike());
  }

  /**
   * Gradients written by {@link #writeTo}, which must match {@code config} and {@code vocabularySize}.
   *
   * @throws IOException when the input is truncated, of another format version, or of another shape
   */
  public static LstmGradients readFrom(DataInput in, LstmConfig config, int vocabularySize) throws IOException {
    return new LstmGradients(config, readTensors(in, config, vocabularySize, "gradients"));
  }

  /** Gradients from their wire form ({@link #toWireBytes}); damaged input is an IOException saying why. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static LstmGradients fromWireBytes(byte[] bytes) throws IOException {
    return fromWireBytes(bytes, "gradients", LstmGradients::readFrom);
  }

  public LstmGradients copy() {
    return new LstmGradients(config(), tensors().copy());
  }

  /** Sets every entry to zero. */
  public void clear() {
    tensors().clear();
  }

  /** Adds {@code other} (same shape) entry by entry, e.g. to combine the gradients of several workers. */
  public void add(LstmGradients other) {
    requireSameShape(other);
    tensors().add(other.tensors());
  }

  /** Multiplies every entry by {@code factor}. */
  public void scale(double factor) {
    tensors().scale(factor);
  }

  /** The Euclidean norm of all entries taken together as one vector. */
  public double globalNorm() {
    return tensors().globalNorm();
  }

  /** Grows the vocabulary axis by one id with zero gradients, to match parameters that grew. */
  public void growVocabulary() {
    tensors().grow(VOCABULARY, 1, Tensors.Fill.ZEROS);
  }
}
