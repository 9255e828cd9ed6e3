package io.rill.skipgram;

/**
 * The learning rate for an endless stream: lr(n) = max(floor, initial / (1 + n / decayTokens)),
 * with n the tokens seen so far.
 *
 * <p>word2vec decays linearly to ~0 over a corpus whose size it knows in advance; a stream has no
 * end to decay towards. Inverse-time decay is the classic stochastic-approximation schedule: it
 * needs no corpus size, keeps large steps while the vocabulary and the embeddings take shape
 * (halving after {@code decayTokens} tokens), and then shrinks the noise of the updates. The floor
 * keeps the model plastic forever, because a stream never stops bringing new words and shifting
 * usage, and a rate that reached zero would freeze them out. The defaults take word2vec's
 * skip-gram start of 0.025, halve it after 10^8 tokens, and hold at 0.001.
 */
public final class LearningRate {
    public static final LearningRate DEFAULT = new LearningRate(0.025f, 1e8, 0.001f);

    private final float initial;
    private final double decayTokens;
    private final float floor;

    public LearningRate(float initial, double decayTokens, float floor) {
        if (!(initial > 0) || !(decayTokens > 0) || !(floor >= 0) || floor > initial) {
            throw new IllegalArgumentException("initial " + initial + ", decayTokens " + decayTokens + ", floor " + floor);
        }
        this.initial = initial;
        this.decayTokens = decayTokens;
        this.floor = floor;
    }

    public double decayTokens() {
        return decayTokens;
    }

    public float floor() {
        return floor;
    }

    public float at(long tokensSeen) {
        return Math.max(floor, (float) (initial / (1 + Math.max(0, tokensSeen) / decayTokens)));
    }
}
