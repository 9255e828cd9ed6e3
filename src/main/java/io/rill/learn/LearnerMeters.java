package io.rill.learn;

import io.rill.ops.Histogram;
import io.rill.ops.RateMeter;
import io.rill.ps.ServerMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleConsumer;
import java.util.stream.Collectors;

/**
 * The figures every learner keeps the same way, written by its parameter server ({@link ServerMetrics}) and its
 * workers ({@link #step}), read over JMX ({@link LearnerMetersMBean}). A model's metrics extend it with their own, and
 * name its examples ({@link #examplesTrained()}: characters, sentences, pairs) in their bean. The lines a model's
 * streams dead-letter ({@link LineRejects}) are counted here by reason too, for the beans that show them.
 */
public abstract class LearnerMeters implements ServerMetrics, LearnerMetersMBean {

    /** Weight of the newest update in the training loss's moving average. */
    private static final double LOSS_SMOOTHING = 0.05;

    private volatile long version;
    private final AtomicLong examplesTrained = new AtomicLong();
    private final RateMeter exampleRate = new RateMeter();
    private volatile double trainingLoss = Double.NaN;
    private final Histogram staleness = new Histogram(1024);
    private final AtomicLong stalenessMax = new AtomicLong();
    private final LongAdder staleRefused = new LongAdder();
    private final LongAdder misshapenRefused = new LongAdder();
    private final LongAdder pulls = new LongAdder();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong stepNanos = new AtomicLong();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
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

    @Override
    public void applied(long newVersion, long stalenessVersions, long examples, double loss) {
        version = newVersion;
        staleness.record(stalenessVersions);
        stalenessMax.accumulateAndGet(stalenessVersions, Math::max);
        examplesTrained.addAndGet(examples);
        exampleRate.mark(examples);
        double previous = trainingLoss;
        trainingLoss = Double.isNaN(previous) ? loss : previous + LOSS_SMOOTHING * (loss - previous);
    }

    @Override
    public void restored(long restoredVersion, long examples) {
        version = restoredVersion;
        examplesTrained.set(examples);
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

    /** A worker's training step took {@code nanos}. */
    public void step(long nanos) {
        steps.incrementAndGet();
        stepNanos.addAndGet(nanos);
    }

    /** A line of one of the model's streams was dead-lettered for {@code reason}. */
    public void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** Lines dead-lettered for {@code reason} so far. */
    public long rejectedLines(String reason) {
        LongAdder count = rejected.get(reason);
        return count == null ? 0 : count.sum();
    }

    /** Lines dead-lettered so far, every reason. */
    public long getLinesRejected() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** {@code reason=count} pairs, by reason. */
    public String getLinesRejectedByReason() {
        return new TreeMap<>(rejected).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().sum())
                .collect(Collectors.joining(" "));
    }

    /** Examples (characters, sentences, pairs: what the model's updates count) trained so far. */
    protected long examplesTrained() {
        return examplesTrained.get();
    }

    /** Examples trained per second, over the last few seconds. */
    protected double examplesPerSecond() {
        return exampleRate.perSecond();
    }

    @Override
    public long getVersion() {
        return version;
    }

    @Override
    public double getTrainingLoss() {
        return trainingLoss;
    }

    @Override
    public long getStalenessP50() {
        return Math.max(0, staleness.percentile(0.50));
    }

    @Override
    public long getStalenessP99() {
        return Math.max(0, staleness.percentile(0.99));
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
    public long getSteps() {
        return steps.get();
    }

    @Override
    public double getStepMillis() {
        long n = steps.get();
        return n == 0 ? Double.NaN : stepNanos.get() / 1e6 / n;
    }
}
