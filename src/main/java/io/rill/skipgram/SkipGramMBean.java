package io.rill.skipgram;

import io.rill.ops.Counter;

/** JMX view of the skip-gram learner, {@code rill:type=SkipGram}: its figures and its queries. */
public interface SkipGramMBean {

    /** Words the vocabulary holds (trainable or not). */
    int getVocabularySize();

    /** Words seen at least min-count times: the ones with embeddings. */
    int getTrainableWords();

    @Counter
    long getTokensSeen();

    double getTokensPerSecond();

    /** (center, context) pairs trained. */
    @Counter
    long getPairsTrained();

    double getPairsPerSecond();

    /** SGNS loss per pair (positive and negatives summed), moving average. */
    double getLoss();

    double getLearningRate();

    /** Share of tokens of trainable words that subsampling kept. */
    double getKeepRatio();

    /** Pushes applied by all parameter-server shards together. */
    long getParameterServerVersion();

    /** Versions a shard applied between a worker's pull and its push, median and 99th percentile. */
    long getStalenessP50();

    long getStalenessP99();

    /** Pushes refused as too stale (the worker refreshed and recomputed). */
    @Counter
    long getStaleRefusals();

    /** Words evicted from the full vocabulary. */
    @Counter
    long getEvictedWords();

    /** The k nearest words to {@code word} by cosine, as "word=cosine" lines. */
    String neighbours(String word, int k);

    /** a : b :: c : ?, the k best answers as "word=cosine" lines. */
    String analogy(String a, String b, String c, int k);

    /** Cosine similarity of two words; NaN if either is unknown. */
    double similarity(String x, String y);

    /**
     * Operation: sets the learning rate; the decay schedule starts again from it. A restarted node goes back to the
     * configured schedule.
     */
    void setLearningRate(double initial);

    /** Writes the current embeddings in word2vec format (text, or binary) to a file on the node; returns a summary. */
    String exportVectors(String path, boolean binary);
}
