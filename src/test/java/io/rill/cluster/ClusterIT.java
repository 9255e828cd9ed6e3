package io.rill.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.lstm.GenerationJson;
import io.rill.kafka.PartitionOffsets;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import io.rill.text.BundledText;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three rill nodes, each a real {@code java -jar rill.jar run} in a child JVM, form an Akka Cluster on loopback and
 * learn the names together from one Kafka topic of four partitions. Once the first of three passes is committed, the
 * node that hosts the character model's parameter server is killed with SIGKILL, and the other two passes are
 * produced after that. The test then checks that:
 * <ul>
 *   <li>the split brain resolver downs it, the parameter server starts on a survivor from its saved state, and the
 *       survivors take its partitions over from its checkpoints;</li>
 *   <li>training goes on (the model's version moves past where it was) and every record is consumed and committed;
 *   <li>generation requests are answered by the cluster;</li>
 *   <li>the held-out loss after the data matches that of a single node trained on the same data, within
 *       {@link #TOLERANCE} nats per character.</li>
 * </ul>
 */
@ExtendWith(KafkaBrokerExtension.class)
class ClusterIT {

    /**
     * How much worse than one node the cluster may end, in nats per character. The nodes train the same model
     * with smaller batches each (one worker per node), on slightly stale parameters, and the killed node's last
     * seconds of updates are lost; in six runs on this data the cluster ended between 0.10 below and 0.04 above
     * one node.
     */
    static final double TOLERANCE = 0.15;
    private static final int PASSES = 3;
    private static final int PARTITIONS = 4;

    @Test
    void trainingGoesOnWhenANodeIsKilledAndEndsAsGoodAsOneNode(TestKafka kafka, @TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "rill.jar");
        assertThat(jar).as("the shaded jar, built in the package phase").exists();
        List<String> names = BundledText.names();

        // One node, the reference: the same data, the same model, from its own topic.
        TestNodes.Topics single = TestNodes.topics("single", PARTITIONS);
        TestNodes.createTopics(kafka, single);
        long records = produce(kafka, single.names(), names, PASSES);
        Path singleConfig = TestNodes.writeConfig(dir.resolve("single.conf"), kafka, single, common(dir, "single"));
        Process one = start(jar, singleConfig, dir.resolve("single.log"));
        JsonNode singleEnd;
        try {
            awaitAllCommitted(kafka, groupOf(singleConfig), single.names(), records, Duration.ofMinutes(4));
            singleEnd = settledProgress(kafka, single.generated());
        } catch (Throwable failure) {
            throw new AssertionError("the single node failed; its log is in " + keep(List.of(
                    dir.resolve("single.log"))), failure);
        } finally {
            stop(one);
        }
        double singleLoss = singleEnd.path("heldOutLoss").asDouble();
        long singleVersion = singleEnd.path("version").asLong();

        TestNodes.Topics topics = TestNodes.topics("cluster", PARTITIONS);
        TestNodes.createTopics(kafka, topics);
        int[] ports = {freePort(), freePort(), freePort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        List<Process> nodes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        Path configs = dir.resolve("cluster");
        Files.createDirectories(configs);
        try {
            for (int n = 0; n < 3; n++) {
                Path config = TestNodes.writeConfig(configs.resolve("node-" + n + ".conf"), kafka, topics,
                        common(dir, "cluster") + """
                                rill.node.data-dir = "%s"
                                rill.cluster { enabled = true, host = "127.0.0.1", port = %d, seed-nodes = "%s",
                                               node-name = "node-%d", entity-save-interval = 2s }
                                akka.cluster.split-brain-resolver.stable-after = 4s
                                """.formatted(dir.resolve("data-" + n), ports[n], seeds, n));
                logs.add(dir.resolve("node-" + n + ".log"));
                nodes.add(start(jar, config, logs.get(n)));
            }
            String group = groupOf(configs.resolve("node-0.conf"));
            // The first pass once all three are members, so that the data is shared from the start; the other
            // passes only after the kill, so that most of the training needs the restarted parameter server.
            long firstPass = produce(kafka, topics.names(), names, 1);
            awaitAllCommitted(kafka, group, topics.names(), firstPass, Duration.ofMinutes(3));
            long versionBefore = lastProgress(kafka, topics.generated()).path("version").asLong();
            int host = hostOfTheModel(logs);
            nodes.get(host).destroyForcibly(); // SIGKILL: no handover, no last save
            assertThat(nodes.get(host).waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<Path> survivors = new ArrayList<>(logs);
            survivors.remove(host);
            long produced = firstPass + produce(kafka, topics.names(), names, PASSES - 1);
            assertThat(produced).isEqualTo(records);

            awaitAllCommitted(kafka, group, topics.names(), produced, Duration.ofMinutes(5));
            JsonNode last = settledProgress(kafka, topics.generated());
            assertThat(survivors.stream().anyMatch(log -> read(log).contains("char-model names starts on")
                    && read(log).contains("from its saved state")))
                    .as("the parameter server restarted on a survivor from its saved state").isTrue();
            assertThat(last.path("version").asLong()).as("training went on after the kill")
                    .isGreaterThan(versionBefore);
            double clusterLoss = last.path("heldOutLoss").asDouble();
            assertThat(clusterLoss).as("held-out loss: cluster %.4f, one node %.4f", clusterLoss, singleLoss)
                    .isLessThanOrEqualTo(singleLoss + TOLERANCE);

            Map<String, JsonNode> replies = askForNames(kafka, topics, 6);
            assertThat(replies).hasSize(6);
            replies.values().forEach(reply -> assertThat(reply.path("samples").size()).isEqualTo(2));
            System.out.printf("cluster of 3, node %d killed at version %d: held-out loss %.4f at version %d; one node "
                    + "%.4f at version %d%n", host, versionBefore, clusterLoss, last.path("version").asLong(),
                    singleLoss, singleVersion);
        } catch (Throwable failure) {
            throw new AssertionError("the cluster failed; the nodes' logs are in " + keep(logs), failure);
        } finally {
            nodes.forEach(ClusterIT::stop);
        }
    }

    /**
     * Settings both runs share: a small model with short chunks of few lanes (some hundreds of steps on this data,
     * enough for the loss to settle where the comparison means something), progress reported often, quick
     * checkpoints.
     */
    private static String common(Path dir, String run) {
        return """
                rill.checkpoint.directory = "%s"
                rill.skipgram.enabled = false
                rill.lstm.lanes-per-stream = 4
                rill.lstm.bptt-steps = 32
                rill.lstm.learning-rate = 5e-3
                rill.lstm.progress.every-steps = 10
                rill.lstm.progress.samples = 2
                rill.ingest.batch-size = 256
                """.formatted(dir.resolve("checkpoints-" + run));
    }

    private static Process start(Path jar, Path config, Path log) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", jar.toString(), "run", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void stop(Process node) {
        node.destroy();
        try {
            if (!node.waitFor(60, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        } catch (InterruptedException e) {
            node.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The node whose log says the character model's parameter server started there (the last one to say so). */
    private static int hostOfTheModel(List<Path> logs) {
        await().atMost(Duration.ofSeconds(60)).until(() -> logs.stream()
                .anyMatch(log -> read(log).contains("char-model names starts on")));
        for (int n = 0; n < logs.size(); n++) {
            if (read(logs.get(n)).contains("char-model names starts on")) {
                return n;
            }
        }
        throw new AssertionError("unreachable");
    }

    private static long produce(TestKafka kafka, String topic, List<String> names, int passes) {
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            for (int pass = 0; pass < passes; pass++) {
                for (String name : names) {
                    producer.send(new ProducerRecord<>(topic, name.getBytes(StandardCharsets.UTF_8)));
                    sent++;
                }
            }
            producer.flush();
        }
        return sent;
    }

    private static void awaitAllCommitted(TestKafka kafka, String group, String topic, long records,
                                          Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofSeconds(1))
                .until(() -> committed(kafka, group, topic) == records);
    }

    /** Records committed by {@code group} on {@code topic}, summed over its partitions. */
    private static long committed(TestKafka kafka, String group, String topic) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            long total = 0;
            for (PartitionOffsets offsets : PartitionOffsets.read(admin, group, List.of(topic), 10_000)) {
                total += Math.max(0, offsets.committedOffset()) - offsets.startOffset();
            }
            return total;
        }
    }

    /** The newest progress message on the generated topic. */
    private static JsonNode lastProgress(TestKafka kafka, String generated) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode last = null;
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, generated)) {
                for (int empty = 0; empty < 3; ) {
                    var polled = consumer.poll(Duration.ofMillis(300));
                    empty = polled.isEmpty() ? empty + 1 : 0;
                    for (ConsumerRecord<byte[], byte[]> record : polled) {
                        JsonNode message = GenerationJson.read(record.value());
                        if ("samples".equals(message.path("type").asText())) {
                            last = message;
                        }
                    }
                }
            }
            return last;
        }, message -> message != null);
    }

    /**
     * The newest progress message once no new one has come for ten seconds: every record is committed by then, and
     * the lanes' backlog is bounded, so training has caught up.
     */
    private static JsonNode settledProgress(TestKafka kafka, String generated) throws InterruptedException {
        JsonNode last = lastProgress(kafka, generated);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(10_000);
            JsonNode now = lastProgress(kafka, generated);
            if (now.path("version").asLong() == last.path("version").asLong()) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("training did not settle within 3 minutes: last " + last);
    }

    /** Copies the logs where they outlive the test's temporary directory; returns that place. */
    private static Path keep(List<Path> logs) {
        Path kept = Path.of("target", "failsafe-reports", "cluster-it-logs");
        try {
            Files.createDirectories(kept);
            for (Path log : logs) {
                if (Files.exists(log)) {
                    Files.copy(log, kept.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            return Path.of("(could not copy: " + e + ")");
        }
        return kept.toAbsolutePath();
    }

    /** Sends {@code count} requests for two names each, keyed to land on both partitions, and awaits the replies. */
    private static Map<String, JsonNode> askForNames(TestKafka kafka, TestNodes.Topics topics, int count) {
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            for (int i = 0; i < count; i++) {
                String id = "c" + i;
                producer.send(new ProducerRecord<>(topics.requests(), id.getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":\"" + id + "\",\"count\":2,\"maxLength\":12}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        Map<String, JsonNode> replies = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, topics.generated())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    JsonNode message = GenerationJson.read(record.value());
                    if (message.path("id").asText().startsWith("c")) {
                        replies.put(message.path("id").asText(), message);
                    }
                }
                return replies.size() >= count;
            });
        }
        return replies;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(TestKafka kafka, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "cluster-it-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
        return consumer;
    }

    private static String groupOf(Path config) throws IOException {
        String text = Files.readString(config);
        int at = text.indexOf("rill.kafka.group-id = \"") + "rill.kafka.group-id = \"".length();
        return text.substring(at, text.indexOf('"', at));
    }


    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
