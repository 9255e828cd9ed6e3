package io.rill.translate;

import com.typesafe.config.Config;
import io.rill.request.RequestSettings;
import java.time.Duration;

/**
 * The {@code rill.translation} section of the configuration (translation requests, for every attention model of the
 * node), read once; every key is documented in application.conf.
 *
 * @param requests where translation requests come from and replies go, as for every kind of request
 */
public record TranslationSettings(
        RequestSettings requests,
        int maxTextWords,
        int defaultBeam,
        int maxBeam,
        int defaultMaxLength,
        int maxLength,
        Duration snapshotInterval) {

    public static final String DISPATCHER = "rill.translation.dispatcher";

    public static TranslationSettings from(Config config) {
        Config c = config.getConfig("rill.translation");
        TranslationSettings settings = new TranslationSettings(
                RequestSettings.from(c),
                c.getInt("max-text-words"),
                c.getInt("default-beam"),
                c.getInt("max-beam"),
                c.getInt("default-max-length"),
                c.getInt("max-length"),
                c.getDuration("snapshot-interval"));
        if (settings.maxTextWords < 1 || settings.maxBeam < 1 || settings.defaultBeam < 1
                || settings.defaultBeam > settings.maxBeam || settings.maxLength < 1 || settings.defaultMaxLength < 1
                || settings.defaultMaxLength > settings.maxLength) {
            throw new IllegalArgumentException("rill.translation: max-text-words, beams and lengths must be positive,"
                    + " each default at most its maximum");
        }
        return settings;
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
