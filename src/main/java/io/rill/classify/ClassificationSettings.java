package io.rill.classify;

import com.typesafe.config.Config;
import io.rill.request.RequestSettings;
import java.time.Duration;

/**
 * The {@code rill.classification} section (every key documented in application.conf): the request path's settings,
 * the longest text, and how often a classifier refreshes its copy of the model.
 */
public record ClassificationSettings(RequestSettings requests, int maxTextLength, Duration snapshotInterval) {

    public static final String DISPATCHER = "rill.classification.dispatcher";

    public static ClassificationSettings from(Config config) {
        Config c = config.getConfig("rill.classification");
        return new ClassificationSettings(RequestSettings.from(c), c.getInt("max-text-length"),
                c.getDuration("snapshot-interval"));
    }
}
