package io.rill.learn;

import com.typesafe.config.Config;
import java.util.List;

/**
 * One model as {@code rill.models} names it: its name (what requests and JMX call it), its kind, the topics it learns
 * from, and its settings: the model's own keys laid over its kind's defaults (for a char-lstm model,
 * {@code rill.models.names} over {@code rill.lstm}), so {@code config.getInt("hidden-size")} reads the model's
 * value or the kind's.
 */
public record ModelSpec(String name, String kind, List<String> topics, Config config) {
}
