package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * The translator end to end over a real broker, on a toy task: a source sentence is 3 to 5 distinct words of eight,
 * its target the same words reversed. The pairs go through Kafka (a few bad lines among them, each dead-lettered
 * with its reason and counted), the stream actors, the model's data, the worker and the parameter server; then
 * translation requests through Kafka must reverse sentences never seen in training, word for word, greedy and with a
 * beam, each target word's strongest attention on its own source word (the anti-diagonal), an unknown word named in
 * the reply; bad requests get error replies with their codes, counted on JMX; the progress stream publishes held-out
 * BLEU and a map. Nothing here is timed: the waits are bounds.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TranslatorEndToEndIT {

    private static final String[] WORDS = {"a", "b", "c", "d", "e", "f", "g", "h"};

    @Test
    void learnsToReverseAndAnswersTranslationRequests(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("translate");
        TestNodes.createTopics(kafka, topics);
        RillSettings settings = TestNodes.settings(kafka, topics, Map.ofEntries(
                Map.entry("rill.translate.embedding-size", 16),
                Map.entry("rill.translate.hidden-size", 16),
                Map.entry("rill.translate.attention-size", 32),
                Map.entry("rill.translate.learning-rate", 1e-2),
                Map.entry("rill.translate.max-sentence-words", 10),
                Map.entry("rill.translate.batch-timeout", "500ms"),
                Map.entry("rill.translate.progress.every-steps", 40),
                Map.entry("rill.translate.progress.sentence", "a b c d"),
                Map.entry("rill.translation.snapshot-interval", "200ms"),
                Map.entry("rill.translation.max-text-words", 8),
                Map.entry("rill.translation.max-beam", 8)));

        Random random = new Random(11);
        List<String> pairs = new ArrayList<>();
        java.util.Set<String> trainedSources = new java.util.HashSet<>();
        for (int i = 0; i < 7000; i++) {
            List<String> source = sentence(random);
            pairs.add(String.join(" ", source) + "\t" + String.join(" ", reversed(source)) + "\tattribution");
            trainedSources.add(String.join(" ", source));
        }
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            for (int from = 0; from < pairs.size(); from += 50) {
                List<String> lines = new ArrayList<>(pairs.subList(from, Math.min(pairs.size(), from + 50)));
                if (from == 500) {
                    lines.add(3, "a line without a tab");
                    lines.add(7, "\tb a");
                    lines.add(9, "a b\t  ");
                    lines.add(12, "a b c d e f g h a b c\tc b a");
                }
                producer.send(new ProducerRecord<>(topics.parallel(),
                        String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
            }
        }

        try (RillNode node = RillNode.start(settings);
             KafkaConsumer<byte[], byte[]> replies = replyConsumer(kafka, topics.translated())) {
            TranslationModel model = node.models(TranslationModel.class).get("en-fr");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> model.metrics().getPairsTrained() >= 6000);

            // Sentences the model never trained on, reversed over Kafka, greedy and with a beam.
            Map<String, List<String>> requests = new LinkedHashMap<>();
            Random unseen = new Random(12);
            while (requests.size() < 10) {
                List<String> source = sentence(unseen);
                String text = String.join(" ", source);
                if (!trainedSources.contains(text)) {
                    requests.put("r" + requests.size(), source);
                }
            }
            Map<String, String> bad = new LinkedHashMap<>();
            bad.put("e1", "{\"id\":\"e1\"}"); // bad-text: missing
            bad.put("e2", "{\"id\":\"e2\",\"text\":42}"); // bad-text
            bad.put("e3", "{\"id\":\"e3\",\"text\":\"   \"}"); // no-words
            bad.put("e4", "{\"id\":\"e4\",\"text\":\"a b c d e f g h a\"}"); // text-too-long
            bad.put("e5", "{\"id\":\"e5\",\"text\":\"a b\",\"beam\":0}"); // bad-beam
            bad.put("e6", "{\"id\":\"e6\",\"text\":\"a b\",\"maxLength\":0}"); // bad-max-length
            bad.put("e7", "{\"id\":\"e7\",\"text\":\"a b\",\"model\":\"de-en\"}"); // unknown-model
            bad.put("e8", "{\"id\":\"e8\",\"text\":\"a b\",\"temperature\":1}"); // unknown-field
            bad.put("e9", "{\"id\":\"e9\",\"text\":\"a b\""); // not-json
            try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
                requests.forEach((id, source) -> send(producer, topics.translateRequests(), id,
                        "{\"id\":\"" + id + "\",\"text\":\"" + String.join(" ", source) + "\",\"beam\":"
                                + (id.equals("r0") || id.equals("r1") ? 1 : 4) + "}"));
                send(producer, topics.translateRequests(), "u1", "{\"id\":\"u1\",\"text\":\"a b zz\",\"beam\":1}");
                bad.forEach((id, json) -> send(producer, topics.translateRequests(), id, json));
            }

            Map<String, JsonNode> byId = new HashMap<>();
            List<JsonNode> progress = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : replies.poll(Duration.ofMillis(200))) {
                    JsonNode message = TranslationJson.read(record.value());
                    if (message.path("type").asText().equals("progress")) {
                        progress.add(message);
                    } else {
                        byId.put(message.path("id").asText(), message);
                    }
                }
                return byId.size() >= requests.size() + 1 + bad.size() && !progress.isEmpty();
            });

            int exact = 0;
            for (Map.Entry<String, List<String>> request : requests.entrySet()) {
                JsonNode reply = byId.get(request.getKey());
                assertThat(reply.path("type").asText()).isEqualTo("reply");
                List<String> expected = reversed(request.getValue());
                List<String> target = texts(reply.path("targetTokens"));
                if (target.equals(expected)) {
                    exact++;
                    // The anti-diagonal: target word i looks hardest at source word n − 1 − i.
                    JsonNode attention = reply.path("attention");
                    int n = expected.size();
                    for (int i = 0; i < n; i++) {
                        JsonNode row = attention.get(i);
                        assertThat(row).hasSize(n);
                        assertThat(argmax(row)).as("%s row %d", request.getValue(), i).isEqualTo(n - 1 - i);
                    }
                }
                assertThat(reply.path("translation").asText()).isEqualTo(String.join(" ", target));
                assertThat(reply.path("version").asLong()).isPositive();
            }
            assertThat(exact).as("exact reversals of unseen sentences").isEqualTo(requests.size());

            JsonNode unknown = byId.get("u1");
            assertThat(texts(unknown.path("unknown"))).containsExactly("zz");
            assertThat(texts(unknown.path("sourceTokens"))).containsExactly("a", "b", "zz");
            assertThat(unknown.path("attention").get(0)).hasSize(3);

            Map<String, String> codes = new HashMap<>();
            for (String id : bad.keySet()) {
                if (!id.equals("e9")) {
                    assertThat(byId.get(id).path("type").asText()).as(id).isEqualTo("error");
                    codes.put(id, byId.get(id).path("code").asText());
                }
            }
            assertThat(codes).containsEntry("e1", "bad-text").containsEntry("e2", "bad-text")
                    .containsEntry("e3", "no-words").containsEntry("e4", "text-too-long")
                    .containsEntry("e5", "bad-beam").containsEntry("e6", "bad-max-length")
                    .containsEntry("e7", "unknown-model").containsEntry("e8", "unknown-field");
            assertThat(byId.get("null").path("code").asText()).isEqualTo("not-json"); // unreadable: no id

            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName translation = new ObjectName("rill:type=Translation");
            assertThat(jmx.getAttribute(translation, "ErrorReplies")).isEqualTo((long) bad.size());
            assertThat((String) jmx.getAttribute(translation, "ErrorsByCode")).contains("bad-text=2", "no-words=1",
                    "text-too-long=1", "bad-beam=1", "bad-max-length=1", "unknown-model=1", "unknown-field=1",
                    "not-json=1");
            assertThat(jmx.getAttribute(translation, "UnknownWords")).isEqualTo(1L);

            // The bad lines: dead-lettered with their reasons, counted by the node and by the model.
            ObjectName translator = new ObjectName("rill:type=Translator,model=en-fr");
            assertThat(jmx.getAttribute(translator, "LinesRejectedByReason"))
                    .isEqualTo("empty-side=2 no-tab=1 too-long=1");
            assertThat((String) jmx.getAttribute(new ObjectName("rill:type=DeadLetters"), "RejectedLinesByReason"))
                    .contains("empty-side=2", "no-tab=1", "too-long=1");
            assertThat((Long) jmx.getAttribute(translator, "PairsHeldOut")).isPositive();
            assertThat((Integer) jmx.getAttribute(translator, "HeldOutPairs")).isPositive();

            JsonNode report = progress.get(progress.size() - 1);
            assertThat(report.path("model").asText()).isEqualTo("en-fr");
            assertThat(report.path("heldOutBleu").isNumber()).isTrue();
            assertThat(texts(report.path("sample").path("sourceTokens"))).containsExactly("a", "b", "c", "d");
            assertThat(report.path("sample").path("attention").size())
                    .isEqualTo(report.path("sample").path("targetTokens").size());
        }
    }

    private static List<String> sentence(Random random) {
        List<String> words = new ArrayList<>(List.of(WORDS));
        Collections.shuffle(words, random);
        return new ArrayList<>(words.subList(0, 3 + random.nextInt(3)));
    }

    private static List<String> reversed(List<String> words) {
        List<String> out = new ArrayList<>(words);
        Collections.reverse(out);
        return out;
    }

    private static int argmax(JsonNode row) {
        int best = 0;
        for (int j = 1; j < row.size(); j++) {
            if (row.get(j).asDouble() > row.get(best).asDouble()) {
                best = j;
            }
        }
        return best;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String json) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8)));
    }

    private static KafkaConsumer<byte[], byte[]> replyConsumer(TestKafka kafka, String topic) {
        Properties props = kafka.clientConfig();
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
        return consumer;
    }
}
