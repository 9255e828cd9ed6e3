package io.rill.lstm;

import java.util.Objects;

/**
 * One generated sequence as published: its {@code text} (prefix included, end-of-sequence not), its log-probability
 * under the model (temperature 1, no top-k), whether it may occur in the training data seen so far, and whether the
 * model ended it (rather than the length limit).
 */
public record GeneratedSample(String text, double logProbability, boolean inTraining, boolean ended) {

    public GeneratedSample {
        Objects.requireNonNull(text, "text");
    }
}
