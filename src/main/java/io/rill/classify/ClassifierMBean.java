package io.rill.classify;

/**
 * JMX view of one sentence classifier, {@code rill:type=Classifier,model=<name>}: how far it has learned (version,
 * sentences, rate, loss), how well (prequential accuracy: each sentence predicted before it is trained on; held-out
 * accuracy and loss), its vocabularies, the lines its streams refused, and its parameter server's staleness.
 */
public interface ClassifierMBean {

    /** Updates the parameter server has applied. */
    long getVersion();

    long getSentencesTrained();

    double getSentencesPerSecond();

    /** Mean training loss (with dropout) of recent steps. */
    double getTrainingLoss();

    /** Share of the last {@code prequential-window} trained sentences that the model predicted right just before. */
    double getPrequentialAccuracy();

    /** The same over every sentence trained since the node started. */
    double getPrequentialAccuracyOverall();

    /** On the held-out sentences, at the last progress report (NaN before the first). */
    double getHeldOutAccuracy();

    double getHeldOutLoss();

    int getHeldOutSentences();

    int getClasses();

    /** The classes, in the order they were first seen. */
    String getLabels();

    int getVocabularySize();

    /** Tokens dropped because the vocabulary was full. */
    long getWordsDropped();

    /** Lines refused by the model's streams (dead-lettered), all reasons. */
    long getLinesRejected();

    /** Lines refused by reason, e.g. "no-tab=3 too-many-classes=1". */
    String getLinesRejectedByReason();

    /** Times the fixed rows were refreshed from the pre-trained source (a skip-gram model). */
    long getBaseRefreshes();

    long getStalenessP50();

    long getStalenessP99();

    long getStalenessMax();

    long getStaleUpdatesRefused();

    long getSteps();

    double getMeanStepMillis();

    /** Adadelta's learning rate multiplier (1 by default); set it to change the server's at once. */
    void setLearningRate(double rate);
}
