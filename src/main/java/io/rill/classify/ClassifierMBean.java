package io.rill.classify;

import io.rill.learn.LearnerMetersMBean;
import io.rill.ops.Counter;

/**
 * JMX view of one sentence classifier, {@code rill:type=Classifier,model=<name>}: how far it has learned (version,
 * sentences, rate, loss), how well (prequential accuracy: each sentence predicted before it is trained on; held-out
 * accuracy and loss), its vocabularies and the lines its streams refused; and what every learner shows
 * ({@link LearnerMetersMBean}: version, training loss with dropout, staleness, steps; setLearningRate sets Adadelta's
 * multiplier, 1 by default).
 */
public interface ClassifierMBean extends LearnerMetersMBean {

    @Counter
    long getSentencesTrained();

    double getSentencesPerSecond();

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
    @Counter
    long getWordsDropped();

    /** Lines refused by the model's streams (dead-lettered), all reasons. */
    @Counter
    long getLinesRejected();

    /** Lines refused by reason, e.g. "no-tab=3 too-many-classes=1". */
    String getLinesRejectedByReason();

    /** Times the fixed rows were refreshed from the pre-trained source (a skip-gram model). */
    @Counter
    long getBaseRefreshes();

}
