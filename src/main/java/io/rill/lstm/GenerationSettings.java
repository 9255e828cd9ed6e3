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
        double seenFalsePositiveRate) {

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
                c.getDouble("seen-sequences.false-positive-rate"));
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
