package io.rill.generate;

import com.typesafe.config.Config;

import java.time.Duration;

/** The {@code rill.generate} section of the configuration, read once; every key is documented in application.conf. */
public record GenerationSettings(
        boolean enabled,
        String requestsTopic,
        String repliesTopic,
        String groupId,
        GenerationLimits limits,
        int novelAttempts,
        int parallelism,
        Duration timeout,
        Duration snapshotInterval,
        Duration seenRefreshInterval,
        long seenExpected,
        double seenFalsePositiveRate) {

    public static final String DISPATCHER = "rill.generate.dispatcher";

    public static GenerationSettings from(Config config) {
        Config c = config.getConfig("rill.generate");
        return new GenerationSettings(
                c.getBoolean("enabled"),
                c.getString("requests-topic"),
                c.getString("replies-topic"),
                c.getString("group-id"),
                new GenerationLimits(c.getInt("max-request-bytes"), c.getInt("max-count"), c.getInt("max-length"),
                        c.getInt("default-max-length")),
                c.getInt("novel-attempts"),
                c.getInt("parallelism"),
                c.getDuration("timeout"),
                c.getDuration("snapshot-interval"),
                c.getDuration("seen-refresh-interval"),
                c.getLong("seen-sequences.expected"),
                c.getDouble("seen-sequences.false-positive-rate"));
    }
}
