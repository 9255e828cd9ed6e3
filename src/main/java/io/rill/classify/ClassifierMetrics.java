package io.rill.classify;

import io.rill.learn.LearnerMeters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The published figures of one classifier; its parameter server, worker, streams and reporter write here. */
public final class ClassifierMetrics extends LearnerMeters implements ClassifierMBean {

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
    private final LongAdder baseRefreshes = new LongAdder();

    public ClassifierMetrics(int prequentialWindow) {
        this.recent = new boolean[prequentialWindow];
    }

    /** A worker's step: its sentences' predictions before training ({@code right[i]}), and how long it took. */
    public synchronized void step(boolean[] right, long nanos) {
        step(nanos);
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

    public void baseRefreshed() {
        baseRefreshes.increment();
    }

    @Override
    public long getSentencesTrained() {
        return examplesTrained();
    }

    @Override
    public double getSentencesPerSecond() {
        return examplesPerSecond();
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
    public long getBaseRefreshes() {
        return baseRefreshes.sum();
    }

}
