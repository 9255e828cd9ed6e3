package io.rill.skipgram;

import com.typesafe.config.Config;

/** The {@code rill.skipgram} section of the configuration, read once; every key is documented in application.conf. */
public record SkipGramSettings(
        boolean enabled,
        boolean documentPerLine,
        int dimension,
        int window,
        int negatives,
        int minCount,
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

    private static boolean documentPerLine(String boundary) {
        return switch (boundary) {
            case "line" -> true;
            case "blank-line" -> false;
            default -> throw new IllegalArgumentException(
                    "rill.skipgram.document-boundary must be \"line\" or \"blank-line\", not \"" + boundary + "\"");
        };
    }

    public static SkipGramSettings from(Config config) {
        Config c = config.getConfig("rill.skipgram");
        int cores = Runtime.getRuntime().availableProcessors();
        return new SkipGramSettings(
                c.getBoolean("enabled"),
                documentPerLine(c.getString("document-boundary")),
                c.getInt("dimension"),
                c.getInt("window"),
                c.getInt("negatives"),
                c.getInt("min-count"),
                c.getDouble("sample"),
                new LearningRate((float) c.getDouble("learning-rate.initial"), c.getDouble("learning-rate.decay-tokens"),
                        (float) c.getDouble("learning-rate.floor")),
                c.getInt("vocabulary-capacity"),
                c.getLong("negative-table-rebuild-tokens"),
                c.getInt("shards") > 0 ? c.getInt("shards") : cores,
                c.getInt("workers") > 0 ? c.getInt("workers") : cores,
                c.getInt("minibatch-pairs"),
                c.getInt("max-staleness"),
                c.getLong("seed"));
    }
}
