package io.rill.lstm;

import io.rill.learn.LearnerMeters;
import java.util.concurrent.atomic.LongAdder;

/** The published figures of one character model; its parameter server, worker and generator write here. */
public final class CharModelMetrics extends LearnerMeters implements CharModelMBean {

    private volatile double heldOutLoss = Double.NaN;
    private volatile int heldOutLines;
    private volatile int vocabularySize;
    private final LongAdder charactersDropped = new LongAdder();
    private final LongAdder sequencesSeen = new LongAdder();
    private final LongAdder sequencesHeldOut = new LongAdder();
    private volatile int activeStreams;
    private volatile int batchLanes;
    private volatile String latestSamples = "";

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
        step(nanos);
    }

    public void progress(double heldOut, int lines, String samples) {
        heldOutLoss = heldOut;
        heldOutLines = lines;
        latestSamples = samples;
    }

    @Override
    public long getCharactersTrained() {
        return examplesTrained();
    }

    @Override
    public double getCharactersPerSecond() {
        return examplesPerSecond();
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
    public int getActiveStreams() {
        return activeStreams;
    }

    @Override
    public int getBatchLanes() {
        return batchLanes;
    }

    @Override
    public String getLatestSamples() {
        return latestSamples;
    }
}
