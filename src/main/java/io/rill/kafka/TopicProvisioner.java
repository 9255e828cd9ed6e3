package io.rill.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes the cluster hold the topics that {@code topics/} declares: creates the missing ones, and for existing ones
 * reports every difference from the spec as a warning. It never alters an existing topic: partitions, replication
 * and retention of live data are an operator's decision, not a side effect of starting a node.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_SECONDS = 60;

    /** What provisioning did: topics it created and the differences it found in topics that existed. */
    public record Outcome(List<String> created, List<String> warnings) {
    }

    private TopicProvisioner() {
    }

    public static Outcome ensure(Admin admin, List<TopicSpec> specs) {
        try {
            Set<String> existing = new HashSet<>(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            List<String> created = new ArrayList<>();
            Set<String> raced = new HashSet<>();
            List<NewTopic> missing = specs.stream()
                    .filter(spec -> !existing.contains(spec.name()))
                    .map(spec -> new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor()).configs(spec.configs()))
                    .toList();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    created.add(entry.getKey());
                    log.info("created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Created meanwhile by someone else (another node, an operator): it exists, so check it.
                    raced.add(entry.getKey());
                }
            }
            List<String> warnings = new ArrayList<>();
            existing.addAll(raced);
            List<TopicSpec> present = specs.stream().filter(spec -> existing.contains(spec.name())).toList();
            if (!present.isEmpty()) {
                warnings.addAll(differences(admin, present));
            }
            warnings.forEach(w -> log.warn("topic differs from its spec in topics/ (left as it is): {}", w));
            return new Outcome(created, warnings);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot provision topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while provisioning topics", e);
        }
    }

    private static List<String> differences(Admin admin, List<TopicSpec> specs)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<String> names = specs.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> warnings = new ArrayList<>();
        for (TopicSpec spec : specs) {
            TopicDescription description = descriptions.get(spec.name());
            int partitions = description.partitions().size();
            if (partitions != spec.partitions()) {
                warnings.add(spec.name() + ": " + partitions + " partitions, spec says " + spec.partitions());
            }
            int replicas = description.partitions().get(0).replicas().size();
            if (replicas != spec.replicationFactor()) {
                warnings.add(spec.name() + ": replication factor " + replicas + ", spec says " + spec.replicationFactor());
            }
            Config actual = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            spec.configs().forEach((key, wanted) -> {
                ConfigEntry entry = actual.get(key);
                String value = entry == null ? null : entry.value();
                if (!wanted.equals(value)) {
                    warnings.add(spec.name() + ": " + key + " is " + value + ", spec says " + wanted);
                }
            });
        }
        return warnings;
    }
}
