package io.rill.translate;

import io.rill.learn.LearnerMetersMBean;
import io.rill.ops.Counter;

/**
 * JMX view of one attention model, {@code rill:type=Translator,model=<name>}: training progress, the parameter
 * server's staleness, held-out loss and BLEU-4, the vocabularies and the latest sample translation. Written by the
 * model's actors, read by operators. The version, training loss (nats per target word, end of sentence included),
 * staleness, refusals, pulls and steps are {@link LearnerMetersMBean}'s.
 */
public interface TranslatorMBean extends LearnerMetersMBean {

    @Counter
    long getPairsTrained();

    /** Sentence pairs trained per second, over the last few seconds. */
    double getPairsPerSecond();

    /** Loss on the held-out pairs at the last progress report, nats per target word; NaN before the first. */
    double getHeldOutLoss();

    /** Corpus BLEU-4 (0 to 100) of greedy translations of the held-out source sentences, every held-out target of a
     *  sentence a reference; NaN before the first report. */
    double getHeldOutBleu();

    /** Held-out pairs kept (up to held-out.max-pairs), and the distinct source sentences the last report scored. */
    int getHeldOutPairs();

    int getHeldOutSentencesScored();

    /** Ids of each side (the four fixed ones included). */
    int getSourceVocabularySize();

    int getTargetVocabularySize();

    /** Sentence pairs read from the streams, of them held out, and lines refused (dead-lettered) by reason. */
    @Counter
    long getPairsSeen();

    @Counter
    long getPairsHeldOut();

    @Counter
    long getLinesRejected();

    String getLinesRejectedByReason();

    /** Sentence pairs in the last training step's batch. */
    int getBatchPairs();

    /** The sample sentence and its translation at the last progress report. */
    String getLatestTranslation();
}
