package io.rill.checkpoint;

import io.rill.kafka.PartitionOffsets;
import io.rill.ops.Jmx;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import org.apache.kafka.clients.admin.Admin;
import com.typesafe.config.ConfigFactory;
import io.rill.classify.ClassifierSettings;
import io.rill.classify.Tokens;
import io.rill.translate.ParallelLine;
import io.rill.translate.TranslatorSettings;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kill -9} of a running node, three times, while records keep arriving: a real {@code java -jar rill.jar run}
 * in a child JVM is killed without warning at a random moment after it has written a checkpoint, and started
 * again. Each start must restore a checkpoint at least as new as the last one the killed node reported (the model
 * never goes back further), and at the end the streams' accounting holds every record of the topics exactly once
 * (the restored counts plus what was read again after the checkpoint's offsets), with every offset committed, and
 * the classifier and the translator have trained every sentence and pair they were given exactly once. On a
 * failure the message gives each partition's offsets and count and what every run logged about its partitions.
 */
@ExtendWith(KafkaBrokerExtension.class)
class KillAndRestartIT {

    private static final int KILLS = 3;

    @Test
    void nothingIsLostOrCountedTwiceAcrossKills(TestKafka kafka, @TempDir Path dir) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("kill");
        TestNodes.createTopics(kafka, topics);
        AtomicLong produced = new AtomicLong();
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> produce(kafka, topics, produced, sendFailure), "kill-test-producer");
        producer.setDaemon(true);
        producer.start();

        Random random = new Random(17);
        long lastSeenSequence = -1;
        for (int run = 0; run <= KILLS; run++) {
            ChildNode node = ChildNode.start(dir, run, kafka, topics, "");
            JMXConnector connector = null;
            try {
                connector = connect(node.jmxPort());
                MBeanServerConnection jmx = connector.getMBeanServerConnection();
                ObjectName checkpoints = new ObjectName("rill:type=Checkpoints");
                // Remote JMX opens early in a node's start; the learners' beans come once it has restored.
                ObjectName generation = new ObjectName("rill:type=Generation");
                await().atMost(Duration.ofSeconds(90)).until(() -> jmx.isRegistered(generation));
                if (run > 0) {
                    long restored = (Long) jmx.getAttribute(checkpoints, "RestoredSequence");
                    assertThat(restored).as("run %d restores a checkpoint no older than the last one seen", run)
                            .isGreaterThanOrEqualTo(lastSeenSequence).isGreaterThanOrEqualTo(0);
                }
                if (run < KILLS) {
                    // The group gives this node partitions once the killed node's session has expired: kill it
                    // only after it has some, so that every run reads, learns and checkpoints.
                    await().atMost(Duration.ofSeconds(90)).until(
                            () -> (Integer) jmx.getAttribute(Jmx.nodeName(), "Streams") > 0);
                    long before = (Long) jmx.getAttribute(checkpoints, "LastSequence");
                    await().atMost(Duration.ofSeconds(60)).until(
                            () -> (Long) jmx.getAttribute(checkpoints, "LastSequence") > before + 1);
                    Thread.sleep(random.nextInt(2500));
                    lastSeenSequence = (Long) jmx.getAttribute(checkpoints, "LastSequence");
                    node.kill();
                    continue;
                }
                producer.join(120_000);
                assertThat(producer.isAlive()).as("the producer finished").isFalse();
                // What the topics hold is the measure, not what the test's producer meant to send: without
                // idempotence a retried send may be in the log twice, and a failed one not at all.
                long total = recordsInTopics(kafka, topics);
                if (total != produced.get() || sendFailure.get() != null) {
                    System.err.printf("KillAndRestartIT: the topics hold %d records, the producer had %d sends"
                            + " acknowledged; first failed send: %s%n", total, produced.get(), sendFailure.get());
                }
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertThat(sum(jmx, topics, "RecordsIn")).isEqualTo(total);
                    assertThat(sum(jmx, topics, "ConsumerLag")).isZero();
                });
                // The classifier lost no sentence and learned none twice: every one not held out, exactly once.
                long sentences = trainedSentences(kafka, topics);
                ObjectName classifier = new ObjectName("rill:type=Classifier,model=mr");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat((Long) jmx.getAttribute(classifier, "SentencesTrained")).isEqualTo(sentences));
                // So did the translator with its pairs.
                long pairs = trainedPairs(kafka, topics);
                assertThat(pairs).as("pairs the translator should have trained").isGreaterThan(1000);
                ObjectName translator = new ObjectName("rill:type=Translator,model=en-fr");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat((Long) jmx.getAttribute(translator, "PairsTrained")).isEqualTo(pairs));
                assertThat((Long) jmx.getAttribute(checkpoints, "CheckpointsWritten")).isPositive();
            } catch (Throwable failure) {
                throw new AssertionError("run " + run + " failed: " + failure.getMessage() + "\n"
                        + streamsReport(kafka, topics, connector, dir) + "\nwhat each run said of its partitions:\n"
                        + partitionLines(dir, run) + "\nits log:\n" + Files.readString(node.log()), failure);
            } finally {
                closeQuietly(connector); // after a kill the server is gone, and closing may complain
                node.stop();
            }
        }
        // The broker's view agrees: every offset committed.
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            for (PartitionOffsets offsets : PartitionOffsets.read(admin, groupOf(dir),
                    learned(topics), 30_000)) {
                // A partition that never received a record has nothing to commit.
                long committed = offsets.committedOffset() < 0 ? offsets.startOffset() : offsets.committedOffset();
                assertThat(committed).as("%s-%d", offsets.topic(), offsets.partition())
                        .isEqualTo(offsets.endOffset());
            }
        }
    }

    /**
     * A node killed after a checkpoint but before the commit that follows it: the group's offsets stay behind the
     * checkpoint's, and no new record will come to move them. The next node resumes from the checkpoint and must
     * commit its offsets itself, or the group's lag would stay wrong for good. Commits are held back in the first
     * run, so the kill always lands in that window.
     */
    @Test
    void aRestartedNodeCommitsTheOffsetsItsCheckpointIsAheadBy(TestKafka kafka, @TempDir Path dir) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("kill-uncommitted");
        TestNodes.createTopics(kafka, topics);
        long total;
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>(topics.corpus(), i % 2, null,
                        ("the white whale " + i).getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(topics.names(), i % 2, null,
                        ("Name" + (char) ('a' + i % 26)).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            total = recordsInTopics(kafka, topics);
        }
        for (int run = 0; run < 2; run++) {
            ChildNode node = ChildNode.start(dir, run, kafka, topics,
                    run == 0 ? "rill.ingest { commit-max-batch = 1000000, commit-max-interval = 1h }" : "");
            JMXConnector connector = null;
            try {
                connector = connect(node.jmxPort());
                MBeanServerConnection jmx = connector.getMBeanServerConnection();
                ObjectName checkpoints = new ObjectName("rill:type=Checkpoints");
                if (run == 0) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                            sum(jmx, topics.corpus(), "RecordsIn") + sum(jmx, topics.names(), "RecordsIn") == total);
                    long after = (Long) jmx.getAttribute(checkpoints, "LastSequence");
                    await().atMost(Duration.ofSeconds(30)).until(
                            () -> (Long) jmx.getAttribute(checkpoints, "LastSequence") > after + 1);
                    assertThat(committedOffsets(kafka, topics, dir)).as("commits held back in the first run")
                            .allMatch(offset -> offset < 0);
                    node.kill();
                    continue;
                }
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat(committedOffsets(kafka, topics, dir)).containsExactly(100L, 100L, 100L, 100L));
                assertThat(sum(jmx, topics.corpus(), "RecordsIn") + sum(jmx, topics.names(), "RecordsIn"))
                        .as("restored counts, nothing read twice").isEqualTo(total);
            } catch (Throwable failure) {
                throw new AssertionError("run " + run + " failed: " + failure.getMessage() + "\nits log:\n"
                        + Files.readString(node.log()), failure);
            } finally {
                closeQuietly(connector);
                node.stop();
            }
        }
    }

    /** A {@code rill run} in a child JVM, with remote JMX on a free port and its output in node-(run).log. */
    private record ChildNode(Process process, Path log, int jmxPort) {

        static ChildNode start(Path dir, int run, TestKafka kafka, TestNodes.Topics topics, String extra)
                throws IOException {
            Path jar = Path.of("target", "rill.jar");
            assertThat(jar).as("the shaded jar, built in the package phase").exists();
            int jmxPort = freePort();
            Path config = TestNodes.writeConfig(dir.resolve("node-" + run + ".conf"), kafka, topics, """
                    rill.node.data-dir = "%s"
                    rill.jmx.remote { enabled = true, host = "127.0.0.1", port = %d }
                    %s
                    """.formatted(dir.resolve("data"), jmxPort, extra));
            Path log = dir.resolve("node-" + run + ".log");
            Process process = new ProcessBuilder(javaBinary(), "-Xmx768m", "-jar", jar.toString(), "run", "-c",
                    config.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ChildNode(process, log, jmxPort);
        }

        /** SIGKILL: no shutdown hook, no last checkpoint. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        /** SIGTERM, and SIGKILL if it has not stopped within a minute. */
        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    private static List<Long> committedOffsets(TestKafka kafka, TestNodes.Topics topics, Path dir) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            return PartitionOffsets.read(admin, groupOf(dir), List.of(topics.corpus(), topics.names()), 30_000)
                    .stream().map(PartitionOffsets::committedOffset).toList();
        }
    }

    /**
     * About 20 s of records on both topics, at a steady pace, so the kills land mid-stream. {@code produced} counts
     * the sends the broker acknowledged; the first failed send, if any, lands in {@code failure}.
     */
    private static void produce(TestKafka kafka, TestNodes.Topics topics, AtomicLong produced,
                                AtomicReference<Exception> failure) {
        Random random = new Random(5);
        String[] words = "the sea whale ship captain harpoon boat white deep wind sail mast crew".split(" ");
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            for (int i = 0; i < 2000; i++) {
                StringBuilder line = new StringBuilder();
                for (int w = 0; w < 12; w++) {
                    line.append(words[random.nextInt(words.length)]).append(' ');
                }
                Callback acknowledged = (metadata, e) -> {
                    if (e == null) {
                        produced.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, e);
                    }
                };
                // Both partitions of each topic, in turn: left to itself, the producer may fill only one.
                int partition = i % 2;
                producer.send(new ProducerRecord<>(topics.corpus(), partition, null,
                        line.toString().getBytes(StandardCharsets.UTF_8)), acknowledged);
                String name = "Name" + (char) ('a' + random.nextInt(26)) + (char) ('a' + random.nextInt(26));
                producer.send(new ProducerRecord<>(topics.names(), partition, null,
                        name.getBytes(StandardCharsets.UTF_8)), acknowledged);
                String labelled = (i % 3 == 0 ? "neg" : "pos") + "\t" + line + "\n" + (i % 2 == 0 ? "neg" : "pos")
                        + "\t" + name.toLowerCase() + " " + i;
                producer.send(new ProducerRecord<>(topics.labelled(), partition, null,
                        labelled.getBytes(StandardCharsets.UTF_8)), acknowledged);
                String parallel = line.substring(0, 24).trim() + " " + i + "\t" + name.toLowerCase() + " " + i
                        + "\n" + name.toLowerCase() + " .\t" + line.substring(0, 16).trim() + " .";
                producer.send(new ProducerRecord<>(topics.parallel(), partition, null,
                        parallel.getBytes(StandardCharsets.UTF_8)), acknowledged);
                if (i % 100 == 99) {
                    producer.flush();
                    Thread.sleep(1000);
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The labelled topic's sentences the classifier trains on: all but the held-out ones, as the topic holds them. */
    private static long trainedSentences(TestKafka kafka, TestNodes.Topics topics) {
        ClassifierSettings settings = ClassifierSettings.of(ConfigFactory.load().getConfig("rill.classify"));
        Properties props = kafka.clientConfig();
        long sentences = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topics.labelled(), 0),
                    new TopicPartition(topics.labelled(), 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    for (String line : new String(record.value(), StandardCharsets.UTF_8).split("\n")) {
                        String sentence = String.join(" ", Tokens.ofTopic(line.substring(line.indexOf('\t') + 1)));
                        sentences += settings.isHeldOut(sentence) ? 0 : 1;
                    }
                }
            }
        }
        return sentences;
    }

    /** The parallel topic's pairs the translator trains on: all but the held-out ones, as the topic holds them. */
    private static long trainedPairs(TestKafka kafka, TestNodes.Topics topics) {
        TranslatorSettings settings = TranslatorSettings.of(ConfigFactory.load().getConfig("rill.translate"));
        long pairs = 0;
        for (String line : lines(kafka, topics.parallel())) {
            if (ParallelLine.parse(line, settings.maxSentenceWords()) instanceof ParallelLine.Pair pair
                    && !settings.isHeldOut(pair.source())) {
                pairs++;
            }
        }
        return pairs;
    }

    /** Every line of every record of both partitions of {@code topic}. */
    private static List<String> lines(TestKafka kafka, String topic) {
        List<String> lines = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(kafka.clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    lines.addAll(List.of(new String(record.value(), StandardCharsets.UTF_8).split("\n")));
                }
            }
        }
        return lines;
    }

    /** The topics the first test's node learns from. */
    private static List<String> learned(TestNodes.Topics topics) {
        return List.of(topics.corpus(), topics.names(), topics.labelled(), topics.parallel());
    }

    private static long recordsInTopics(TestKafka kafka, TestNodes.Topics topics) throws Exception {
        long total = 0;
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            for (PartitionOffsets offsets : PartitionOffsets.read(admin, "none",
                    learned(topics), 30_000)) {
                total += offsets.endOffset() - offsets.startOffset();
            }
        }
        return total;
    }

    /** Per partition: the records it holds, what the last node counted, and what the group committed. */
    private static String streamsReport(TestKafka kafka, TestNodes.Topics topics, JMXConnector connector, Path dir) {
        StringBuilder report = new StringBuilder("partition: start..end / RecordsIn on JMX / committed\n");
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            for (PartitionOffsets offsets : PartitionOffsets.read(admin, groupOf(dir),
                    learned(topics), 30_000)) {
                String counted = "?";
                try {
                    counted = String.valueOf(connector.getMBeanServerConnection().getAttribute(
                            Jmx.ingestName(offsets.topic(), offsets.partition()), "RecordsIn"));
                } catch (Exception unavailable) {
                    counted = "(" + unavailable.getClass().getSimpleName() + ")";
                }
                report.append("  %s-%d: %d..%d / %s / %d%n".formatted(offsets.topic(), offsets.partition(),
                        offsets.startOffset(), offsets.endOffset(), counted, offsets.committedOffset()));
            }
        } catch (Exception e) {
            report.append("  (cannot read the offsets: ").append(e).append(")\n");
        }
        return report.toString();
    }

    /** The lines of every run's log about restoring, assignment, revocation and failures. */
    private static String partitionLines(Path dir, int lastRun) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int run = 0; run <= lastRun; run++) {
            lines.append("run ").append(run).append(":\n");
            for (String line : Files.readAllLines(dir.resolve("node-" + run + ".log"))) {
                if (line.contains("restoring") || line.contains("resuming") || line.contains("assigned")
                        || line.contains("revoked") || line.contains("WARN") || line.contains("ERROR")) {
                    lines.append("  ").append(line).append('\n');
                }
            }
        }
        return lines.toString();
    }

    private static String groupOf(Path dir) throws IOException {
        String config = Files.readString(dir.resolve("node-0.conf"));
        int at = config.indexOf("rill.kafka.group-id = \"") + "rill.kafka.group-id = \"".length();
        return config.substring(at, config.indexOf('"', at));
    }

    private static void closeQuietly(JMXConnector connector) {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException gone) {
                // the node was killed
            }
        }
    }

    private static JMXConnector connect(int port) throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> JMXConnectorFactory.connect(url), c -> c != null);
    }

    private static long sum(MBeanServerConnection jmx, TestNodes.Topics topics, String attribute) throws Exception {
        long total = 0;
        for (String topic : learned(topics)) {
            total += sum(jmx, topic, attribute);
        }
        return total;
    }

    private static long sum(MBeanServerConnection jmx, String topic, String attribute) throws Exception {
        long total = 0;
        for (ObjectName name : jmx.queryNames(new ObjectName("rill:type=Ingest,topic=" + topic + ",*"), null)) {
            total += ((Number) jmx.getAttribute(name, attribute)).longValue();
        }
        return total;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
