package io.rill.checkpoint;

import com.typesafe.config.Config;

import java.nio.file.Path;
import java.time.Duration;

/** The {@code rill.checkpoint} section of the configuration, read once; every key is documented in application.conf. */
public record CheckpointSettings(
        boolean enabled,
        Path directory,
        Duration interval,
        long everyRecords,
        Duration quietAfter,
        Duration minInterval,
        int keep,
        Duration barrierTimeout,
        boolean onShutdown) {

    public static CheckpointSettings from(Config config) {
        Config c = config.getConfig("rill.checkpoint");
        String directory = c.getString("directory").trim();
        CheckpointSettings settings = new CheckpointSettings(
                c.getBoolean("enabled"),
                // Derived here rather than by a substitution in application.conf, so that a data directory set on
                // an already resolved configuration (tests, benchmarks) moves the checkpoints with it.
                directory.isEmpty() ? Path.of(config.getString("rill.node.data-dir")).resolve("checkpoints")
                        : Path.of(directory),
                c.getDuration("interval"),
                c.getLong("every-records"),
                c.getDuration("quiet-after"),
                c.getDuration("min-interval"),
                c.getInt("keep"),
                c.getDuration("barrier-timeout"),
                c.getBoolean("on-shutdown"));
        if (settings.keep < 1) {
            throw new IllegalArgumentException("rill.checkpoint.keep must be at least 1");
        }
        if (settings.interval.isNegative() || settings.interval.isZero()) {
            throw new IllegalArgumentException("rill.checkpoint.interval must be positive");
        }
        if (settings.quietAfter.isNegative() || settings.minInterval.isNegative() || settings.everyRecords < 0) {
            throw new IllegalArgumentException("rill.checkpoint.quiet-after, min-interval and every-records must not "
                    + "be negative");
        }
        return settings;
    }
}
