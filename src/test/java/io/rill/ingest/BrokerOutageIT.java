package io.rill.ingest;

import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.PartitionOffsets;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker goes away under a running node and comes back on the same address: the node does not die, reconnects
 * by itself and loses nothing. (The long outage and repeated kills belong to the load-tests fault scenarios.)
 */
class BrokerOutageIT {

    @Test
    void aNodeRidesOutABrokerOutageAndLosesNothing(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path brokerDir = dir.resolve("broker");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, "127.0.0.1", port, 17_825_792);
        TestKafka kafka = new TestKafka(broker.bootstrapServers(), "embedded");
        TestNodes.Topics topics = TestNodes.topics("outage");
        TestNodes.createTopics(kafka, topics);
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of());
        try (RillNode node = RillNode.start(settings)) {
            produce(kafka, topics.corpus(), 0, 100);
            awaitRecords(node, topics.corpus(), 100);

            broker.close();
            Thread.sleep(5_000); // the node's consumer, committer and lag poller all fail to reach it meanwhile
            assertThat(node.system().getWhenTerminated().toCompletableFuture().isDone()).isFalse();
            broker = EmbeddedKafkaBroker.start(brokerDir, "127.0.0.1", port, 17_825_792);

            produce(kafka, topics.corpus(), 100, 200);
            awaitRecords(node, topics.corpus(), 200);
            try (Admin admin = Admin.create(settings.clientProperties(kafka.bootstrapServers()))) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        PartitionOffsets.read(admin, settings.groupId(), List.of(topics.corpus()), 10_000))
                        .allSatisfy(p -> assertThat(p.lag()).isZero()));
            }
        } finally {
            broker.close();
        }
    }

    private static void produce(TestKafka kafka, String topic, int from, int to) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            for (int i = from; i < to; i++) {
                IngestEndToEndIT.send(producer, topic, ("record number " + i).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void awaitRecords(RillNode node, String topic, long expected) {
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(node.streamCounts().stream()
                .filter(c -> c.topic().equals(topic)).mapToLong(StreamActor.Counts::records).sum()).isEqualTo(expected));
    }
}
