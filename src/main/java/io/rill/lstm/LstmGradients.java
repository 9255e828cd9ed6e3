package io.rill.lstm;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.io.DataInput;
import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradients of the loss with respect to every tensor of an {@link LstmParams} of the same shape (layout in
 * {@link LstmTensors}): what a worker computes for one chunk and sends to the parameter server, and the shape
 * {@link Adam} keeps its moment estimates in.
 */
public final class LstmGradients extends LstmTensors {

  private LstmGradients(LstmConfig config, int vocabularySize) {
    super(config, vocabularySize);
  }

  private LstmGradients(LstmGradients other) {
    super(other);
  }

  /** Zero gradients shaped like {@code params}. */
  public static LstmGradients zerosLike(LstmTensors params) {
    return new LstmGradients(params.config(), params.vocabularySize());
  }

  /**
   * Gradients written by {@link #writeTo}, which must match {@code config} and {@code vocabularySize}.
   *
   * @throws IOException when the input is truncated, of another format version, or of another shape
   */
  public static LstmGradients readFrom(DataInput in, LstmConfig config, int vocabularySize) throws IOException {
    LstmGradients gradients = new LstmGradients(config, vocabularySize);
    gradients.readValues(in, "gradients");
    return gradients;
  }

  /** Gradients from their wire form ({@link #toWireBytes}); damaged input is an IOException saying why. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static LstmGradients fromWireBytes(byte[] bytes) throws IOException {
    return fromWireBytes(bytes, "gradients", LstmGradients::readFrom);
  }

  public LstmGradients copy() {
    return new LstmGradients(this);
  }

  /** Sets every entry to zero. */
  public void clear() {
    for (INDArray tensor : tensors()) {
      Vec.of(tensor).fill(0);
    }
  }

  /** Adds {@code other} (same shape) entry by entry, e.g. to combine the gradients of several workers. */
  public void add(LstmGradients other) {
    requireSameShape(other);
    for (int k = 0; k < tensors().size(); k++) {
      Vec to = Vec.of(tensors().get(k));
      Vec from = Vec.of(other.tensors().get(k));
      for (int i = 0; i < to.length(); i++) {
        to.add(i, from.get(i));
      }
    }
  }

  /** Multiplies every entry by {@code factor}. */
  public void scale(double factor) {
    for (INDArray tensor : tensors()) {
      Vec vec = Vec.of(tensor);
      for (int i = 0; i < vec.length(); i++) {
        vec.set(i, vec.get(i) * factor);
      }
    }
  }

  /** The Euclidean norm of all entries taken together as one vector. */
  public double globalNorm() {
    double sum = 0;
    for (INDArray tensor : tensors()) {
      Vec vec = Vec.of(tensor);
      for (int i = 0; i < vec.length(); i++) {
        double g = vec.get(i);
        sum += g * g;
      }
    }
    return Math.sqrt(sum);
  }

  /** Grows the vocabulary axis by one id with zero gradients, to match parameters that grew. */
  public void growVocabulary() {
    appendVocabularyEntry(ZEROS);
  }
}
