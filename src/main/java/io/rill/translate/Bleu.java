package io.rill.translate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU-4 with several references per sentence (Papineni et al. 2002), as the reference translator's benchmark
 * computes it, so that the two figures compare:
 * <ul>
 *   <li>for n = 1..4, the clipped n-gram matches summed over the corpus: each n-gram of a hypothesis counts at most
 *       as often as it occurs in the one reference where it occurs most; divided by the hypotheses' n-grams;</li>
 *   <li>the brevity penalty exp(1 − r / c) when the hypotheses' total length c is at most r, the sum over sentences
 *       of the reference length closest to the hypothesis' (the shorter one on a tie); 1 when c &gt; r;</li>
 *   <li>BLEU = 100 · BP · exp(¼ Σ log pₙ), and 0 when any n has no match at all (no smoothing).</li>
 * </ul>
 * Tokens are compared as strings. Not thread-safe: one accumulation per instance.
 */
public final class Bleu {

    private static final int N = 4;

    private final long[] matches = new long[N];
    private final long[] totals = new long[N];
    private long hypothesisLength;
    private long referenceLength;
    private int sentences;

    /** Adds one sentence: its hypothesis and every reference translation of its source (at least one). */
    public void add(List<String> hypothesis, List<List<String>> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("a sentence needs at least one reference");
        }
        sentences++;
        int h = hypothesis.size();
        hypothesisLength += h;
        int closest = references.get(0).size();
        for (List<String> reference : references) {
            int r = reference.size();
            int distance = Math.abs(r - h);
            int best = Math.abs(closest - h);
            if (distance < best || distance == best && r < closest) {
                closest = r;
            }
        }
        referenceLength += closest;
        for (int n = 1; n <= N; n++) {
            Map<List<String>, Integer> counts = ngrams(hypothesis, n);
            Map<List<String>, Integer> maxima = new HashMap<>();
            for (List<String> reference : references) {
                ngrams(reference, n).forEach((gram, count) -> maxima.merge(gram, count, Math::max));
            }
            long matched = 0;
            for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
                matched += Math.min(e.getValue(), maxima.getOrDefault(e.getKey(), 0));
            }
            matches[n - 1] += matched;
            totals[n - 1] += Math.max(h - n + 1, 0);
        }
    }

    public int sentences() {
        return sentences;
    }

    /** The corpus score so far, 0 to 100. */
    public double score() {
        for (int n = 0; n < N; n++) {
            if (matches[n] == 0) {
                return 0.0;
            }
        }
        double brevity = hypothesisLength > referenceLength ? 1.0
                : Math.exp(1.0 - (double) referenceLength / Math.max(hypothesisLength, 1));
        double logSum = 0;
        for (int n = 0; n < N; n++) {
            logSum += Math.log((double) matches[n] / totals[n]);
        }
        return 100 * brevity * Math.exp(logSum / N);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }
}
