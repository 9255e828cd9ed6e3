package io.rill.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.generate.GenerationSettings;
import io.rill.ops.IngestStreamMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The pieces the benchmarks share: the embedded broker's address and record limit, the topic spec files, end
 * offsets, the "every partition committed to its end" test, the {@code --set} overrides, and cleaning up.
 */
final class BenchSupport {

    /** The embedded broker listens on loopback only. */
    static final String HOST = "127.0.0.1";
    /** The broker's largest record batch, as a rill node's embedded broker has it. */
    static final int BROKER_MAX_MESSAGE_BYTES = 17_825_792;

    private BenchSupport() {
    }

    /**
     * A producer's properties for loading a benchmark's data in bulk: {@code acks=all}, idempotent, no compression,
     * 256 KiB batches after up to 10 ms.
     */
    static Properties bulkProducerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return props;
    }

    /**
     * Writes the spec of a text topic (kept forever, records up to 16 MiB, like rill.text.corpus) and the spec of a
     * dead-letter topic into {@code topicsDir}, for rill's {@code TopicProvisioner} and a node's topics-dir.
     */
    static void writeTopicSpecs(Path topicsDir, String topic, int partitions, String deadletterTopic) throws IOException {
        Files.writeString(topicsDir.resolve(topic + ".conf"), """
                # Benchmark text: %d partitions, like rill.text.corpus.
                name = "%s"
                partitions = %d
                replication-factor = 1
                configs {
                  "cleanup.policy" = "delete"
                  "retention.ms" = "-1"
                  "retention.bytes" = "-1"
                  "max.message.bytes" = "16777216"
                }
                """.formatted(partitions, topic, partitions), StandardCharsets.UTF_8);
        Files.writeString(topicsDir.resolve(deadletterTopic + ".conf"), """
                # Dead letters of the benchmark's rill node.
                name = "%s"
                partitions = 1
                replication-factor = 1
                configs {
                  "cleanup.policy" = "delete"
                  "retention.ms" = "-1"
                  "max.message.bytes" = "16777216"
                }
                """.formatted(deadletterTopic), StandardCharsets.UTF_8);
    }

    /** The generation topics, as the repository's topics/ folder declares them. */
    static void writeGenerationTopicSpecs(Path topicsDir, GenerationSettings generation) throws IOException {
        Files.writeString(topicsDir.resolve(generation.requestsTopic() + ".conf"), """
                # Generation requests, JSON, keyed by request id (as in topics/).
                name = "%s"
                partitions = 2
                replication-factor = 1
                configs {
                  "cleanup.policy" = "delete"
                  "retention.ms" = "86400000"
                  "max.message.bytes" = "16777216"
                }
                """.formatted(generation.requestsTopic()), StandardCharsets.UTF_8);
        Files.writeString(topicsDir.resolve(generation.repliesTopic() + ".conf"), """
                # Replies to generation requests and the progress stream (as in topics/).
                name = "%s"
                partitions = 1
                replication-factor = 1
                configs {
                  "cleanup.policy" = "delete"
                  "retention.ms" = "604800000"
                }
                """.formatted(generation.repliesTopic()), StandardCharsets.UTF_8);
    }

    /** The end offset of every partition of {@code topic}, in partition order. */
    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new LinkedHashMap<>();
        admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Whether every non-empty partition's stream has committed up to its end offset, by the stream metrics. */
    static boolean allCommitted(List<IngestStreamMetrics> streams, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (end.getValue() == 0) {
                continue;
            }
            IngestStreamMetrics metrics = streams.stream()
                    .filter(s -> s.partition() == end.getKey().partition()).findFirst().orElse(null);
            if (metrics == null || metrics.getLastCommittedOffset() < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** {@code --set} lines as one configuration, a later line winning over an earlier one. */
    static Config overrides(List<String> lines) {
        Config user = ConfigFactory.empty();
        for (String line : lines) {
            user = ConfigFactory.parseString(line).withFallback(user);
        }
        return user;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
