package io.rill.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.ingest.DeadLetterWriter;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The classifier end to end over a real broker. A request before any data is answered "untrained". Then labelled
 * lines of a separable toy set (a sentence's class is given by one of its words, among filler) go through Kafka,
 * the stream actors, the worker and the parameter server, with one bad line of every reason in a record of good
 * ones: the held-out accuracy must pass 95%, every bad line must be on the dead-letter topic with its reason (and
 * counted), and progress messages must be published. Classification requests through Kafka: good ones (with the
 * per-token weights) and one of every error code. Last, the node restarts from its checkpoint with the model as it
 * was.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ClassifierEndToEndIT {

    private static final String[] POSITIVE = {"good", "great", "superb", "fine"};
    private static final String[] NEGATIVE = {"bad", "awful", "poor", "dull"};

    @Test
    void learnsAToySetAndAnswersClassificationRequests(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("cnn");
        TestNodes.createTopics(kafka, topics);
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of(
                "rill.classify.held-out.every", 5,
                "rill.classify.max-classes", 2,
                "rill.classify.max-line-length", 200,
                "rill.classify.batch-linger", "200ms",
                "rill.classify.progress.interval", "1s",
                "rill.classification.snapshot-interval", "200ms"));
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName classifierBean = new ObjectName("rill:type=Classifier,model=mr");
        long versionBeforeRestart;
        String labelBeforeRestart;
        try (RillNode node = RillNode.start(settings);
             KafkaConsumer<byte[], byte[]> replies = consumer(kafka, topics.classified());
             KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            request(producer, topics, "{\"id\":\"early\",\"text\":\"good\"}");
            Map<String, JsonNode> early = awaitReplies(replies, List.of("early"));
            assertThat(early.get("early").path("code").asText()).isEqualTo("untrained");

            Random random = new Random(7);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                lines.add(toyLine(random));
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int from = 0; from < lines.size(); from += 25) {
                    String record = String.join("\n", lines.subList(from, Math.min(lines.size(), from + 25)));
                    producer.send(new ProducerRecord<>(topics.labelled(), record.getBytes(StandardCharsets.UTF_8)));
                }
            }
            Map<String, String> bad = new LinkedHashMap<>();
            bad.put("no-tab", "pos a good film without a tab");
            bad.put("empty-label", "\ta good film");
            bad.put("empty-sentence", "pos\t   ");
            bad.put("label-too-long", "p".repeat(65) + "\ta good film");
            bad.put("line-too-long", "pos\t" + "good ".repeat(50));
            bad.put("too-many-classes", "meh\ta good film"); // pos and neg are the two classes
            List<String> mixed = new ArrayList<>(List.of(toyLine(random), toyLine(random)));
            mixed.addAll(1, bad.values());
            producer.send(new ProducerRecord<>(topics.labelled(),
                    String.join("\n", mixed).getBytes(StandardCharsets.UTF_8)));
            producer.flush();

            ClassifierModel model = node.models(ClassifierModel.class).get("mr");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    model.metrics().getSentencesTrained() >= 4000 && model.metrics().getHeldOutAccuracy() > 0.95);
            assertThat(model.metrics().getHeldOutSentences()).isGreaterThan(400);
            assertThat(model.metrics().getClasses()).isEqualTo(2);
            assertThat((Double) jmx.getAttribute(classifierBean, "PrequentialAccuracy")).isGreaterThan(0.9);

            // every bad line dead-lettered under its reason, the rest of its record used
            Map<String, String> deadLetters = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> dead = consumer(kafka, topics.deadletter())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> record : dead.poll(Duration.ofMillis(200))) {
                        deadLetters.put(new String(record.headers().lastHeader(DeadLetterWriter.REASON).value(),
                                StandardCharsets.UTF_8), new String(record.value(), StandardCharsets.UTF_8));
                    }
                    return deadLetters.size() >= bad.size();
                });
            }
            assertThat(deadLetters).isEqualTo(bad);
            assertThat((String) jmx.getAttribute(new ObjectName("rill:type=DeadLetters"), "RejectedLinesByReason"))
                    .isEqualTo("empty-label=1 empty-sentence=1 label-too-long=1 line-too-long=1 no-tab=1 "
                            + "too-many-classes=1");
            assertThat(model.metrics().getLinesRejected()).isEqualTo(6);

            Map<String, String> good = new LinkedHashMap<>();
            good.put("c1", "{\"id\":\"c1\",\"model\":\"mr\",\"text\":\"A great film.\",\"explain\":true}");
            good.put("c2", "{\"id\":\"c2\",\"text\":\"an awful , dull film\"}");
            good.put("c3", "{\"id\":\"c3\",\"text\":\"superb\"}"); // shorter than the widest filter
            Map<String, String> errors = new LinkedHashMap<>();
            errors.put("e1", "{\"id\":\"e1\",\"model\":\"poems\",\"text\":\"good\"}");
            errors.put("e2", "{\"id\":\"e2\",\"text\":\"\"}");
            errors.put("e3", "{\"id\":\"e3\",\"text\":\"" + "good ".repeat(2001) + "\"}");
            errors.put("e4", "{\"id\":\"e4\",\"text\":7}");
            errors.put("e5", "{\"id\":\"e5\",\"text\":\"good\",\"explain\":\"yes\"}");
            errors.put("e6", "{\"id\":\"e6\",\"text\":\"good\",\"colour\":true}");
            errors.put("e7", "{\"id\":\"e7\",\"model\":42,\"text\":\"good\"}");
            for (String json : good.values()) {
                request(producer, topics, json);
            }
            for (String json : errors.values()) {
                request(producer, topics, json);
            }
            List<String> unkeyed = List.of("{not json", "[1]", "{\"text\":\"good\"}", "{\"id\":\"x\"," + "\"text\":\""
                    + "a".repeat(70_000) + "\"}");
            for (String json : unkeyed) {
                producer.send(new ProducerRecord<>(topics.classifyRequests(), json.getBytes(StandardCharsets.UTF_8)));
            }
            byte[] malformed = "{\"id\":\"m\",\"text\":\"ab\"}".getBytes(StandardCharsets.UTF_8);
            malformed[malformed.length - 3] = (byte) 0xC3;
            producer.send(new ProducerRecord<>(topics.classifyRequests(), malformed));
            producer.send(new ProducerRecord<>(topics.classifyRequests(), null));
            producer.flush();

            List<String> ids = new ArrayList<>(good.keySet());
            ids.addAll(errors.keySet());
            Map<String, JsonNode> answers = awaitReplies(replies, ids);
            JsonNode c1 = answers.get("c1");
            assertThat(c1.path("type").asText()).isEqualTo("classification");
            assertThat(c1.path("label").asText()).isEqualTo("pos");
            assertThat(c1.path("probabilities").path("pos").asDouble()).isGreaterThan(0.5);
            assertThat(c1.path("version").asLong()).isPositive();
            List<String> tokens = new ArrayList<>();
            c1.path("tokens").forEach(t -> tokens.add(t.path("token").asText()));
            assertThat(tokens).containsExactly("a", "great", "film", ".");
            JsonNode great = c1.path("tokens").get(1);
            for (JsonNode token : c1.path("tokens")) {
                assertThat(great.path("weight").asDouble()).isGreaterThanOrEqualTo(token.path("weight").asDouble());
            }
            assertThat(answers.get("c2").path("label").asText()).isEqualTo("neg");
            assertThat(answers.get("c2").has("tokens")).isFalse();
            assertThat(answers.get("c3").path("label").asText()).isEqualTo("pos");
            Map<String, String> codes = new HashMap<>();
            errors.keySet().forEach(id -> codes.put(id, answers.get(id).path("code").asText()));
            assertThat(codes).isEqualTo(Map.of("e1", "unknown-model", "e2", "bad-text", "e3", "bad-text", "e4",
                    "bad-text", "e5", "bad-explain", "e6", "unknown-field", "e7", "bad-model"));
            ObjectName classification = new ObjectName("rill:type=Classification");
            await().atMost(Duration.ofSeconds(20)).until(() -> (Long) jmx.getAttribute(classification,
                    "ErrorReplies") == errors.size() + unkeyed.size() + 3); // + early, malformed, empty
            assertThat((String) jmx.getAttribute(classification, "ErrorsByCode")).isEqualTo("bad-explain=1 "
                    + "bad-id=1 bad-model=1 bad-text=3 empty=1 malformed-utf8=1 not-an-object=1 not-json=1 "
                    + "too-large=1 unknown-field=1 unknown-model=1 untrained=1");
            assertThat((Long) jmx.getAttribute(classification, "Replies")).isEqualTo(3L);

            // the progress stream, keyed by the model's name
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                poll(replies, new HashMap<>());
                return !PROGRESS.isEmpty();
            });
            List<JsonNode> progress = PROGRESS;
            assertThat(progress.get(0).path("model").asText()).isEqualTo("mr");
            assertThat(progress.get(0).path("classes").toString()).contains("pos", "neg");
            // once everything is trained, the model's answer now and after a restart must be the same
            ClassifierSettings classifier = model.settings();
            long trained = 2 * lines.stream().filter(line -> !classifier.isHeldOut(String.join(" ",
                    Tokens.ofTopic(line.substring(line.indexOf('\t') + 1))))).count();
            trained += mixed.stream().filter(line -> !bad.containsValue(line))
                    .filter(line -> !classifier.isHeldOut(line.substring(4))).count();
            long expected = trained;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(model.metrics().getSentencesTrained()).isEqualTo(expected));
            Thread.sleep(1000); // the classifier's copy catches up
            request(producer, topics, "{\"id\":\"before\",\"text\":\"A great film.\"}");
            labelBeforeRestart = awaitReplies(replies, List.of("before")).get("before").path("probabilities")
                    .toString();
            versionBeforeRestart = model.metrics().getVersion();
        }

        // a restart: the model comes back from the checkpoint written at shutdown
        try (RillNode node = RillNode.start(settings);
             KafkaConsumer<byte[], byte[]> replies = consumer(kafka, topics.classified());
             KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            ClassifierModel model = node.models(ClassifierModel.class).get("mr");
            assertThat(model.metrics().getVersion()).isEqualTo(versionBeforeRestart);
            request(producer, topics, "{\"id\":\"after\",\"text\":\"A great film.\"}");
            JsonNode after = awaitReplies(replies, List.of("after")).get("after");
            assertThat(after.path("probabilities").toString()).isEqualTo(labelBeforeRestart);
        }
    }

    private static String toyLine(Random random) {
        boolean positive = random.nextBoolean();
        int length = 3 + random.nextInt(10);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            words.add("w" + random.nextInt(300));
        }
        String[] cue = positive ? POSITIVE : NEGATIVE;
        words.add(random.nextInt(words.size() + 1), cue[random.nextInt(cue.length)]);
        return (positive ? "pos" : "neg") + "\t" + String.join(" ", words);
    }

    private static void request(KafkaProducer<byte[], byte[]> producer, TestNodes.Topics topics, String json) {
        producer.send(new ProducerRecord<>(topics.classifyRequests(), json.getBytes(StandardCharsets.UTF_8)));
        producer.flush();
    }

    /** Progress messages seen on the replies topic while waiting for replies. */
    private static final List<JsonNode> PROGRESS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static Map<String, JsonNode> awaitReplies(KafkaConsumer<byte[], byte[]> replies, List<String> ids) {
        Map<String, JsonNode> byId = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            poll(replies, byId);
            return byId.keySet().containsAll(ids);
        });
        return byId;
    }

    private static void poll(KafkaConsumer<byte[], byte[]> replies, Map<String, JsonNode> byId) {
        for (ConsumerRecord<byte[], byte[]> record : replies.poll(Duration.ofMillis(200))) {
            JsonNode reply = ClassificationJson.read(record.value());
            if (reply.path("type").asText().equals("progress")) {
                PROGRESS.add(reply);
            } else {
                byId.put(reply.path("id").asText(), reply);
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(TestKafka kafka, String topic) {
        java.util.Properties props = kafka.clientConfig();
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        return consumer;
    }
}
