package io.rill.ops;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code rill.progress} section: whether the node writes its models' training curves, how often, and where
 * (empty: {@code <data-dir>/progress}). Documented in application.conf.
 */
public record ProgressSettings(boolean enabled, Duration interval, Path directory) {

    public static ProgressSettings from(Config config, Path dataDir) {
        Config c = config.getConfig("rill.progress");
        String directory = c.getString("directory").trim();
        Duration interval = c.getDuration("interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("rill.progress.interval must be positive, not " + interval);
        }
        return new ProgressSettings(c.getBoolean("enabled"), interval,
                directory.isEmpty() ? dataDir.resolve("progress") : Path.of(directory));
    }
}
