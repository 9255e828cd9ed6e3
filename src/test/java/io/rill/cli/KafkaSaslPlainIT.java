package io.rill.cli;

import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.PartitionOffsets;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.IngestStreamMetrics;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Kafka security passed through to every client rill makes: an embedded broker that takes only SASL/PLAIN logins,
 * and a node whose {@code rill.kafka.client-properties} log in. What another user produces is ingested, dead-lettered
 * and committed (the ingest consumers, the producer, the admin client and its lag poll all got in); the CLI's
 * produce, topics and generate commands log in with the same configuration, and generate's request is answered by
 * the node's generation service (its consumer and producer got in too). A wrong password and a client that does
 * not log in at all are refused.
 */
class KafkaSaslPlainIT {

    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"%s\" password=\"%s\";";

    @Test
    void aNodeThatLogsInIngestsAndCommitsWhatAnotherUserProducesAndAWrongPasswordIsRefused(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), "127.0.0.1", 0, 17_825_792,
                Map.of("rill", "rill-secret", "writer", "writer \"quoted\" secret"))) {
            TestKafka asRill = new TestKafka(broker.bootstrapServers(), "embedded-sasl", login("rill", "rill-secret"));
            TestKafka asWriter = new TestKafka(broker.bootstrapServers(), "embedded-sasl",
                    login("writer", "writer \"quoted\" secret"));

            // A wrong password is refused as such; a client that does not log in gets nowhere.
            TestKafka wrongPassword = new TestKafka(broker.bootstrapServers(), "embedded-sasl", login("rill", "guess"));
            try (Admin admin = Admin.create(wrongPassword.clientConfig())) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
            try (KafkaProducer<byte[], byte[]> producer = producer(wrongPassword)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("any", new byte[] {'x'})).get())
                        .hasCauseInstanceOf(SaslAuthenticationException.class);
            }
            Properties anonymous = new Properties();
            anonymous.put("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(anonymous)) {
                assertThatThrownBy(() -> admin.listTopics(new ListTopicsOptions().timeoutMs(2000)).names().get())
                        .hasCauseInstanceOf(TimeoutException.class);
            }

            TestNodes.Topics topics = TestNodes.topics("sasl");
            // Quick commits and a quick consumer stop keep the test short; the skip-gram learner is not needed.
            RillSettings settings = TestNodes.settings(asRill, topics, Map.of("rill.skipgram.enabled", false,
                    "rill.ingest.commit-max-interval", "200ms", "akka.kafka.consumer.stop-timeout", "1s"));
            Path config = TestNodes.writeConfig(dir.resolve("node.conf"), asRill, topics, "");
            try (RillNode node = RillNode.start(settings)) {
                try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(asWriter)) {
                    for (String name : List.of("Ishmael", "Queequeg", "Starbuck", "Stubb", "Flask")) {
                        producer.send(new ProducerRecord<>(topics.names(), name.getBytes(StandardCharsets.UTF_8))).get();
                    }
                    producer.send(new ProducerRecord<>(topics.corpus(), "call me ishmael".getBytes(StandardCharsets.UTF_8))).get();
                    producer.send(new ProducerRecord<>(topics.corpus(), new byte[0])).get(); // dead-lettered: empty
                }
                Path more = Files.writeString(dir.resolve("more-names.txt"), "Tashtego\nDaggoo\n");
                assertThat(cli("produce", "-c", config.toString(), "-t", topics.names(), "-f", more.toString()).exitCode())
                        .isZero();

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(records(node, topics.names())).isEqualTo(7);
                    assertThat(records(node, topics.corpus())).isEqualTo(1);
                    assertThat(node.status().deadLetters().getEmpty()).isEqualTo(1);
                    // Lag 0 on every stream: committed, and read back by the lag poller's admin client.
                    assertThat(node.status().streams()).hasSize(8) // corpus, names, labelled, parallel
                            .allSatisfy(stream -> assertThat(stream.getConsumerLag()).isZero());
                });
                try (Admin admin = Admin.create(asWriter.clientConfig())) {
                    List<PartitionOffsets> offsets = PartitionOffsets.read(admin, settings.groupId(),
                            List.of(topics.names(), topics.corpus()), 10_000);
                    assertThat(offsets.stream().mapToLong(PartitionOffsets::committedOffset).filter(o -> o > 0).sum())
                            .isEqualTo(7 + 2);
                }

                CliRun listed = cli("topics", "-c", config.toString());
                assertThat(listed.exitCode()).as(listed.output()).isZero();
                assertThat(listed.output()).contains(topics.names()).contains("(group " + settings.groupId());
                CliRun generated = cli("generate", "-c", config.toString(), "--model", "no-such-model", "--json",
                        "--timeout", "20s");
                assertThat(generated.exitCode()).as(generated.output()).isEqualTo(1);
                assertThat(generated.output()).contains("\"unknown-model\"");
            }
        }
    }

    private static Map<String, String> login(String user, String password) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", PLAIN_LOGIN.formatted(user, password.replace("\\", "\\\\").replace("\"", "\\\"")));
    }

    private static KafkaProducer<byte[], byte[]> producer(TestKafka kafka) {
        Properties props = kafka.clientConfig();
        props.put("max.block.ms", "20000");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static long records(RillNode node, String topic) {
        return node.status().streams().stream().filter(stream -> stream.topic().equals(topic))
                .mapToLong(IngestStreamMetrics::getRecordsIn).sum();
    }

    private record CliRun(int exitCode, String output) {
    }

    /** Runs a rill command in this JVM, as {@code rill ARGS} would, and keeps what it printed on standard output. */
    private static CliRun cli(String... args) {
        PrintStream standardOut = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            int exitCode = new CommandLine(new RillCli()).execute(args);
            return new CliRun(exitCode, printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(standardOut);
        }
    }
}
