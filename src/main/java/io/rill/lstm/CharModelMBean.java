package io.rill.lstm;

import io.rill.learn.LearnerMetersMBean;
import io.rill.ops.Counter;

/**
 * JMX view of one character model, {@code rill:type=CharModel,model=<name>}: what every learner shows
 * ({@link LearnerMetersMBean}: version, training loss (nats per character), staleness, steps), and its characters,
 * held-out loss and the latest samples. Written by the model's actors, read by operators.
 */
public interface CharModelMBean extends LearnerMetersMBean {

    @Counter
    long getCharactersTrained();

    /** Characters trained per second, over the last few seconds. */
    double getCharactersPerSecond();

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

    /** Streams that contributed to the last training step, and its batch (lanes). */
    int getActiveStreams();

    int getBatchLanes();

    /** The samples of the last progress report, separated by spaces. */
    String getLatestSamples();
}
