package io.rill.skipgram;

import com.typesafe.config.Config;

/**
 * A skip-gram model's settings: the {@code rill.skipgram} section of the configuration with the model's own keys of
 * {@code rill.models} laid over it, read once; every key is documented in application.conf.
 */
public record SkipGramSettings(
        boolean documentPerLine,
        int dimension,
        int window,
        int negatives,
        int minCount,
        long minCountHorizon,
        double sample,
        LearningRate learningRate,
        int vocabularyCapacity,
        long negativeTableRebuildTokens,
        int shards,
        int workers,
        int minibatchPairs,
        int maxStaleness,
        long seed) {

    public static final String WORKER_DISPATCHER = "rill.skipgram.worker-dispatcher";

    /** Settings that count min-count over the whole stream (no horizon). */
    public SkipGramSettings(boolean documentPerLine, int dimension, int window, int negatives, int minCount,
                            double sample, LearningRate learningRate, int vocabularyCapacity,
                            long negativeTableRebuildTokens, int shards, int workers, int minibatchPairs,
                            int maxStaleness, long seed) {
        this(documentPerLine, dimension, window, negatives, minCount, 0, sample, learningRate, vocabularyCapacity,
                negativeTableRebuildTokens, shards, workers, minibatchPairs, maxStaleness, seed);
    }

    private static boolean documentPerLine(String boundary) {
        return switch (boundary) {
            case "line" -> true;
            case "blank-line" -> false;
            default -> throw new IllegalArgumentException(
                    "rill.skipgram.document-boundary must be \"line\" or \"blank-line\", not \"" + boundary + "\"");
        };
    }

    private static LearningRate.Shape shape(String shape) {
        return switch (shape) {
            case "inverse-time" -> LearningRate.Shape.INVERSE_TIME;
            case "linear" -> LearningRate.Shape.LINEAR;
            default -> throw new IllegalArgumentException(
                    "rill.skipgram.learning-rate.shape must be \"inverse-time\" or \"linear\", not \"" + shape + "\"");
        };
    }

    /** The defaults of every skip-gram model: {@code rill.skipgram} of the whole configuration {@code config}. */
    public static SkipGramSettings from(Config config) {
        return of(config.getConfig("rill.skipgram"));
    }

    /** One model's settings, {@code c} being its keys over {@code rill.skipgram}'s. */
    public static SkipGramSettings of(Config c) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new SkipGramSettings(
                documentPerLine(c.getString("document-boundary")),
                c.getInt("dimension"),
                c.getInt("window"),
                c.getInt("negatives"),
                c.getInt("min-count"),
                c.getLong("min-count-horizon"),
                c.getDouble("sample"),
                new LearningRate((float) c.getDouble("learning-rate.initial"), c.getDouble("learning-rate.decay-tokens"),
                        (float) c.getDouble("learning-rate.floor"), shape(c.getString("learning-rate.shape"))),
                c.getInt("vocabulary-capacity"),
                c.getLong("negative-table-rebuild-tokens"),
                c.getInt("shards") > 0 ? c.getInt("shards") : cores,
                c.getInt("workers") > 0 ? c.getInt("workers") : cores,
                c.getInt("minibatch-pairs"),
                c.getInt("max-staleness"),
                c.getLong("seed"));
    }
}
