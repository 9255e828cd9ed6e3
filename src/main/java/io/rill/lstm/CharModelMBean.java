package io.rill.lstm;

import io.rill.ops.Counter;

/**
 * JMX view of one character model, {@code rill:type=CharModel,model=<name>}: training progress, the parameter
 * server's staleness, held-out loss and the latest samples. Written by the model's actors, read by operators.
 */
public interface CharModelMBean {

    /** Parameter version: updates the parameter server has applied. */
    long getVersion();

    @Counter
    long getCharactersTrained();

    /** Characters trained per second, over the last few seconds. */
    double getCharactersPerSecond();

    /** Mean training loss of recent chunks, nats per character (dropout on, as trained). */
    double getTrainingLoss();

    /** Loss on the held-out lines at the last progress report, nats per character; NaN before the first. */
    double getHeldOutLoss();

    int getHeldOutLines();

    /** Characters (end-of-sequence included) the model knows. */
    int getVocabularySize();

    /** Characters dropped because the vocabulary was full ({@code rill.lstm.max-vocabulary}). */
    @Counter
    long getCharactersDropped();

    /** Lines or records fed to the model, and of them held out of training. */
    @Counter
    long getSequencesSeen();

    @Counter
    long getSequencesHeldOut();

    /** Versions the parameter server had moved on between a worker's pull and the push of its gradient. */
    long getStalenessP50();

    long getStalenessP99();

    long getStalenessMax();

    /** Gradients refused because they were more than {@code rill.lstm.max-staleness} versions old. */
    @Counter
    long getStaleGradientsRefused();

    /**
     * Gradients refused because their model has another architecture than the server's: on a cluster, a node
     * configured differently from the others.
     */
    @Counter
    long getMisshapenGradientsRefused();

    /** Parameter copies served to workers and generators. */
    @Counter
    long getPulls();

    /** Streams that contributed to the last training step, and its batch (lanes). */
    int getActiveStreams();

    int getBatchLanes();

    /** Training steps and their mean wall time in milliseconds (forward and backward of one batch). */
    @Counter
    long getSteps();

    double getStepMillis();

    /** The samples of the last progress report, separated by spaces. */
    String getLatestSamples();

    /** Operation: sets Adam's learning rate from the next update on (a restart goes back to the configured one). */
    void setLearningRate(double rate);
}
