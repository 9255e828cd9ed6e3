package io.rill.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import io.rill.node.RillSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Settings for a rill node in a test: pointed at the shared test broker, with topics and a consumer group of its
 * own (names carry a unique prefix), so tests sharing one broker never see each other's records.
 */
public final class TestNodes {

    private TestNodes() {
    }

    /** The topic names one test uses. */
    public record Topics(String corpus, String names, String deadletter, String requests, String generated,
                         Path specs, String labelled, String classifyRequests, String classified, String parallel,
                         String translateRequests, String translated) {
    }

    public static Topics topics(String testName) {
        return topics(testName, 2);
    }

    /** As {@link #topics(String)}, with {@code namesPartitions} partitions of the names topic. */
    public static Topics topics(String testName, int namesPartitions) {
        String prefix = testName + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try {
            Path specs = Files.createTempDirectory("rill-topics");
            Topics topics = new Topics(prefix + "corpus", prefix + "names", prefix + "deadletter",
                    prefix + "requests", prefix + "generated", specs, prefix + "labelled",
                    prefix + "classify-requests", prefix + "classified", prefix + "parallel",
                    prefix + "translate-requests", prefix + "translated");
            writeSpec(specs, topics.corpus(), 2);
            writeSpec(specs, topics.names(), namesPartitions);
            writeSpec(specs, topics.deadletter(), 1);
            writeSpec(specs, topics.requests(), 2);
            writeSpec(specs, topics.generated(), 1);
            writeSpec(specs, topics.labelled(), 2);
            writeSpec(specs, topics.classifyRequests(), 2);
            writeSpec(specs, topics.classified(), 1);
            writeSpec(specs, topics.parallel(), 2);
            writeSpec(specs, topics.translateRequests(), 2);
            writeSpec(specs, topics.translated(), 1);
            return topics;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plain producer, acks=all, that takes records up to the topics' 16 MiB limit. */
    public static KafkaProducer<byte[], byte[]> producer(TestKafka kafka) {
        Properties props = kafka.clientConfig();
        props.put("acks", "all");
        props.put("max.request.size", "17000000");
        // Not idempotent, one request in flight: on a partition whose leader the single test broker is still taking
        // up, kafka-clients 3.9's idempotent producer answered NOT_LEADER with minutes of OUT_OF_ORDER_SEQUENCE
        // retries (seen twice in CI). One in flight keeps the order; a retry after NOT_LEADER wrote nothing.
        props.put("enable.idempotence", "false");
        props.put("max.in.flight.requests.per.connection", "1");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Creates the test's topics now, as a node would at start, so a test can produce before any node runs. */
    public static void createTopics(TestKafka kafka, Topics topics) {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            List<TopicSpec> specs = TopicSpec.loadAll(topics.specs());
            TopicProvisioner.ensure(admin, specs);
            // Wait until every partition has a leader: an idempotent producer that meets NOT_LEADER on a brand-new
            // partition can fall into out-of-order-sequence retries for a minute or more (seen once in CI).
            List<String> names = specs.stream().map(TopicSpec::name).toList();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                boolean led;
                try {
                    led = admin.describeTopics(names).allTopicNames().get().values().stream()
                            .allMatch(d -> d.partitions().stream()
                                    .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    led = false; // just created: the broker's metadata does not list it yet
                }
                if (led) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("describing the test's topics failed", e);
        }
    }

    private static void writeSpec(Path dir, String name, int partitions) throws IOException {
        Files.writeString(dir.resolve(name + ".conf"), """
                name = "%s"
                partitions = %d
                replication-factor = 1
                configs { "max.message.bytes" = "16777216", "retention.ms" = "-1" }
                """.formatted(name, partitions));
    }

    /**
     * The configuration of a node on {@code kafka} learning from {@code topics}, as HOCON text. The character
     * model and the classifier are small (tests that measure them set their own sizes), so a test that only sends
     * names stays cheap. Checkpoints go to a directory of the test's own, every second, so offsets commit soon after
     * ingestion; so does the rest of the node's data (training curves, written every second). The HTTP endpoint takes
     * a free port.
     * The broker's client properties (a login) become the node's {@code rill.kafka.client-properties}.
     */
    public static String configText(TestKafka kafka, Topics topics) {
        String clientProperties = ConfigValueFactory.fromMap(kafka.clientProperties())
                .render(ConfigRenderOptions.concise());
        return """
                rill.kafka.bootstrap-servers = "%s"
                rill.kafka.client-properties = %s
                rill.kafka.group-id = "group-%s"
                rill.kafka.topics-dir = "%s"
                rill.ingest.deadletter-topic = "%s"
                rill.ingest.lag-poll-interval = 500ms
                rill.ingest.restart-min-backoff = 200ms
                rill.ingest.restart-max-backoff = 2s
                rill.ingest.streams = [
                  { topic = "%s", tokenizer = "words" }
                  { topic = "%s", tokenizer = "characters", batch-bytes = 65536 }
                  { topic = "%s", tokenizer = "lines", batch-bytes = 65536 }
                  { topic = "%s", tokenizer = "lines", batch-bytes = 16384 }
                ]
                rill.models.corpus.topics = ["%s"]
                rill.models.names.topics = ["%s"]
                rill.models.mr.topics = ["%s"]
                rill.models.en-fr.topics = ["%s"]
                rill.lstm.embedding-size = 16
                rill.lstm.hidden-size = 32
                rill.classify.dimension = 16
                rill.classify.feature-maps = 8
                rill.translate.embedding-size = 8
                rill.translate.hidden-size = 8
                rill.translate.attention-size = 8
                rill.generate.requests-topic = "%s"
                rill.generate.replies-topic = "%s"
                rill.classification.requests-topic = "%s"
                rill.classification.replies-topic = "%s"
                rill.classify.progress.topic = "%s"
                rill.translation.requests-topic = "%s"
                rill.translation.replies-topic = "%s"
                rill.checkpoint.directory = "%s"
                rill.checkpoint.interval = 1s
                rill.node.data-dir = "%s"
                rill.http.port = 0
                rill.progress.interval = 1s
                """.formatted(kafka.bootstrapServers(), clientProperties, topics.corpus(), topics.specs(),
                topics.deadletter(), topics.corpus(), topics.names(), topics.labelled(), topics.parallel(),
                topics.corpus(), topics.names(), topics.labelled(), topics.parallel(), topics.requests(),
                topics.generated(), topics.classifyRequests(), topics.classified(), topics.classified(),
                topics.translateRequests(), topics.translated(),
                topics.specs().resolveSibling(topics.specs().getFileName() + "-checkpoints"),
                topics.specs().resolveSibling(topics.specs().getFileName() + "-data"));
    }

    /** Writes {@link #configText} plus {@code extra} HOCON lines to a file, for a node started by the CLI. */
    public static Path writeConfig(Path file, TestKafka kafka, Topics topics, String extra) throws IOException {
        Files.writeString(file, configText(kafka, topics) + extra);
        return file;
    }

    /** Settings for a node on {@code kafka} learning from {@code topics}, with optional extra keys on top. */
    public static RillSettings settings(TestKafka kafka, Topics topics, Map<String, Object> overrides) {
        Config config = ConfigFactory.parseMap(overrides)
                .withFallback(ConfigFactory.parseString(configText(kafka, topics)))
                .withFallback(ConfigFactory.load())
                .resolve();
        return RillSettings.from(config);
    }
}
