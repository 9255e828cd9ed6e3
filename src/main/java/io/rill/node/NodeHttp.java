package io.rill.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rill.learn.Learner;
import io.rill.learn.WordVectors;
import io.rill.ops.Health;
import io.rill.ops.HttpEndpoint;
import io.rill.ops.Jmx;
import io.rill.ops.NodeStatus;
import io.rill.ops.ProgressRecorder;
import io.rill.ops.RemoteJmxSettings;
import io.rill.skipgram.query.EmbeddingSnapshot;
import io.rill.skipgram.query.Word2VecFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the node serves over HTTP ({@link HttpEndpoint}):
 * <ul>
 *   <li>{@code /metrics}: every meter in the Prometheus text format (the JMX beans through
 *       {@link io.rill.ops.MeterBridge}, and the JVM's);</li>
 *   <li>{@code /health}: {@link Health}'s report as JSON, 200 when every part is up, 503 otherwise;</li>
 *   <li>{@code /node}: who the node is (its instance id and data directory, by which a client tells whether it
 *       shares the node's disk), its models and where its JMX is;</li>
 *   <li>{@code /vectors?model=NAME&format=binary|text}: a model's word vectors in word2vec format, for clients on
 *       another machine or outside the node's container;</li>
 *   <li>{@code /progress}: the training-curve files; {@code /progress?model=NAME} one of them, as CSV.</li>
 * </ul>
 */
final class NodeHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private NodeHttp() {
    }

    static void routes(HttpEndpoint http, PrometheusMeterRegistry registry, Health health, NodeStatus status,
                       Map<String, Learner> models, ProgressRecorder progress, RemoteJmxSettings remoteJmx,
                       Jmx jmx, Path tempDirectory) {
        http.route("/metrics", "the node's meters, Prometheus text format", exchange ->
                exchange.bytes(200, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8)));
        http.route("/health", "ingest, learners, broker: 200 when all are up, 503 otherwise (JSON)", exchange -> {
            Health.Report report = health.report();
            exchange.bytes(report.up() ? 200 : 503, "application/json",
                    report.json().getBytes(StandardCharsets.UTF_8));
        });
        http.route("/node", "this node: instance id, data directory, models, JMX (JSON)", exchange ->
                exchange.bytes(200, "application/json", json(node(status, models, jmx, remoteJmx, progress))));
        http.route("/vectors", "?model=NAME&format=binary|text: a model's word vectors, word2vec format", exchange ->
                vectors(exchange, models, tempDirectory));
        http.route("/progress", "the training curves (JSON); ?model=NAME: one of them (CSV)", exchange ->
                progress(exchange, progress));
    }

    private static ObjectNode node(NodeStatus status, Map<String, Learner> models, Jmx jmx,
                                   RemoteJmxSettings remoteJmx, ProgressRecorder progress) {
        ObjectNode node = JSON.createObjectNode();
        node.put("instanceId", status.getInstanceId());
        node.put("dataDirectory", status.getDataDirectory());
        node.put("uptimeSeconds", status.getUptimeSeconds());
        node.put("brokerMode", status.getBrokerMode());
        node.put("bootstrapServers", status.getBootstrapServers());
        ArrayNode list = node.putArray("models");
        models.forEach((name, model) -> {
            ObjectNode m = list.addObject().put("name", name);
            jmx.registered().stream().filter(r -> r.key("model").filter(name::equals).isPresent()).findFirst()
                    .ifPresent(r -> m.put("bean", r.name().toString()));
            m.put("wordVectors", model instanceof WordVectors);
        });
        ObjectNode remote = node.putObject("jmx");
        remote.put("enabled", remoteJmx.enabled());
        if (remoteJmx.enabled()) {
            remote.put("address", remoteJmx.host() + ":" + remoteJmx.port());
        }
        node.put("progress", progress != null);
        return node;
    }

    private static void vectors(HttpEndpoint.Exchange exchange, Map<String, Learner> models, Path tempDirectory)
            throws IOException {
        String format = exchange.query("format") == null ? "binary" : exchange.query("format");
        if (!format.equals("binary") && !format.equals("text")) {
            exchange.text(400, "error: format is binary or text, not " + format + "\n");
            return;
        }
        List<String> offering = models.entrySet().stream().filter(e -> e.getValue() instanceof WordVectors)
                .map(Map.Entry::getKey).toList();
        String name = exchange.query("model");
        if (name == null) {
            if (offering.size() != 1) {
                exchange.text(offering.isEmpty() ? 404 : 400, offering.isEmpty()
                        ? "error: the node runs no model with word vectors\n"
                        : "error: the node runs several models with word vectors " + offering + ": name one, ?model=\n");
                return;
            }
            name = offering.get(0);
        }
        if (!(models.get(name) instanceof WordVectors model)) {
            exchange.text(404, "error: no model \"" + name + "\" with word vectors; the node has " + offering + "\n");
            return;
        }
        WordVectors.Vectors vectors = model.wordVectors().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        EmbeddingSnapshot snapshot = EmbeddingSnapshot.wrap(vectors.words(), vectors.vectors(), vectors.dimension(),
                vectors.version(), 0);
        Files.createDirectories(tempDirectory);
        Path file = Files.createTempFile(tempDirectory, "vectors-" + name + "-", format.equals("binary") ? ".bin" : ".txt");
        try {
            Word2VecFormat.Written written = format.equals("binary")
                    ? Word2VecFormat.writeBinary(file, snapshot) : Word2VecFormat.writeText(file, snapshot);
            exchange.responseHeader("X-Rill-Model", name);
            exchange.responseHeader("X-Rill-Words", String.valueOf(written.words()));
            exchange.responseHeader("X-Rill-Skipped", String.valueOf(written.skipped()));
            exchange.responseHeader("X-Rill-Dimension", String.valueOf(vectors.dimension()));
            exchange.responseHeader("X-Rill-Model-Version", String.valueOf(vectors.version()));
            exchange.file(format.equals("binary") ? "application/octet-stream" : "text/plain; charset=utf-8", file,
                    name + (format.equals("binary") ? ".bin" : ".txt"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void progress(HttpEndpoint.Exchange exchange, ProgressRecorder progress) throws IOException {
        if (progress == null) {
            exchange.text(404, "error: the node writes no training curves (rill.progress.enabled = false)\n");
            return;
        }
        String model = exchange.query("model");
        if (model == null) {
            ArrayNode list = JSON.createArrayNode();
            for (ProgressRecorder.Curve curve : progress.curves()) {
                list.addObject().put("type", curve.type()).put("model", curve.model())
                        .put("file", curve.file().getFileName().toString()).put("bytes", Files.size(curve.file()));
            }
            exchange.bytes(200, "application/json", json(list));
            return;
        }
        var curve = progress.curve(exchange.query("type"), model);
        if (curve.isEmpty()) {
            exchange.text(404, "error: no training curve of model \"" + model + "\" (yet?); there are "
                    + progress.curves().stream().map(ProgressRecorder.Curve::model).toList() + "\n");
            return;
        }
        exchange.file("text/csv; charset=utf-8", curve.get().file(), curve.get().file().getFileName().toString());
    }

    private static byte[] json(Object value) throws IOException {
        return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
