package io.rill.learn;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import io.rill.text.TokenizerKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models of {@code rill.models}, read against the kinds the node knows: each entry names its kind and its
 * topics, and anything else it sets overrides the kind's defaults for that model. A model of a kind whose defaults
 * say {@code enabled = false} (or that says so itself) is not started. Models come out in the order of the kinds,
 * then by name, so that a model that reads another (a classifier reading a skip-gram model's vectors) starts after
 * it.
 */
public final class Models {

    private final Map<String, LearnerKind> kinds = new LinkedHashMap<>();

    /** The kinds the node knows, in the order their models start. */
    public Models(List<LearnerKind> kinds) {
        kinds.forEach(kind -> {
            if (this.kinds.putIfAbsent(kind.name(), kind) != null) {
                throw new IllegalArgumentException("two learner kinds named " + kind.name());
            }
        });
    }

    public Optional<LearnerKind> kind(String name) {
        return Optional.ofNullable(kinds.get(name));
    }

    /** The enabled models of {@code config}'s {@code rill.models}, in start order; fails saying why on a bad entry. */
    public List<ModelSpec> read(Config config) {
        Config models = config.hasPath("rill.models") ? config.getConfig("rill.models") : ConfigFactory.empty();
        List<ModelSpec> specs = new ArrayList<>();
        for (LearnerKind kind : kinds.values()) {
            Config defaults = config.getConfig(kind.defaultsPath());
            models.root().keySet().stream().sorted().forEach(name -> {
                if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                    // it names JMX beans, entities and checkpoint sections: keep it to what needs no quoting
                    throw new IllegalArgumentException("rill.models." + name + ": a model's name is 1 to 100 letters, "
                            + "digits, '.', '_' or '-', starting with a letter or digit");
                }
                if (models.root().get(name).valueType() != ConfigValueType.OBJECT) {
                    throw new IllegalArgumentException("rill.models." + name + " must be an object such as "
                            + "{ kind = \"char-lstm\", topics = [\"rill.text.names\"] }");
                }
                Config model = models.getConfig(quoted(name));
                if (!model.hasPath("kind")) {
                    throw new IllegalArgumentException("rill.models." + name + " has no kind; one of " + kinds.keySet());
                }
                if (!model.getString("kind").equals(kind.name())) {
                    return;
                }
                Config merged = model.withFallback(defaults);
                if (merged.hasPath("enabled") && !merged.getBoolean("enabled")) {
                    return;
                }
                specs.add(new ModelSpec(name, kind.name(), model.getStringList("topics"), merged));
            });
        }
        for (String name : models.root().keySet()) {
            Config model = models.getConfig(quoted(name));
            if (!kinds.containsKey(model.getString("kind"))) {
                throw new IllegalArgumentException("rill.models." + name + ": unknown kind \"" + model.getString("kind")
                        + "\"; this node knows " + kinds.keySet());
            }
        }
        return specs;
    }

    /** Checks that every model's topics are consumed with the tokenizer its kind needs. */
    public void checkTopics(List<ModelSpec> specs, Map<String, TokenizerKind> streams) {
        for (ModelSpec spec : specs) {
            TokenizerKind needed = kinds.get(spec.kind()).tokenizer();
            for (String topic : spec.topics()) {
                TokenizerKind given = streams.get(topic);
                if (given == null) {
                    throw new IllegalArgumentException("model " + spec.name() + " learns from topic " + topic
                            + ", which rill.ingest.streams does not list; add { topic = \"" + topic
                            + "\", tokenizer = \"" + needed.configName() + "\" }");
                }
                if (given != needed) {
                    throw new IllegalArgumentException("model " + spec.name() + " (" + spec.kind() + ") needs topic "
                            + topic + " tokenized as \"" + needed.configName() + "\", but rill.ingest.streams says \""
                            + given.configName() + "\"");
                }
            }
        }
    }

    private static String quoted(String key) {
        return "\"" + key.replace("\"", "\\\"") + "\"";
    }
}
