package io.rill.lstm;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.rill.nn.Tensors;
import io.rill.nn.Vec;
import java.io.DataInput;
import java.io.IOException;
import java.util.Random;

/**
 * A character model's parameters (layout in {@link LstmTensors}): what a parameter server owns and an optimizer
 * updates, and what a worker reads to run the model.
 *
 * <p>Initialisation: embeddings N(0, 1); recurrent and output weights U(-1/√H, 1/√H); biases zero. The often
 * recommended forget-gate bias of 1 (keep the memory early in training) was measured worse on line-per-sequence
 * data, where forgetting at each line end is what the model must learn: on the names benchmark it ended 20 passes
 * at 1.98 nats/char against 1.93 with zero. It draws from a seeded {@link Random} in a fixed order, so a seed gives
 * the same model in float and in double.
 */
public final class LstmParams extends LstmTensors {

  /** Standard deviation of a new character's output weights. */
  static final double NEW_ENTRY_SCALE = 0.01;

  private LstmParams(LstmConfig config, Tensors tensors) {
    super(config, tensors);
  }

  /**
   * A view of {@code tensors} (not a copy) as the parameters of a model of {@code config}, e.g. the plain set a worker
   * pulled from a parameter server; fails unless they have that model's names and shapes.
   */
  public static LstmParams wrap(LstmConfig config, Tensors tensors) {
    return new LstmParams(config, tensors);
  }

  /** Freshly initialised parameters for {@code config} and {@code vocabularySize} ids. */
  public static LstmParams initialize(LstmConfig config, int vocabularySize, long seed) {
    LstmParams params = new LstmParams(config, zeros(config, vocabularySize));
    Random random = new Random(seed);
    int hidden = config.hiddenSize();
    double range = 1.0 / Math.sqrt(hidden);

    Vec embedding = Vec.of(params.embedding());
    for (int i = 0; i < embedding.length(); i++) {
      embedding.set(i, random.nextGaussian());
    }
    for (int l = 0; l < config.layers(); l++) {
      Vec weights = Vec.of(params.weights(l));
      for (int i = 0; i < weights.length(); i++) {
        weights.set(i, (2 * random.nextDouble() - 1) * range);
      }
    }
    Vec output = Vec.of(params.outputWeights());
    for (int i = 0; i < output.length(); i++) {
      output.set(i, (2 * random.nextDouble() - 1) * range);
    }
    return params;
  }

  /**
   * Parameters written by {@link #writeTo}. {@code config} and {@code vocabularySize} are what the caller expects
   * (the running configuration and the vocabulary restored alongside); the input must match them, so a damaged
   * size cannot make this allocate more than that model needs.
   *
   * @throws IOException when the input is truncated, of another format version, or of another shape
   */
  public static LstmParams readFrom(DataInput in, LstmConfig config, int vocabularySize) throws IOException {
    return new LstmParams(config, readTensors(in, config, vocabularySize, "parameters"));
  }

  /** Parameters from their wire form ({@link #toWireBytes}); damaged input is an IOException saying why. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static LstmParams fromWireBytes(byte[] bytes) throws IOException {
    return fromWireBytes(bytes, "parameters", LstmParams::readFrom);
  }

  /** An independent deep copy, e.g. a snapshot a parameter server hands to a worker. */
  public LstmParams copy() {
    return new LstmParams(config(), tensors().copy());
  }

  /**
   * Adds one character id at the end of the vocabulary, with the values of {@link #newCharacters}. Returns the new
   * id.
   */
  public int growVocabulary(Random random) {
    tensors().grow(VOCABULARY, 1, newCharacters(random));
    return vocabularySize() - 1;
  }

  /**
   * The values of a new character's entries, for a server that grows the plain {@link Tensors}: an output column
   * drawn small (N(0, 0.01²)) so the existing predictions barely move, an output bias equal to the smallest existing
   * one, so the new character starts as unlikely as the rarest known character, and an embedding row drawn N(0, 1)
   * like the initial ones: the row is read only when the new character is the input, which no existing prediction
   * depends on, and a small row would leave the character nearly invisible to the network for hundreds of steps
   * (measured on the names benchmark, where every character arrives after initialisation: held-out NLL 2.128 after
   * 20 passes with N(0, 0.01²) rows).
   */
  public static Tensors.Fill newCharacters(Random random) {
    return (name, existing) -> switch (name) {
      case EMBEDDING -> random.nextGaussian();
      case OUTPUT_WEIGHTS -> NEW_ENTRY_SCALE * random.nextGaussian();
      case OUTPUT_BIAS -> {
        double min = Double.POSITIVE_INFINITY;
        for (int v = 0; v < existing.length(); v++) {
          min = Math.min(min, existing.get(v));
        }
        yield min;
      }
      default -> throw new IllegalArgumentException("tensor " + name + " does not grow with the vocabulary");
    };
  }
}
