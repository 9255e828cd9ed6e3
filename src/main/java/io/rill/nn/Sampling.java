package io.rill.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Draws a category from logits: from softmax(logits / temperature), restricted to the {@code topK} likeliest
 * categories. Temperature 0 is the limit of that, always the likeliest (greedy decoding, deterministic); a small
 * temperature sharpens the distribution, a large one flattens it. Used per row by whatever generates: the character
 * model's names, a translator's target words.
 */
public final class Sampling {

  private Sampling() {
  }

  /** A category drawn from {@code logits} at {@code temperature} (≥ 0) among the {@code topK} likeliest (≤ 0: all). */
  public static int draw(double[] logits, double temperature, int topK, Random random) {
    int best = argmax(logits);
    if (temperature == 0) {
      return best;
    }
    List<Integer> candidates = topCandidates(logits, topK);
    double[] weights = new double[candidates.size()];
    double total = 0;
    for (int k = 0; k < weights.length; k++) {
      weights[k] = Math.exp((logits[candidates.get(k)] - logits[best]) / temperature);
      total += weights[k];
    }
    double u = random.nextDouble() * total;
    for (int k = 0; k < weights.length; k++) {
      u -= weights[k];
      if (u < 0) {
        return candidates.get(k);
      }
    }
    return best;
  }

  /** The index of the largest value, the first one on a tie. */
  public static int argmax(double[] values) {
    int best = 0;
    for (int v = 1; v < values.length; v++) {
      if (values[v] > values[best]) {
        best = v;
      }
    }
    return best;
  }

  private static List<Integer> topCandidates(double[] logits, int topK) {
    List<Integer> ids = new ArrayList<>(logits.length);
    for (int v = 0; v < logits.length; v++) {
      ids.add(v);
    }
    if (topK > 0 && topK < logits.length) {
      ids.sort((a, b) -> Double.compare(logits[b], logits[a]));
      return ids.subList(0, topK);
    }
    return ids;
  }
}
