package io.rill.classify;

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

/** The published figures of one classifier; its parameter server, worker, streams and reporter write here. */
public final class ClassifierMetrics implements ClassifierMBean, ServerMetrics {

    private static final double LOSS_SMOOTHING = 0.05;

    private volatile long version;
    private final AtomicLong sentencesTrained = new AtomicLong();
    private final RateMeter rate = new RateMeter();
    private volatile double trainingLoss = Double.NaN;
    private final boolean[] recent;
    private int recentNext;
    private int recentFilled;
    private int recentCorrect;
    private final AtomicLong correctOverall = new AtomicLong();
    private final AtomicLong predictedOverall = new AtomicLong();
    private volatile double heldOutAccuracy = Double.NaN;
    private volatile double heldOutLoss = Double.NaN;
    private volatile int heldOutSentences;
    private volatile int classes;
    private volatile String labels = "";
    private volatile int vocabularySize;
    private final LongAdder wordsDropped = new LongAdder();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final LongAdder baseRefreshes = new LongAdder();
    private final Histogram staleness = new Histogram(1024);
    private final AtomicLong stalenessMax = new AtomicLong();
    private final LongAdder staleRefused = new LongAdder();
    private final LongAdder misshapenRefused = new LongAdder();
    private final LongAdder pulls = new LongAdder();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong stepNanos = new AtomicLong();
    private volatile DoubleConsumer learningRateSetter = r -> {
    };

    public ClassifierMetrics(int prequentialWindow) {
        this.recent = new boolean[prequentialWindow];
    }

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
        sentencesTrained.addAndGet(examples);
        rate.mark(examples);
        double previous = trainingLoss;
        trainingLoss = Double.isNaN(previous) ? loss : previous + LOSS_SMOOTHING * (loss - previous);
    }

    @Override
    public void restored(long restoredVersion, long examples) {
        version = restoredVersion;
        sentencesTrained.set(examples);
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

    /** A worker's step: its sentences' predictions before training ({@code right[i]}), and how long it took. */
    public synchronized void step(boolean[] right, long nanos) {
        steps.incrementAndGet();
        stepNanos.addAndGet(nanos);
        for (boolean r : right) {
            if (recentFilled == recent.length && recent[recentNext]) {
                recentCorrect--;
            }
            recent[recentNext] = r;
            recentCorrect += r ? 1 : 0;
            recentNext = (recentNext + 1) % recent.length;
            recentFilled = Math.min(recent.length, recentFilled + 1);
            if (r) {
                correctOverall.incrementAndGet();
            }
            predictedOverall.incrementAndGet();
        }
    }

    public void heldOut(double accuracy, double loss, int sentences) {
        heldOutAccuracy = accuracy;
        heldOutLoss = loss;
        heldOutSentences = sentences;
    }

    public void vocabularies(int words, java.util.List<String> labelList) {
        vocabularySize = words;
        classes = labelList.size();
        labels = String.join(" ", labelList);
    }

    public void dropped(long words) {
        wordsDropped.add(words);
    }

    public void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public long rejectedLines(String reason) {
        LongAdder count = rejected.get(reason);
        return count == null ? 0 : count.sum();
    }

    public void baseRefreshed() {
        baseRefreshes.increment();
    }

    @Override
    public long getVersion() {
        return version;
    }

    @Override
    public long getSentencesTrained() {
        return sentencesTrained.get();
    }

    @Override
    public double getSentencesPerSecond() {
        return rate.perSecond();
    }

    @Override
    public double getTrainingLoss() {
        return trainingLoss;
    }

    @Override
    public synchronized double getPrequentialAccuracy() {
        return recentFilled == 0 ? Double.NaN : (double) recentCorrect / recentFilled;
    }

    @Override
    public double getPrequentialAccuracyOverall() {
        long n = predictedOverall.get();
        return n == 0 ? Double.NaN : (double) correctOverall.get() / n;
    }

    @Override
    public double getHeldOutAccuracy() {
        return heldOutAccuracy;
    }

    @Override
    public double getHeldOutLoss() {
        return heldOutLoss;
    }

    @Override
    public int getHeldOutSentences() {
        return heldOutSentences;
    }

    @Override
    public int getClasses() {
        return classes;
    }

    @Override
    public String getLabels() {
        return labels;
    }

    @Override
    public int getVocabularySize() {
        return vocabularySize;
    }

    @Override
    public long getWordsDropped() {
        return wordsDropped.sum();
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
    public long getBaseRefreshes() {
        return baseRefreshes.sum();
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
    public long getStaleUpdatesRefused() {
        return staleRefused.sum();
    }

    @Override
    public long getSteps() {
        return steps.get();
    }

    @Override
    public double getMeanStepMillis() {
        long n = steps.get();
        return n == 0 ? Double.NaN : stepNanos.get() / 1e6 / n;
    }
}
