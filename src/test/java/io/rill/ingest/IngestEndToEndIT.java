package io.rill.ingest;

import io.rill.kafka.PartitionOffsets;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.IngestStreamMetrics;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import io.rill.text.RejectReason;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The spine end to end over a real broker: N records, some of them bad, produced with a plain KafkaProducer. The
 * stream actors must count exactly the good ones, the dead-letter topic must hold exactly the bad ones with their
 * reasons and source coordinates, and the group's committed offsets must reach the end offsets.
 */
@ExtendWith(KafkaBrokerExtension.class)
class IngestEndToEndIT {

    private static final int GOOD_PER_TOPIC = 300;

    /** A bad record: its value and the reason rill must give. */
    private record Bad(byte[] value, RejectReason reason) {
    }

    @Test
    void countsGoodRecordsDeadLettersBadOnesAndCommitsEverything(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("e2e");
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of("rill.ingest.max-record-bytes", 4096));
        TestNodes.createTopics(kafka, topics);

        Random random = new Random(7);
        List<Bad> bads = List.of(
                new Bad(null, RejectReason.NULL_VALUE),
                new Bad(new byte[0], RejectReason.EMPTY),
                new Bad(" \n\t ".getBytes(StandardCharsets.UTF_8), RejectReason.EMPTY),
                new Bad(new byte[] {'a', (byte) 0xC3, '(', 'b'}, RejectReason.MALFORMED_UTF8),
                new Bad(new byte[] {'w', 'h', 'a', 'l', 'e', (byte) 0xE2, (byte) 0x82}, RejectReason.MALFORMED_UTF8),
                new Bad(new byte[] {(byte) 0xFF, (byte) 0xFE}, RejectReason.MALFORMED_UTF8),
                new Bad("x".repeat(4097).getBytes(StandardCharsets.UTF_8), RejectReason.TOO_LARGE),
                new Bad("ahab\u0000".getBytes(StandardCharsets.UTF_8), RejectReason.CONTROL_CHARACTER),
                new Bad("windows line\r\n".getBytes(StandardCharsets.UTF_8), RejectReason.CONTROL_CHARACTER),
                new Bad("\u001b[31mred".getBytes(StandardCharsets.UTF_8), RejectReason.CONTROL_CHARACTER));

        Map<String, Integer> badOffsetsReason = new HashMap<>(); // "topic-partition@offset" -> reason index
        long expectedCorpusTokens = 0;
        long expectedNameTokens = 0;
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            int badIndex = 0;
            for (int i = 0; i < GOOD_PER_TOPIC; i++) {
                // Corpus: "w<i> common words" is w, <i>, common, words, + i % 4 × more; names: 4 characters each.
                int extra = i % 4;
                String text = "w" + i + " common words" + " more".repeat(extra);
                expectedCorpusTokens += 4 + extra;
                send(producer, topics.corpus(), text.getBytes(StandardCharsets.UTF_8));
                String name = "Na" + (char) ('a' + i % 26) + (char) ('a' + i / 26 % 26);
                expectedNameTokens += 4;
                send(producer, topics.names(), name.getBytes(StandardCharsets.UTF_8));
                if (i % 30 == 0) {
                    Bad bad = bads.get(badIndex % bads.size());
                    String topic = random.nextBoolean() ? topics.corpus() : topics.names();
                    RecordMetadata m = send(producer, topic, bad.value());
                    badOffsetsReason.put(m.topic() + "-" + m.partition() + "@" + m.offset(), badIndex % bads.size());
                    badIndex++;
                }
            }
        }
        int badCount = badOffsetsReason.size();
        assertThat(badCount).isEqualTo(10);

        try (RillNode node = RillNode.start(settings)) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                List<StreamActorCounts> counts = node.streamCounts().stream().map(StreamActorCounts::of).toList();
                long corpusRecords = counts.stream().filter(c -> c.topic.equals(topics.corpus())).mapToLong(c -> c.records).sum();
                long namesRecords = counts.stream().filter(c -> c.topic.equals(topics.names())).mapToLong(c -> c.records).sum();
                assertThat(corpusRecords).isEqualTo(GOOD_PER_TOPIC);
                assertThat(namesRecords).isEqualTo(GOOD_PER_TOPIC);
            });
            List<StreamActorCounts> counts = node.streamCounts().stream().map(StreamActorCounts::of).toList();
            assertThat(counts.stream().filter(c -> c.topic.equals(topics.corpus())).mapToLong(c -> c.tokens).sum())
                    .isEqualTo(expectedCorpusTokens);
            assertThat(counts.stream().filter(c -> c.topic.equals(topics.names())).mapToLong(c -> c.tokens).sum())
                    .isEqualTo(expectedNameTokens);
            Map<String, Long> corpusFrequencies = new HashMap<>();
            node.streamCounts().stream().filter(c -> c.topic().equals(topics.corpus()))
                    .forEach(c -> c.frequencies().forEach((k, v) -> corpusFrequencies.merge(k, v, Long::sum)));
            assertThat(corpusFrequencies.get("common")).isEqualTo(GOOD_PER_TOPIC);
            assertThat(corpusFrequencies.get("w7")).isNull(); // "w7" is a letter run then a digit run
            assertThat(corpusFrequencies.get("w")).isEqualTo(GOOD_PER_TOPIC);

            // The dead-letter topic holds exactly the bad records, each with its coordinates and reason.
            List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(kafka, topics.deadletter(), badCount);
            assertThat(deadLetters).hasSize(badCount);
            Map<String, String> reasons = deadLetters.stream().collect(Collectors.toMap(
                    r -> header(r, DeadLetterWriter.SOURCE_TOPIC) + "-" + header(r, DeadLetterWriter.SOURCE_PARTITION)
                            + "@" + header(r, DeadLetterWriter.SOURCE_OFFSET),
                    r -> header(r, DeadLetterWriter.REASON)));
            Map<String, String> expectedReasons = badOffsetsReason.entrySet().stream().collect(Collectors.toMap(
                    Map.Entry::getKey, e -> bads.get(e.getValue()).reason().code()));
            assertThat(reasons).isEqualTo(expectedReasons);
            for (ConsumerRecord<byte[], byte[]> dead : deadLetters) {
                Bad original = bads.get(badOffsetsReason.get(header(dead, DeadLetterWriter.SOURCE_TOPIC) + "-"
                        + header(dead, DeadLetterWriter.SOURCE_PARTITION) + "@" + header(dead, DeadLetterWriter.SOURCE_OFFSET)));
                assertThat(dead.value()).isEqualTo(original.value()); // byte for byte, null stays null
                assertThat(header(dead, DeadLetterWriter.DETAIL)).isNotBlank();
            }
            assertThat(node.status().deadLetters().getTotal()).isEqualTo(badCount);
            assertThat(node.status().streams().stream().mapToLong(IngestStreamMetrics::getDeadLettered).sum())
                    .isEqualTo(badCount);

            // Every offset, good or bad, is committed: nothing is left between the commit and the end of any partition
            // (a partition the producer never chose has end offset 0 and no commit).
            try (Admin admin = Admin.create(settings.clientProperties(kafka.bootstrapServers()))) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    List<PartitionOffsets> offsets = PartitionOffsets.read(admin, settings.groupId(),
                            List.of(topics.corpus(), topics.names()), 10_000);
                    assertThat(offsets).hasSize(4);
                    assertThat(offsets).allSatisfy(p -> assertThat(p.lag()).isZero());
                    assertThat(offsets).filteredOn(p -> p.endOffset() > 0)
                            .allSatisfy(p -> assertThat(p.committedOffset()).isEqualTo(p.endOffset()));
                    assertThat(offsets.stream().mapToLong(PartitionOffsets::endOffset).sum())
                            .isEqualTo(2L * GOOD_PER_TOPIC + badCount);
                });
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(node.status().streams())
                    .allSatisfy(s -> assertThat(s.getConsumerLag()).isZero()));
        }
    }

    /** The parts of the actors' counts this test checks. */
    private record StreamActorCounts(String topic, long records, long tokens) {
        static StreamActorCounts of(StreamActor.Counts c) {
            return new StreamActorCounts(c.topic(), c.records(), c.tokens());
        }
    }

    static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, value)).get();
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(TestKafka kafka, String topic, int atLeast) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "reader-" + topic + "-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (records.size() >= atLeast) {
                    // One more poll: anything beyond the expected count would be a defect to see.
                    consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                    break;
                }
            }
        }
        return records;
    }

    static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
