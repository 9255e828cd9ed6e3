package io.rill.ingest;

import io.rill.lstm.GenerationJson;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.DeadLetterCounters;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import io.rill.text.RejectReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input at volume: more than 10,000 bad text records of every kind (random bytes, truncated UTF-8, control
 * characters, empty and null values, records over the size limit) and more than 10,000 bad generation requests
 * (random bytes, wrong types, NaN and Infinity, deep nesting, 10 MB payloads) against one node. Nothing may crash:
 * every bad record is dead-lettered under its reason, every bad request gets an error reply, the counters match
 * exactly, and good records and requests sent afterwards are served as usual.
 */
@ExtendWith(KafkaBrokerExtension.class)
class BadInputAtVolumeIT {

    private static final int BAD_RECORDS = 10_200;
    private static final int BAD_REQUESTS = 10_100;

    @Test
    void everyBadRecordIsDeadLetteredAndEveryBadRequestAnsweredWithoutACrash(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("bad");
        TestNodes.createTopics(kafka, topics);
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of(
                "rill.ingest.max-record-bytes", 65536,
                "rill.skipgram.enabled", false));
        Random random = new Random(23);
        Map<RejectReason, Integer> expected = new EnumMap<>(RejectReason.class);
        Map<String, Integer> expectedCodes = new HashMap<>();
        try (RillNode node = RillNode.start(settings);
             KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka);
             KafkaConsumer<byte[], byte[]> replies = consumer(kafka, topics.generated())) {
            for (int i = 0; i < BAD_RECORDS; i++) {
                RejectReason reason = RejectReason.values()[i % RejectReason.values().length];
                byte[] value = badRecord(reason, random, i);
                expected.merge(reason, 1, Integer::sum);
                producer.send(new ProducerRecord<>(i % 2 == 0 ? topics.corpus() : topics.names(), value));
            }
            for (int i = 0; i < BAD_REQUESTS; i++) {
                BadRequest bad = badRequest(random, i);
                expectedCodes.merge(bad.code(), 1, Integer::sum);
                producer.send(new ProducerRecord<>(topics.requests(), bad.value()));
            }
            producer.flush();

            DeadLetterCounters dead = node.status().deadLetters();
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName generation = new ObjectName("rill:type=Generation");
            Map<String, Integer> codes = new HashMap<>();
            long[] replyCount = {0};
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> reply : replies.poll(Duration.ofMillis(200))) {
                    replyCount[0]++;
                    var json = GenerationJson.read(reply.value());
                    if (json.path("type").asText().equals("error")) {
                        codes.merge(json.path("code").asText(), 1, Integer::sum);
                    }
                }
                assertThat(dead.getTotal()).isEqualTo(BAD_RECORDS);
                assertThat(replyCount[0]).isGreaterThanOrEqualTo(BAD_REQUESTS);
            });
            for (RejectReason reason : RejectReason.values()) {
                assertThat(dead.count(reason)).as(reason.name()).isEqualTo((long) expected.get(reason));
            }
            assertThat(codes).isEqualTo(expectedCodes);
            assertThat(jmx.getAttribute(generation, "ErrorReplies")).isEqualTo((long) BAD_REQUESTS);
            assertThat(node.status().streams().stream().mapToLong(s -> s.getRecordsIn()).sum()).isZero();

            // Still serving: good records are counted, a good request is answered.
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topics.corpus(), ("good words " + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.send(new ProducerRecord<>(topics.requests(),
                    "{\"id\":\"good\",\"count\":2}".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            boolean[] answered = {false};
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> reply : replies.poll(Duration.ofMillis(200))) {
                    var json = GenerationJson.read(reply.value());
                    answered[0] |= json.path("type").asText().equals("reply") && json.path("id").asText().equals("good");
                }
                assertThat(answered[0]).isTrue();
                assertThat(node.status().streams().stream().mapToLong(s -> s.getRecordsIn()).sum()).isEqualTo(20);
            });
        }
    }

    private static byte[] badRecord(RejectReason reason, Random random, int i) {
        return switch (reason) {
            case NULL_VALUE -> null;
            case EMPTY -> i % 3 == 0 ? new byte[0] : " \n\t".repeat(1 + random.nextInt(4)).getBytes(StandardCharsets.UTF_8);
            case MALFORMED_UTF8 -> {
                byte[] bytes = new byte[1 + random.nextInt(300)];
                random.nextBytes(bytes);
                if (i % 2 == 0) {
                    bytes[0] = (byte) 0xFF; // never valid in UTF-8 (first, so no control byte is met before it)
                } else {
                    byte[] text = ("truncated " + i + " ").getBytes(StandardCharsets.UTF_8);
                    bytes = Arrays.copyOf(text, text.length + 2);
                    bytes[text.length] = (byte) 0xE2; // the first two bytes of a three-byte character
                    bytes[text.length + 1] = (byte) 0x82;
                }
                yield bytes;
            }
            case TOO_LARGE -> ("x".repeat(65537 + random.nextInt(1000))).getBytes(StandardCharsets.UTF_8);
            case CONTROL_CHARACTER -> ("line " + i + (char) (1 + random.nextInt(8)) + " more").getBytes(StandardCharsets.UTF_8);
        };
    }

    private record BadRequest(byte[] value, String code) {
    }

    private static BadRequest badRequest(Random random, int i) {
        String id = "\"id\":\"bad-" + i + "\"";
        return switch (i % 12) {
            case 0 -> {
                byte[] bytes = new byte[1 + random.nextInt(200)];
                random.nextBytes(bytes);
                bytes[0] = (byte) 0xFF;
                yield new BadRequest(bytes, "malformed-utf8");
            }
            case 1 -> json("{" + id + ",\"temperature\":NaN}", "not-json");
            case 2 -> json("{" + id + ",\"temperature\":Infinity}", "not-json");
            case 3 -> json("{" + id + ",\"count\":\"ten\"}", "bad-count");
            case 4 -> json("{" + id + ",\"temperature\":-1}", "bad-temperature");
            case 5 -> json("[".repeat(200) + "]".repeat(200), "too-large");
            case 6 -> json("{" + id + ",\"prefix\":7}", "bad-prefix");
            case 7 -> json("{" + id + ",\"model\":\"poems\"}", "unknown-model");
            case 8 -> json("{" + id + ",\"maxLength\":1e9}", "bad-max-length");
            case 9 -> json("\"just a string\"", "not-an-object");
            case 10 -> json("{" + id + ",\"novelOnly\":\"yes\"}", "bad-novel-only");
            default -> i % 4000 == 11
                    ? json("{" + id + ",\"prefix\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}", "too-large")
                    : json("{" + id + ",\"topK\":-" + (1 + random.nextInt(9)) + "}", "bad-top-k");
        };
    }

    private static BadRequest json(String text, String code) {
        return new BadRequest(text.getBytes(StandardCharsets.UTF_8), code);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(TestKafka kafka, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.putAll(kafka.clientProperties());
        props.put("max.partition.fetch.bytes", "1048576");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
        return consumer;
    }
}
