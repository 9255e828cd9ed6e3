package io.rill.learn;

import java.util.concurrent.CompletionStage;

/**
 * A model that has word vectors to offer other models (a skip-gram model's input embeddings): a classifier's static
 * channel reads them by the model's name ({@link LearnerContext#model}) and follows them as they keep learning.
 */
public interface WordVectors {

    /** A consistent copy of the vectors now. */
    CompletionStage<Vectors> wordVectors();

    /** Words (most frequent first) and their vectors, row-major, of {@code dimension} each, at {@code version}. */
    record Vectors(String[] words, float[] vectors, int dimension, long version) {
    }
}
