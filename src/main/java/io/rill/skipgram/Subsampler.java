package io.rill.skipgram;

/**
 * Frequent-word subsampling (Mikolov et al. 2013, in the form word2vec.c implements): keep a token
 * of word w with probability P(w) = (sqrt(z/t) + 1) · t / z, where z = count(w) / totalTokens is
 * the word's frequency so far (clamped to 1) and t the threshold.
 *
 * <p>Dropping most "the"s both speeds training and widens the effective window around rare words.
 * In a stream z is the running frequency, so very early tokens (when every word looks frequent)
 * are dropped more; that transient fades as counts accumulate. P &ge; 1 whenever
 * z/t &le; ((1 + sqrt 5) / 2)^2 ≈ 2.618, in which case no random number is drawn.
 */
public final class Subsampler {
    public static final double DEFAULT_THRESHOLD = 1e-3;
    // P(w) >= 1 iff sqrt(x) + 1 >= x with x = z/t, i.e. x <= golden ratio squared.
    private static final double ALWAYS_KEEP_RATIO = (3 + Math.sqrt(5)) / 2;

    private final double t;

    public Subsampler() {
        this(DEFAULT_THRESHOLD);
    }

    public Subsampler(double threshold) {
        if (!(threshold > 0)) throw new IllegalArgumentException("threshold " + threshold);
        this.t = threshold;
    }

    /** P(keep) for a word seen {@code count} times among {@code totalTokens}; may exceed 1. */
    public double keepProbability(long count, long totalTokens) {
        if (count <= 0 || totalTokens <= 0) return 1;
        double z = Math.min(1.0, (double) count / totalTokens);
        return (Math.sqrt(z / t) + 1) * t / z;
    }

    public boolean keep(long count, long totalTokens, SplitMix64 rng) {
        if (count <= 0 || (double) count <= ALWAYS_KEEP_RATIO * t * totalTokens) return true;
        return rng.nextDouble() < keepProbability(count, totalTokens);
    }

    public double threshold() {
        return t;
    }
}
