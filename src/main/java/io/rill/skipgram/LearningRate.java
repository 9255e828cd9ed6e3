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

    /** How the rate falls with the tokens seen. */
    public enum Shape {
        /** initial / (1 + n / decayTokens): halves after decayTokens, never reaches the floor by itself. */
        INVERSE_TIME,
        /** initial · (1 − n / decayTokens): word2vec's and gensim's, for a stream whose length is known. */
        LINEAR
    }

    private final float initial;
    private final double decayTokens;
    private final float floor;
    private final Shape shape;

    public LearningRate(float initial, double decayTokens, float floor) {
        this(initial, decayTokens, floor, Shape.INVERSE_TIME);
    }

    public LearningRate(float initial, double decayTokens, float floor, Shape shape) {
        if (!(initial > 0) || !(decayTokens > 0) || !(floor >= 0) || floor > initial) {
            throw new IllegalArgumentException("initial " + initial + ", decayTokens " + decayTokens + ", floor " + floor);
        }
        this.initial = initial;
        this.decayTokens = decayTokens;
        this.floor = floor;
        this.shape = shape;
    }

    public Shape shape() {
        return shape;
    }

    public double decayTokens() {
        return decayTokens;
    }

    public float floor() {
        return floor;
    }

    public float at(long tokensSeen) {
        double n = Math.max(0, tokensSeen) / decayTokens;
        return Math.max(floor, (float) (shape == Shape.LINEAR ? initial * (1 - n) : initial / (1 + n)));
    }
}
