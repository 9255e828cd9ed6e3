package io.rill.request;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The settings every kind of request has (a section such as {@code rill.generate}; every key is documented in
 * application.conf): where requests are read and replies written, the consumer group of the readers, the largest
 * request, how many are answered at once, and how long one may wait for its model.
 */
public record RequestSettings(boolean enabled, String requestsTopic, String repliesTopic, String groupId,
                              int maxRequestBytes, int parallelism, Duration timeout) {

    public static RequestSettings from(Config section) {
        RequestSettings settings = new RequestSettings(
                section.getBoolean("enabled"),
                section.getString("requests-topic"),
                section.getString("replies-topic"),
                section.getString("group-id"),
                section.getInt("max-request-bytes"),
                section.getInt("parallelism"),
                section.getDuration("timeout"));
        if (settings.parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + settings.parallelism);
        }
        return settings;
    }
}
