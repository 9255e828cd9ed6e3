package io.rill.lstm;

import com.typesafe.config.Config;
import io.rill.request.RequestSettings;
import java.time.Duration;

/**
 * The {@code rill.generate} section of the configuration, read once; every key is documented in application.conf.
 *
 * @param requests where generation requests come from and go to, as for every kind of request
 */
public record GenerationSettings(
        RequestSettings requests,
        GenerationLimits limits,
        int novelAttempts,
        Duration snapshotInterval,
        Duration seenRefreshInterval,
        long seenExpected,
        double seenFalsePositiveRate,
        int generatorsPerModel,
        int batchSamples) {

    public static final String DISPATCHER = "rill.generate.dispatcher";

    public static GenerationSettings from(Config config) {
        Config c = config.getConfig("rill.generate");
        return new GenerationSettings(
                RequestSettings.from(c),
                new GenerationLimits(c.getInt("max-request-bytes"), c.getInt("max-count"), c.getInt("max-length"),
                        c.getInt("default-max-length")),
                c.getInt("novel-attempts"),
                c.getDuration("snapshot-interval"),
                c.getDuration("seen-refresh-interval"),
                c.getLong("seen-sequences.expected"),
                c.getDouble("seen-sequences.false-positive-rate"),
                generators(c.getInt("generators-per-model")),
                positive(c.getInt("batch-samples"), "batch-samples"));
    }

    /** {@code generators-per-model}: 0 is one per core. */
    private static int generators(int configured) {
        if (configured < 0) {
            throw new IllegalArgumentException("rill.generate.generators-per-model must not be negative");
        }
        return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
    }

    private static int positive(int value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException("rill.generate." + key + " must be at least 1, got " + value);
        }
        return value;
    }

    public boolean enabled() {
        return requests.enabled();
    }

    public String requestsTopic() {
        return requests.requestsTopic();
    }

    public String repliesTopic() {
        return requests.repliesTopic();
    }

    public Duration timeout() {
        return requests.timeout();
    }
}
