package io.rill.lstm;

import io.rill.nn.Sampling;
import io.rill.nn.Softmax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Generates sequences from a character model: it starts a stream at end-of-sequence (the model's "start of line"),
 * feeds the prefix, then draws one character at a time until end-of-sequence or a length limit.
 *
 * <p>Each draw comes from softmax(logits / temperature) restricted to the {@code topK} likeliest characters
 * ({@link Sampling}); temperature 0 is the limit of that, always the likeliest character, so sampling is
 * deterministic. The returned
 * log-probability is that of the drawn characters (and the end-of-sequence, when drawn) under the model's own
 * distribution, temperature 1 and no top-k, given the prefix, so samples drawn with different settings compare on
 * one scale.
 */
public final class Sampler {

  /**
   * A sample: {@code text} is the prefix followed by the drawn characters (without end-of-sequence), {@code ended}
   * whether the model chose to end it, {@code logProbability} as described on {@link Sampler}.
   */
  public record Sample(String text, double logProbability, boolean ended) {
  }

  private final CharVocabulary vocabulary;
  private final InferenceModel model;

  public Sampler(LstmParams params, CharVocabulary vocabulary) {
    if (params.vocabularySize() != vocabulary.size()) {
      throw new IllegalArgumentException("parameters know " + params.vocabularySize() + " ids, vocabulary "
          + vocabulary.size());
    }
    this.vocabulary = vocabulary;
    this.model = new InferenceModel(params);
  }

  /**
   * Samples one sequence that starts with {@code prefix} and is at most {@code maxLength} characters long, prefix
   * included. {@code topK} ≤ 0 means no restriction.
   */
  public Sample sample(String prefix, double temperature, int topK, int maxLength, Random random) {
    return sample(prefix, 1, temperature, topK, maxLength, random).get(0);
  }

  /**
   * Samples {@code count} sequences as in {@link #sample(String, double, int, int, Random)}, side by side: every
   * step feeds all of them through the model at once (one product for the batch, not one per sample), which is what
   * makes a request for ten names cost little more than a request for one.
   */
  public List<Sample> sample(String prefix, int count, double temperature, int topK, int maxLength, Random random) {
    if (temperature < 0) {
      throw new IllegalArgumentException("temperature must be non-negative: " + temperature);
    }
    if (count < 1) {
      throw new IllegalArgumentException("count must be positive: " + count);
    }
    int[] prefixIds = vocabulary.encode(prefix);
    int vocab = vocabulary.size();
    double[][] logits = new double[count][vocab];
    int[] inputs = new int[count];
    InferenceModel.Streams state = model.streams(count);
    model.step(state, inputs, logits); // every stream starts at end-of-sequence, id 0
    for (int id : prefixIds) {
      Arrays.fill(inputs, id);
      model.step(state, inputs, logits);
    }
    StringBuilder[] texts = new StringBuilder[count];
    double[] logProbabilities = new double[count];
    boolean[] ended = new boolean[count];
    for (int b = 0; b < count; b++) {
      texts[b] = new StringBuilder(prefix);
    }
    int open = count;
    for (int length = prefixIds.length; length < maxLength && open > 0; length++) {
      for (int b = 0; b < count; b++) {
        if (ended[b]) {
          inputs[b] = -1; // a finished stream is skipped
          continue;
        }
        int id = Sampling.draw(logits[b], temperature, topK, random);
        logProbabilities[b] += Softmax.logProbability(logits[b], id);
        inputs[b] = id;
        if (id == CharVocabulary.EOS) {
          ended[b] = true;
          inputs[b] = -1;
          open--;
        } else {
          texts[b].appendCodePoint(vocabulary.codePoint(id));
        }
      }
      if (open > 0 && length + 1 < maxLength) {
        model.step(state, inputs, logits);
      }
    }
    List<Sample> samples = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      samples.add(new Sample(texts[b].toString(), logProbabilities[b], ended[b]));
    }
    return samples;
  }
}
