package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.lstm.CharModel;
import io.rill.lstm.CharVocabulary;
import io.rill.lstm.HeldOutLoss;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import io.rill.text.BundledText;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The character model end to end over a real broker: names go through Kafka, the stream actors' lanes, the worker
 * and the parameter server; the held-out loss must fall clearly below the uniform distribution's. Then generation
 * requests go through Kafka too: near-zero temperature is deterministic and honours the prefix, and every class of
 * bad request gets an error reply with its reason, counted on JMX. The continuous generated-name stream publishes.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CharModelEndToEndIT {

    @Test
    void learnsNamesAndAnswersGenerationRequests(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("lstm");
        TestNodes.createTopics(kafka, topics);
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of(
                "rill.lstm.embedding-size", 16,
                "rill.lstm.hidden-size", 64,
                "rill.lstm.bptt-steps", 32,
                "rill.lstm.lanes-per-stream", 8,
                "rill.lstm.learning-rate", 5e-3,
                "rill.lstm.progress.every-steps", 25,
                "rill.generate.snapshot-interval", "200ms"));
        List<String> names = BundledText.names();
        int characters = 0;
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            Random random = new Random(3);
            for (int pass = 0; pass < 3; pass++) {
                List<String> shuffled = new ArrayList<>(names);
                Collections.shuffle(shuffled, random);
                for (int from = 0; from < shuffled.size(); from += 20) {
                    String record = String.join("\n", shuffled.subList(from, Math.min(shuffled.size(), from + 20)));
                    producer.send(new ProducerRecord<>(topics.names(), record.getBytes(StandardCharsets.UTF_8)));
                    characters += record.length() + 1;
                }
            }
        }

        try (RillNode node = RillNode.start(settings);
             KafkaConsumer<byte[], byte[]> replies = replyConsumer(kafka, topics.generated())) {
            CharModel model = node.models(CharModel.class).get("names");
            long wanted = (long) (characters * 0.7); // held-out lines and the lanes' last partial chunks are not trained
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> model.metrics().getCharactersTrained() >= wanted);

            CharModelView snapshot = model.snapshot(Duration.ofSeconds(10)).toCompletableFuture().get();
            double uniform = Math.log(snapshot.vocabulary().size());
            double heldOut = heldOutLoss(snapshot);
            assertThat(snapshot.heldOut()).hasSizeGreaterThan(100);
            assertThat(heldOut).as("held-out loss vs uniform %.3f", uniform).isLessThan(uniform - 0.8);

            Map<String, String> requests = new HashMap<>();
            requests.put("greedy-1", "{\"id\":\"greedy-1\",\"count\":3,\"temperature\":1e-6,\"prefix\":\"Ma\"}");
            requests.put("greedy-2", "{\"id\":\"greedy-2\",\"count\":2,\"temperature\":1e-6,\"prefix\":\"Ma\"}");
            requests.put("sampled", "{\"id\":\"sampled\",\"count\":20,\"temperature\":1.0,\"maxLength\":12}");
            Map<String, String> bad = new HashMap<>();
            bad.put("unknown-model", "{\"id\":\"e1\",\"model\":\"poems\"}");
            bad.put("bad-count", "{\"id\":\"e2\",\"count\":0}");
            bad.put("bad-count ", "{\"id\":\"e3\",\"count\":100000}");
            bad.put("bad-temperature", "{\"id\":\"e4\",\"temperature\":0}");
            bad.put("bad-temperature ", "{\"id\":\"e5\",\"temperature\":\"NaN\"}");
            bad.put("unknown-characters", "{\"id\":\"e6\",\"prefix\":\"Ma\u2603\"}");
            bad.put("bad-max-length", "{\"id\":\"e7\",\"maxLength\":0}");
            bad.put("bad-max-length ", "{\"id\":\"e8\",\"maxLength\":100000}");
            bad.put("bad-prefix", "{\"id\":\"e9\",\"prefix\":\"Ma\\nry\"}");
            bad.put("unknown-field", "{\"id\":\"e10\",\"temprature\":1}");
            bad.put("too-large", "{\"id\":\"e11\",\"prefix\":\"" + "a".repeat(100_000) + "\"}");
            bad.put("not-json", "{\"id\":\"e12\",\"temperature\":NaN}");
            bad.put("not-an-object", "[\"e13\"]");
            bad.put("too-large ", "[".repeat(1000) + "]".repeat(1000));
            bad.put("malformed-utf8", "{\"id\":\"e15\"}");
            try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
                requests.forEach((id, json) -> producer.send(new ProducerRecord<>(topics.requests(),
                        id.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8))));
                bad.forEach((code, json) -> {
                    byte[] value = json.getBytes(StandardCharsets.UTF_8);
                    if (code.equals("malformed-utf8")) {
                        value[value.length - 3] = (byte) 0xC3; // a lead byte with no continuation
                    }
                    producer.send(new ProducerRecord<>(topics.requests(), value));
                });
                producer.send(new ProducerRecord<>(topics.requests(), null)); // a tombstone: empty
            }

            List<JsonNode> received = new ArrayList<>();
            long expected = requests.size() + bad.size() + 1;
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : replies.poll(Duration.ofMillis(200))) {
                    received.add(GenerationJson.read(record.value()));
                }
                return received.stream().filter(r -> !r.path("type").asText().equals("samples")).count() >= expected;
            });

            Map<String, JsonNode> byId = new HashMap<>();
            Map<String, Integer> errorCodes = new HashMap<>();
            for (JsonNode reply : received) {
                if (reply.path("type").asText().equals("reply")) {
                    byId.put(reply.path("id").asText(), reply);
                } else if (reply.path("type").asText().equals("error")) {
                    errorCodes.merge(reply.path("code").asText(), 1, Integer::sum);
                    assertThat(reply.path("message").asText()).isNotBlank();
                }
            }
            List<String> greedy1 = texts(byId.get("greedy-1"));
            List<String> greedy2 = texts(byId.get("greedy-2"));
            assertThat(greedy1).hasSize(3).allSatisfy(text -> assertThat(text).startsWith("Ma").hasSizeGreaterThan(2));
            assertThat(greedy1).containsOnly(greedy1.get(0));
            assertThat(greedy2).containsOnly(greedy1.get(0));
            assertThat(byId.get("greedy-1").path("version").asLong()).isPositive();
            JsonNode sampled = byId.get("sampled");
            assertThat(texts(sampled)).hasSize(20).allSatisfy(text -> assertThat(text.length()).isBetween(0, 12));
            assertThat(texts(sampled).stream().distinct().count()).isGreaterThan(5);

            Map<String, Integer> expectedCodes = new HashMap<>();
            bad.keySet().forEach(code -> expectedCodes.merge(code.trim(), 1, Integer::sum));
            expectedCodes.merge("empty", 1, Integer::sum);
            assertThat(errorCodes).isEqualTo(expectedCodes);
            assertThat(received.stream().filter(r -> r.path("type").asText().equals("error"))
                    .filter(r -> r.path("id").asText().startsWith("e")).count())
                    .as("errors that carry the request's id").isGreaterThanOrEqualTo(10);

            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName generation = new ObjectName("rill:type=Generation");
            assertThat(jmx.getAttribute(generation, "ErrorReplies")).isEqualTo((long) bad.size() + 1);
            assertThat(jmx.getAttribute(generation, "Replies")).isEqualTo(3L);
            assertThat((Double) jmx.getAttribute(generation, "SamplingLatencyP99Millis")).isPositive();

            // The continuous stream: progress messages with held-out loss and samples.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : replies.poll(Duration.ofMillis(200))) {
                    received.add(GenerationJson.read(record.value()));
                }
                return received.stream().anyMatch(r -> r.path("type").asText().equals("samples"));
            });
            JsonNode progress = received.stream().filter(r -> r.path("type").asText().equals("samples")).findFirst()
                    .orElseThrow();
            assertThat(progress.path("model").asText()).isEqualTo("names");
            assertThat(progress.path("heldOutLoss").isNumber()).isTrue();
            assertThat(progress.path("samples")).hasSize(5);
        }
    }

    private static double heldOutLoss(CharModelView snapshot) {
        int length = 1 + snapshot.heldOut().stream().mapToInt(unit -> unit.length).sum();
        int[] ids = new int[length];
        ids[0] = CharVocabulary.EOS;
        int at = 1;
        for (int[] unit : snapshot.heldOut()) {
            System.arraycopy(unit, 0, ids, at, unit.length);
            at += unit.length;
        }
        return HeldOutLoss.natsPerCharacter(snapshot.params(), ids);
    }

    private static List<String> texts(JsonNode reply) {
        assertThat(reply).as("reply").isNotNull();
        List<String> texts = new ArrayList<>();
        reply.path("samples").forEach(sample -> texts.add(sample.path("text").asText()));
        return texts;
    }

    private static KafkaConsumer<byte[], byte[]> replyConsumer(TestKafka kafka, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
        return consumer;
    }

}
