package io.rill.skipgram;

import io.rill.ps.ServerMetrics;
import io.rill.ops.Histogram;
import io.rill.ops.RateMeter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleConsumer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The published figures of the skip-gram learner. The vocabulary actor, the workers and the parameter-server
 * shards write here; JMX and the demo's live view read. The queries are answered by whoever the node plugs in.
 */
public final class SkipGramMetrics implements SkipGramMBean, ServerMetrics {

    /** What answers the JMX operations: the node's query service over a parameter snapshot. */
    public interface Queries {
        String neighbours(String word, int k);

        String analogy(String a, String b, String c, int k);

        double similarity(String x, String y);

        String exportVectors(String path, boolean binary);
    }

    private volatile int vocabularySize;
    private volatile int trainableWords;
    private volatile long evictedWords;
    private final AtomicLong tokensSeen = new AtomicLong();
    private final AtomicLong tokensKept = new AtomicLong();
    private final AtomicLong tokensTrainable = new AtomicLong();
    private final LongAdder pairsTrained = new LongAdder();
    private final RateMeter tokenRate = new RateMeter();
    private final RateMeter pairRate = new RateMeter();
    private final LongAdder psVersion = new LongAdder();
    private final LongAdder staleRefusals = new LongAdder();
    private final Histogram staleness = new Histogram(1024);
    private volatile double loss = Double.NaN;
    private volatile double learningRate;
    private volatile Queries queries;
    private volatile DoubleConsumer learningRateSetter = rate -> {
    };

    public void vocabulary(int size, int trainable, long evicted, float lr) {
        this.vocabularySize = size;
        this.trainableWords = trainable;
        this.evictedWords = evicted;
        this.learningRate = lr;
    }

    public void tokens(long seen, long trainable, long kept) {
        tokensSeen.addAndGet(seen);
        tokensTrainable.addAndGet(trainable);
        tokensKept.addAndGet(kept);
        tokenRate.mark(seen);
    }

    public void trained(long pairs, double lossAverage) {
        pairsTrained.add(pairs);
        pairRate.mark(pairs);
        if (!Double.isNaN(lossAverage)) {
            loss = lossAverage;
        }
    }

    /** A shard applied a push: the model's version (the sum of the shards') moves on. */
    @Override
    public void applied(long version, long stalenessVersions, long examples, double loss) {
        psVersion.increment();
        staleness.record(stalenessVersions);
    }

    @Override
    public void refusedStale(long stalenessVersions) {
        staleRefusals.increment();
    }

    @Override
    public void refusedMisshapen() {
        staleRefusals.increment();
    }

    @Override
    public void pulled() {
    }

    @Override
    public void restored(long version, long examples) {
        psVersion.add(version);
    }

    /** What {@link #setLearningRate} does: the node tells the vocabulary actor. */
    public void setLearningRateWith(DoubleConsumer setter) {
        this.learningRateSetter = setter;
    }

    @Override
    public void setLearningRate(double initial) {
        if (!(initial > 0) || !Double.isFinite(initial)) {
            throw new IllegalArgumentException("the learning rate must be positive and finite, not " + initial);
        }
        learningRateSetter.accept(initial);
    }

    public void answerQueriesWith(Queries queries) {
        this.queries = queries;
    }

    @Override
    public int getVocabularySize() {
        return vocabularySize;
    }

    @Override
    public int getTrainableWords() {
        return trainableWords;
    }

    @Override
    public long getTokensSeen() {
        return tokensSeen.get();
    }

    @Override
    public double getTokensPerSecond() {
        return tokenRate.perSecond();
    }

    @Override
    public long getPairsTrained() {
        return pairsTrained.sum();
    }

    @Override
    public double getPairsPerSecond() {
        return pairRate.perSecond();
    }

    @Override
    public double getLoss() {
        return loss;
    }

    @Override
    public double getLearningRate() {
        return learningRate;
    }

    @Override
    public double getKeepRatio() {
        long trainable = tokensTrainable.get();
        return trainable == 0 ? Double.NaN : (double) tokensKept.get() / trainable;
    }

    @Override
    public long getParameterServerVersion() {
        return psVersion.sum();
    }

    @Override
    public long getStalenessP50() {
        return staleness.percentile(0.5);
    }

    @Override
    public long getStalenessP99() {
        return staleness.percentile(0.99);
    }

    @Override
    public long getStaleRefusals() {
        return staleRefusals.sum();
    }

    @Override
    public long getEvictedWords() {
        return evictedWords;
    }

    @Override
    public String neighbours(String word, int k) {
        return queries().neighbours(word, k);
    }

    @Override
    public String analogy(String a, String b, String c, int k) {
        return queries().analogy(a, b, c, k);
    }

    @Override
    public double similarity(String x, String y) {
        return queries().similarity(x, y);
    }

    @Override
    public String exportVectors(String path, boolean binary) {
        return queries().exportVectors(path, binary);
    }

    private Queries queries() {
        Queries q = queries;
        if (q == null) {
            throw new IllegalStateException("the skip-gram learner is not running on this node");
        }
        return q;
    }
}
