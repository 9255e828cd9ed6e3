package io.rill.learn;

import io.rill.ops.Counter;

/**
 * The JMX attributes every learner's bean has, whatever it learns: how far its parameter server has come, how stale
 * the gradients it applies are, what it refused, and its workers' steps. A model's bean extends this with its own.
 */
public interface LearnerMetersMBean {

    /** Parameter version: updates the parameter server has applied. */
    long getVersion();

    /** Mean training loss of recent updates (dropout on, as trained); NaN before the first. */
    double getTrainingLoss();

    /** Versions the parameter server had moved on between a worker's pull and the push of its gradient. */
    long getStalenessP50();

    long getStalenessP99();

    long getStalenessMax();

    /** Gradients refused because they were more than the model's {@code max-staleness} versions old. */
    @Counter
    long getStaleGradientsRefused();

    /**
     * Gradients refused because their model has another architecture than the server's: on a cluster, a node
     * configured differently from the others.
     */
    @Counter
    long getMisshapenGradientsRefused();

    /** Parameter copies served to workers and to the copies that answer requests. */
    @Counter
    long getPulls();

    /** Training steps (forward and backward of one batch) and their mean wall time in milliseconds. */
    @Counter
    long getSteps();

    double getStepMillis();

    /** Operation: sets the optimizer's learning rate from the next update on (a restart goes back to the configured one). */
    void setLearningRate(double rate);
}
