package io.rill.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.ops.ProgressCsv;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node's HTTP endpoint, read as Prometheus and an orchestrator would: {@code /metrics} carries the JMX beans'
 * figures under their names and tags (the same numbers JMX shows), {@code /health} says up part by part, the training
 * curves grow; and {@code /health} turns 503 when the broker goes away, and 200 again when it is back.
 */
@ExtendWith(KafkaBrokerExtension.class)
class NodeHttpIT {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_0-9]+)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    @Test
    void metricsHealthAndCurvesOfARunningNode(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("http");
        TestNodes.createTopics(kafka, topics);
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of("rill.skipgram.min-count", 1,
                "rill.skipgram.dimension", 16));
        try (RillNode node = RillNode.start(settings)) {
            String base = "http://" + node.httpAddress().orElseThrow();
            try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
                for (int i = 0; i < 60; i++) {
                    send(producer, topics.corpus(), "the white whale swam past the ship number " + (i % 7));
                    send(producer, topics.names(), "Ishmael\nQueequeg\nStarbuck");
                }
            }
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                Map<String, Double> m = samples(get(base + "/metrics").body());
                assertThat(m.get(ingest("records_in_total", topics.corpus(), 0)) + m.get(ingest("records_in_total",
                        topics.corpus(), 1))).isEqualTo(60);
                assertThat(m.get(ingest("tokens_in_total", topics.corpus(), 0)) + m.get(ingest("tokens_in_total",
                        topics.corpus(), 1))).isEqualTo(60 * 9);
                assertThat(m.get(ingest("lines_in_total", topics.names(), 0)) + m.get(ingest("lines_in_total",
                        topics.names(), 1))).isEqualTo(180);
                assertThat(m.get("rill_skipgram_tokens_seen_total{model=\"corpus\"}")).isEqualTo(540);
                assertThat(m.get("rill_charmodel_characters_trained_total{model=\"names\"}")).isPositive();
            });
            HttpResponse<String> metrics = get(base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
            String text = metrics.body();
            assertThat(text)
                    .contains("# TYPE rill_ingest_records_in_total counter")
                    .contains("# TYPE rill_ingest_consumer_lag gauge")
                    .contains("# TYPE rill_skipgram_pairs_trained_total counter")
                    .contains("# TYPE rill_charmodel_held_out_loss gauge")
                    .contains("# TYPE rill_charmodel_staleness_p99 gauge")
                    .contains("# TYPE rill_generation_requests_total counter")
                    .contains("# TYPE rill_generation_request_latency_p99_millis gauge")
                    .contains("# TYPE rill_checkpoints_checkpoints_written_total counter")
                    .contains("# TYPE rill_deadletters_total counter")
                    .contains("# TYPE rill_node_uptime_seconds gauge")
                    .contains("jvm_memory_used_bytes{");
            // the same figures JMX shows: a counter that has stopped moving reads the same both ways
            Map<String, Double> m = samples(text);
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            for (int partition = 0; partition < 2; partition++) {
                assertThat(m.get(ingest("records_in_total", topics.corpus(), partition))).isEqualTo(
                        ((Number) jmx.getAttribute(new ObjectName("rill:type=Ingest,topic=" + topics.corpus()
                                + ",partition=" + partition), "RecordsIn")).doubleValue());
            }
            assertThat(m.get("rill_skipgram_vocabulary_size{model=\"corpus\"}")).isEqualTo(
                    ((Number) jmx.getAttribute(new ObjectName("rill:type=SkipGram,model=corpus"), "VocabularySize"))
                            .doubleValue());

            JsonNode health = await().atMost(Duration.ofSeconds(60)).until(() -> json(get(base + "/health")),
                    h -> h.path("status").asText().equals("up"));
            assertThat(get(base + "/health").statusCode()).isEqualTo(200);
            assertThat(health.path("parts").path("ingest").path("state").asText()).isEqualTo("consuming");
            assertThat(health.path("parts").path("ingest").path("detail").asText())
                    .contains("8 partitions assigned"); // corpus, names, labelled and parallel: two each
            assertThat(health.path("parts").path("learners").path("detail").asText()).contains("corpus").contains("names")
                .contains("mr").contains("en-fr");
            assertThat(health.path("parts").path("broker").path("state").asText()).isEqualTo("connected");

            // training curves: one file per model, rows every second (TestNodes), downloadable
            JsonNode curves = await().atMost(Duration.ofSeconds(30)).until(() -> json(get(base + "/progress")),
                    c -> c.size() == 4);
            assertThat(curves.findValuesAsText("file")).containsExactly("CharModel-names.csv", "Classifier-mr.csv",
                    "SkipGram-corpus.csv", "Translator-en-fr.csv");
            ProgressCsv.Table curve = await().atMost(Duration.ofSeconds(30)).until(() -> ProgressCsv.read(
                    new StringReader(get(base + "/progress?model=names").body())), t -> t.rows().size() >= 2);
            assertThat(curve.columns()).contains("TrainingLoss", "HeldOutLoss", "CharactersPerSecond", "Version");
            assertThat(get(base + "/progress?model=nope").statusCode()).isEqualTo(404);

            JsonNode self = json(get(base + "/node"));
            assertThat(self.path("dataDirectory").asText()).isEqualTo(settings.dataDir().toAbsolutePath().normalize().toString());
            assertThat(self.path("models").findValuesAsText("name"))
                    .containsExactlyInAnyOrder("corpus", "names", "mr", "en-fr");
        }
    }

    @Test
    void healthTurnsDownWhenTheBrokerStopsAndUpWhenItIsBack(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path brokerDir = dir.resolve("broker");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, "127.0.0.1", port, 17_825_792);
        TestKafka kafka = new TestKafka(broker.bootstrapServers(), "embedded");
        TestNodes.Topics topics = TestNodes.topics("health");
        TestNodes.createTopics(kafka, topics);
        try (RillNode node = RillNode.start(TestNodes.settings(kafka, topics, Map.of()))) {
            String base = "http://" + node.httpAddress().orElseThrow();
            await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/health").statusCode() == 200);

            broker.close();
            HttpResponse<String> down = await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/health"),
                    r -> r.statusCode() == 503);
            JsonNode report = new ObjectMapper().readTree(down.body());
            assertThat(report.path("status").asText()).isEqualTo("down");
            assertThat(report.path("parts").path("broker").path("status").asText()).isEqualTo("down");
            assertThat(report.path("parts").path("broker").path("detail").asText()).contains(kafka.bootstrapServers());
            assertThat(report.path("parts").path("learners").path("status").asText()).isEqualTo("up");
            // past the session timeout (10 s) the ingest consumer is out of its group, and says so
            JsonNode ingest = await().atMost(Duration.ofSeconds(40)).until(
                    () -> json(get(base + "/health")).path("parts").path("ingest"),
                    p -> p.path("status").asText().equals("down"));
            assertThat(ingest.path("state").asText()).isEqualTo("disconnected");

            broker = EmbeddedKafkaBroker.start(brokerDir, "127.0.0.1", port, 17_825_792);
            await().atMost(Duration.ofSeconds(120)).until(() -> get(base + "/health").statusCode() == 200);
        } finally {
            broker.close();
        }
    }

    private static String ingest(String name, String topic, int partition) {
        return "rill_ingest_" + name + "{partition=\"" + partition + "\",topic=\"" + topic + "\"}";
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
    }

    /** The samples of a Prometheus text scrape: name{labels} → value. */
    static Map<String, Double> samples(String scrape) {
        Map<String, Double> samples = new HashMap<>();
        Matcher m = SAMPLE.matcher(scrape);
        while (m.find()) {
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    static HttpResponse<String> get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return new ObjectMapper().readTree(response.body());
    }
}
