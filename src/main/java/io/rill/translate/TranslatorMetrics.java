package io.rill.translate;

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

/** The published figures of one attention model; its parameter server, data, streams, worker and reports write. */
public final class TranslatorMetrics implements TranslatorMBean, ServerMetrics {

    private static final double LOSS_SMOOTHING = 0.05;

    private volatile long version;
    private final AtomicLong pairsTrained = new AtomicLong();
    private final RateMeter pairRate = new RateMeter();
    private volatile double trainingLoss = Double.NaN;
    private volatile double heldOutLoss = Double.NaN;
    private volatile double heldOutBleu = Double.NaN;
    private volatile int heldOutPairs;
    private volatile int heldOutSentencesScored;
    private volatile int sourceVocabularySize;
    private volatile int targetVocabularySize;
    private final LongAdder pairsSeen = new LongAdder();
    private final LongAdder pairsHeldOut = new LongAdder();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final Histogram staleness = new Histogram(1024);
    private final AtomicLong stalenessMax = new AtomicLong();
    private final LongAdder staleRefused = new LongAdder();
    private final LongAdder misshapenRefused = new LongAdder();
    private final LongAdder pulls = new LongAdder();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong stepNanos = new AtomicLong();
    private volatile int batchPairs;
    private volatile String latestTranslation = "";
    private volatile TranslatedSentence latestSample;
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
    public void applied(long newVersion, long stalenessVersions, long pairs, double loss) {
        version = newVersion;
        staleness.record(stalenessVersions);
        stalenessMax.accumulateAndGet(stalenessVersions, Math::max);
        pairsTrained.addAndGet(pairs);
        pairRate.mark(pairs);
        double previous = trainingLoss;
        trainingLoss = Double.isNaN(previous) ? loss : previous + LOSS_SMOOTHING * (loss - previous);
    }

    @Override
    public void restored(long restoredVersion, long pairs) {
        version = restoredVersion;
        pairsTrained.set(pairs);
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

    public void vocabularySizes(int source, int target) {
        sourceVocabularySize = source;
        targetVocabularySize = target;
    }

    public void heldOutPairs(int pairs) {
        heldOutPairs = pairs;
    }

    public void pairs(long seen, long heldOut) {
        pairsSeen.add(seen);
        pairsHeldOut.add(heldOut);
    }

    public void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public void step(int pairs, long nanos) {
        batchPairs = pairs;
        steps.incrementAndGet();
        stepNanos.addAndGet(nanos);
    }

    public void progress(double loss, double bleu, int sentences, String translation, TranslatedSentence sample) {
        latestSample = sample;
        heldOutLoss = loss;
        heldOutBleu = bleu;
        heldOutSentencesScored = sentences;
        latestTranslation = translation;
    }

    @Override
    public long getVersion() {
        return version;
    }

    @Override
    public long getPairsTrained() {
        return pairsTrained.get();
    }

    @Override
    public double getPairsPerSecond() {
        return pairRate.perSecond();
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
    public double getHeldOutBleu() {
        return heldOutBleu;
    }

    @Override
    public int getHeldOutPairs() {
        return heldOutPairs;
    }

    @Override
    public int getHeldOutSentencesScored() {
        return heldOutSentencesScored;
    }

    @Override
    public int getSourceVocabularySize() {
        return sourceVocabularySize;
    }

    @Override
    public int getTargetVocabularySize() {
        return targetVocabularySize;
    }

    @Override
    public long getPairsSeen() {
        return pairsSeen.sum();
    }

    @Override
    public long getPairsHeldOut() {
        return pairsHeldOut.sum();
    }

    @Override
    public long getLinesRejected() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String getLinesRejectedByReason() {
        return new TreeMap<>(rejected).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().sum())
                .collect(Collectors.joining(" "));
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
    public long getSteps() {
        return steps.get();
    }

    @Override
    public double getStepMillis() {
        long n = steps.get();
        return n == 0 ? Double.NaN : stepNanos.get() / 1e6 / n;
    }

    @Override
    public int getBatchPairs() {
        return batchPairs;
    }

    /** The sample translation of the last progress report with its map (null before the first): the demo draws it. */
    public TranslatedSentence latestSample() {
        return latestSample;
    }

    @Override
    public String getLatestTranslation() {
        return latestTranslation;
    }
}
