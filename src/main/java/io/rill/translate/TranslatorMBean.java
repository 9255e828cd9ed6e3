package io.rill.translate;

import io.rill.ops.Counter;

/**
 * JMX view of one attention model, {@code rill:type=Translator,model=<name>}: training progress, the parameter
 * server's staleness, held-out loss and BLEU-4, the vocabularies and the latest sample translation. Written by the
 * model's actors, read by operators.
 */
public interface TranslatorMBean {

    /** Parameter version: updates the parameter server has applied. */
    long getVersion();

    @Counter
    long getPairsTrained();

    /** Sentence pairs trained per second, over the last few seconds. */
    double getPairsPerSecond();

    /** Mean training loss of recent batches, nats per target word (end of sentence included). */
    double getTrainingLoss();

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

    /** Versions the parameter server had moved on between a worker's pull and the push of its gradient. */
    long getStalenessP50();

    long getStalenessP99();

    long getStalenessMax();

    /** Gradients refused because they were more than max-staleness versions old. */
    @Counter
    long getStaleGradientsRefused();

    /** Gradients refused because their model has another shape than the server's (a node configured otherwise). */
    @Counter
    long getMisshapenGradientsRefused();

    /** Parameter copies served to workers, translators and progress reports. */
    @Counter
    long getPulls();

    /** Training steps, their mean wall time in milliseconds, and the pairs of the last step's batch. */
    @Counter
    long getSteps();

    double getStepMillis();

    int getBatchPairs();

    /** The sample sentence and its translation at the last progress report. */
    String getLatestTranslation();

    /** Operation: sets Adam's learning rate from the next update on (a restart goes back to the configured one). */
    void setLearningRate(double rate);
}
