package io.rill.translate;

import io.rill.learn.LearnerMeters;
import java.util.concurrent.atomic.LongAdder;

/** The published figures of one attention model; its parameter server, data, streams, worker and reports write. */
public final class TranslatorMetrics extends LearnerMeters implements TranslatorMBean {

    private volatile double heldOutLoss = Double.NaN;
    private volatile double heldOutBleu = Double.NaN;
    private volatile int heldOutPairs;
    private volatile int heldOutSentencesScored;
    private volatile int sourceVocabularySize;
    private volatile int targetVocabularySize;
    private final LongAdder pairsSeen = new LongAdder();
    private final LongAdder pairsHeldOut = new LongAdder();
    private volatile int batchPairs;
    private volatile String latestTranslation = "";
    private volatile TranslatedSentence latestSample;

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

    /** A worker's step of {@code pairs} pairs took {@code nanos}. */
    public void step(int pairs, long nanos) {
        batchPairs = pairs;
        step(nanos);
    }

    public void progress(double loss, double bleu, int sentences, String translation, TranslatedSentence sample) {
        latestSample = sample;
        heldOutLoss = loss;
        heldOutBleu = bleu;
        heldOutSentencesScored = sentences;
        latestTranslation = translation;
    }

    @Override
    public long getPairsTrained() {
        return examplesTrained();
    }

    @Override
    public double getPairsPerSecond() {
        return examplesPerSecond();
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
