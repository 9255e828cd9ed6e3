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
        int keep,
        Duration barrierTimeout,
        boolean onShutdown) {

    public static CheckpointSettings from(Config config) {
        Config c = config.getConfig("rill.checkpoint");
        CheckpointSettings settings = new CheckpointSettings(
                c.getBoolean("enabled"),
                Path.of(c.getString("directory")),
                c.getDuration("interval"),
                c.getLong("every-records"),
                c.getInt("keep"),
                c.getDuration("barrier-timeout"),
                c.getBoolean("on-shutdown"));
        if (settings.keep < 1) {
            throw new IllegalArgumentException("rill.checkpoint.keep must be at least 1");
        }
        if (settings.interval.isNegative() || settings.interval.isZero()) {
            throw new IllegalArgumentException("rill.checkpoint.interval must be positive");
        }
        return settings;
    }
}
