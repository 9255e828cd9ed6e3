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
   * step feeds all of them through the model at once, which is what makes a request for ten names cost little more
   * than a request for one.
   */
  public List<Sample> sample(String prefix, int count, double temperature, int topK, int maxLength, Random random) {
    return sample(List.of(new Order(prefix, count, temperature, topK, maxLength)), random).get(0);
  }

  /**
   * What one caller wants drawn: {@code count} sequences starting with {@code prefix}, at most {@code maxLength}
   * characters long with the prefix, each character drawn at {@code temperature} from the {@code topK} likeliest
   * (≤ 0: all).
   */
  public record Order(String prefix, int count, double temperature, int topK, int maxLength) {
    public Order {
      if (temperature < 0) {
        throw new IllegalArgumentException("temperature must be non-negative: " + temperature);
      }
      if (count < 1) {
        throw new IllegalArgumentException("count must be positive: " + count);
      }
    }
  }

  /**
   * The samples of several orders (e.g. the requests waiting for a generator) in one pass: all their streams side
   * by side, each with its own prefix, temperature, top-k and length, one step of the model per character for all
   * of them; a stream leaves the pass when it ends or reaches its length. Returns each order's samples, in order.
   * A stream draws from {@code random} in stream order, so one order alone draws exactly as it always did.
   */
  public List<List<Sample>> sample(List<Order> orders, Random random) {
    int streams = 0;
    int[][] prefixes = new int[orders.size()][];
    for (int k = 0; k < orders.size(); k++) {
      prefixes[k] = vocabulary.encode(orders.get(k).prefix());
      streams += orders.get(k).count();
    }
    Order[] orderOf = new Order[streams];
    int[][] prefixOf = new int[streams][];
    for (int k = 0, b = 0; k < orders.size(); k++) {
      for (int n = 0; n < orders.get(k).count(); n++, b++) {
        orderOf[b] = orders.get(k);
        prefixOf[b] = prefixes[k];
      }
    }
    int vocab = vocabulary.size();
    double[][] logits = new double[streams][vocab];
    int[] inputs = new int[streams]; // every stream starts at end-of-sequence, id 0
    int[] fed = new int[streams];    // prefix characters fed so far
    int[] length = new int[streams]; // characters of the text so far, prefix included
    StringBuilder[] texts = new StringBuilder[streams];
    double[] logProbabilities = new double[streams];
    boolean[] ended = new boolean[streams];
    boolean[] done = new boolean[streams];
    for (int b = 0; b < streams; b++) {
      texts[b] = new StringBuilder(orderOf[b].prefix());
    }
    InferenceModel.Streams state = model.streams(streams);
    int open = streams;
    while (open > 0) {
      model.step(state, inputs, logits);
      for (int b = 0; b < streams; b++) {
        if (done[b]) {
          inputs[b] = -1; // a finished stream is skipped
          continue;
        }
        if (fed[b] < prefixOf[b].length) {
          inputs[b] = prefixOf[b][fed[b]++];
          length[b]++;
          continue;
        }
        Order order = orderOf[b];
        if (length[b] >= order.maxLength()) { // a prefix as long as the limit: nothing to draw
          done[b] = true;
          inputs[b] = -1;
          open--;
          continue;
        }
        int id = Sampling.draw(logits[b], order.temperature(), order.topK(), random);
        logProbabilities[b] += Softmax.logProbability(logits[b], id);
        if (id == CharVocabulary.EOS) {
          ended[b] = true;
          done[b] = true;
          inputs[b] = -1;
          open--;
          continue;
        }
        texts[b].appendCodePoint(vocabulary.codePoint(id));
        inputs[b] = id;
        if (++length[b] >= order.maxLength()) {
          done[b] = true; // at the limit: no step for what would come next
          inputs[b] = -1;
          open--;
        }
      }
    }
    List<List<Sample>> samples = new ArrayList<>(orders.size());
    for (int k = 0, b = 0; k < orders.size(); k++) {
      List<Sample> ofOrder = new ArrayList<>(orders.get(k).count());
      for (int n = 0; n < orders.get(k).count(); n++, b++) {
        ofOrder.add(new Sample(texts[b].toString(), logProbabilities[b], ended[b]));
      }
      samples.add(ofOrder);
    }
    return samples;
  }
}
