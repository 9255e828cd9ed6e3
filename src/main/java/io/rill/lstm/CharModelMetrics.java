package io.rill.lstm;

import io.rill.ps.ServerMetrics;
import io.rill.ops.Histogram;
import io.rill.ops.RateMeter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleConsumer;

/** The published figures of one character model; its parameter server, worker and generator write here. */
public final class CharModelMetrics implements CharModelMBean, ServerMetrics {

    private static final double LOSS_SMOOTHING = 0.05;

    private volatile long version;
    private final AtomicLong charactersTrained = new AtomicLong();
    private final RateMeter characterRate = new RateMeter();
    private volatile double trainingLoss = Double.NaN;
    private volatile double heldOutLoss = Double.NaN;
    private volatile int heldOutLines;
    private volatile int vocabularySize;
    private final LongAdder charactersDropped = new LongAdder();
    private final LongAdder sequencesSeen = new LongAdder();
    private final LongAdder sequencesHeldOut = new LongAdder();
    private final Histogram staleness = new Histogram(1024);
    private final AtomicLong stalenessMax = new AtomicLong();
    private final LongAdder staleRefused = new LongAdder();
    private final LongAdder misshapenRefused = new LongAdder();
    private final LongAdder pulls = new LongAdder();
    private volatile int activeStreams;
    private volatile int batchLanes;
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong stepNanos = new AtomicLong();
    private volatile String latestSamples = "";
    private volatile DoubleConsumer learningRateSetter = rate -> {
    };

    /** What {@link #setLearningRate} does: the node tells the model's parameter server. */
    public void setLearningRateWith(DoubleConsumer setter) {
        this.learningRateSetter = setter;
    }

    @Override
    public void setLearningRate(double rate) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException("the learning rate must be positive and finite, not " + rate);
        }
        learningRateSetter.accept(rate);
    }

    /** A gradient was applied: the new version, how stale it was, its characters and its chunk's loss. */
    @Override
    public void applied(long newVersion, long stalenessVersions, long characters, double loss) {
        version = newVersion;
        staleness.record(stalenessVersions);
        stalenessMax.accumulateAndGet(stalenessVersions, Math::max);
        charactersTrained.addAndGet(characters);
        characterRate.mark(characters);
        double previous = trainingLoss;
        trainingLoss = Double.isNaN(previous) ? loss : previous + LOSS_SMOOTHING * (loss - previous);
    }

    /** Restored from a checkpoint at {@code restoredVersion}, having trained that many characters. */
    @Override
    public void restored(long restoredVersion, long characters) {
        version = restoredVersion;
        charactersTrained.set(characters);
    }

    @Override
    public void refusedStale(long stalenessVersions) {
        staleRefused.increment();
        stalenessMax.accumulateAndGet(stalenessVersions, Math::max);
    }

    @Override
    public void refusedMisshapen() {
        misshapenRefused.increment();
    }

    @Override
    public void pulled() {
        pulls.increment();
    }

    public void vocabularySize(int size) {
        vocabularySize = size;
    }

    public void dropped(long characters) {
        charactersDropped.add(characters);
    }

    public void sequences(long seen, long heldOut) {
        sequencesSeen.add(seen);
        sequencesHeldOut.add(heldOut);
    }

    public void step(int streams, int lanes, long nanos) {
        activeStreams = streams;
        batchLanes = lanes;
        steps.incrementAndGet();
        stepNanos.addAndGet(nanos);
    }

    public void progress(double heldOut, int lines, String samples) {
        heldOutLoss = heldOut;
        heldOutLines = lines;
        latestSamples = samples;
    }

    @Override
    public long getVersion() {
        return version;
    }

    @Override
    public long getCharactersTrained() {
        return charactersTrained.get();
    }

    @Override
    public double getCharactersPerSecond() {
        return characterRate.perSecond();
    }

    @Override
    public double getTrainingLoss() {
        return trainingLoss;
    }

    @Override
    public double getHeldOutLoss() {
        return heldOutLoss;
    }

    @Override
    public int getHeldOutLines() {
        return heldOutLines;
    }

    @Override
    public int getVocabularySize() {
        return vocabularySize;
    }

    @Override
    public long getCharactersDropped() {
        return charactersDropped.sum();
    }

    @Override
    public long getSequencesSeen() {
        return sequencesSeen.sum();
    }

    @Override
    public long getSequencesHeldOut() {
        return sequencesHeldOut.sum();
    }

    @Override
    public long getStalenessP50() {
        return staleness.percentile(0.50);
    }

    @Override
    public long getStalenessP99() {
        return staleness.percentile(0.99);
    }

    @Override
    public long getStalenessMax() {
        return stalenessMax.get();
    }

    @Override
    public long getStaleGradientsRefused() {
        return staleRefused.sum();
    }

    @Override
    public long getMisshapenGradientsRefused() {
        return misshapenRefused.sum();
    }

    @Override
    public long getPulls() {
        return pulls.sum();
    }

    @Override
    public int getActiveStreams() {
        return activeStreams;
    }

    @Override
    public int getBatchLanes() {
        return batchLanes;
    }

    @Override
    public long getSteps() {
        return steps.get();
    }

    @Override
    public double getStepMillis() {
        long n = steps.get();
        return n == 0 ? Double.NaN : stepNanos.get() / 1e6 / n;
    }

    @Override
    public String getLatestSamples() {
        return latestSamples;
    }
}
