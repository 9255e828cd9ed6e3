package io.rill.learn;

import io.rill.text.TokenizerKind;

/**
 * A kind of model rill can run ({@code skip-gram}, {@code char-lstm}, {@code kim-cnn}, {@code attention}): what
 * tokenizer its topics need, where its defaults live in the configuration, and how to start one. The node registers
 * every kind it knows; adding a model is adding a kind.
 */
public interface LearnerKind {

    /** The kind's name, as {@code rill.models.<model>.kind} gives it. */
    String name();

    /** Where the kind's defaults are ({@code "rill.lstm"}); a model's own keys override them. */
    String defaultsPath();

    /** How the records of the kind's topics are tokenized. */
    TokenizerKind tokenizer();

    /** Starts model {@code spec}: its servers, workers, JMX bean and request handlers. */
    Learner start(ModelSpec spec, LearnerContext context);
}
