package io.rill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rill.classify.ClassificationJson;
import io.rill.classify.ClassificationSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rill classify}: asks a running node to classify sentences the way any Kafka client would: it reads the
 * replies topic from its end, sends one request per sentence keyed by a fresh id (with {@code explain}), and prints
 * each reply as one line: the label, every class's probability, and the sentence's tokens coloured by their weight in
 * the decision (green for, red against; bold for the strongest), on a terminal; elsewhere the weights in brackets.
 */
@Command(name = "classify", description = "Ask a running rill node to classify sentences over Kafka.")
final class ClassifyCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESET = "\033[0m";

    @Mixin
    RillCli.ConfigOption options;

    @Option(names = {"-m", "--model"}, defaultValue = "mr", description = "Model (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = {"-f", "--file"}, description = "Classify every non-empty line of this file.")
    Path file;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "The sentence (its words may be separate "
            + "arguments).")
    List<String> words = new ArrayList<>();

    @Option(names = {"-b", "--bootstrap"}, description = "Kafka bootstrap servers (default: the configured cluster, "
            + "else the local node's embedded broker).")
    String bootstrap;

    @Option(names = "--timeout", defaultValue = "30s", description = "How long to wait for the replies (default "
            + "${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "Print the replies as they arrived (JSON).")
    boolean raw;

    @Option(names = "--plain", description = "No colours, even on a terminal.")
    boolean plain;

    @Override
    public Integer call() throws Exception {
        List<String> sentences = new ArrayList<>();
        if (file != null) {
            Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank())
                    .forEach(sentences::add);
        }
        if (!words.isEmpty()) {
            sentences.add(String.join(" ", words));
        }
        if (sentences.isEmpty()) {
            System.err.println("nothing to classify: give a sentence or --file FILE");
            return 2;
        }
        ClassificationSettings classification = ClassificationSettings.from(options.settings().config());
        String servers = bootstrap != null ? bootstrap : options.settings().clientBootstrap();
        Duration wait = Duration.parse("PT" + timeout.toUpperCase(Locale.ROOT));
        String prefix = "cli-" + UUID.randomUUID() + "-";
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < sentences.size(); i++) {
            index.put(prefix + i, i);
        }
        JsonNode[] answers = new JsonNode[sentences.size()];
        int received = 0;
        Properties props = options.settings().clientProperties(servers);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            // Read from the end as it is before the requests go out, so no reply can be missed.
            List<TopicPartition> partitions = consumer.partitionsFor(classification.requests().repliesTopic(), wait)
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            for (int i = 0; i < sentences.size(); i++) {
                String id = prefix + i;
                byte[] request = JSON.writeValueAsBytes(JSON.createObjectNode().put("id", id).put("model", model)
                        .put("text", sentences.get(i)).put("explain", true));
                producer.send(new ProducerRecord<>(classification.requests().requestsTopic(),
                        id.getBytes(StandardCharsets.UTF_8), request));
            }
            producer.flush();
            long deadline = System.nanoTime() + wait.toNanos();
            while (received < sentences.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Integer i = record.key() == null ? null
                            : index.get(new String(record.key(), StandardCharsets.UTF_8));
                    if (i != null && answers[i] == null) {
                        answers[i] = ClassificationJson.read(record.value());
                        received++;
                        if (raw) {
                            System.out.println(new String(record.value(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        }
        boolean colour = !plain && System.console() != null;
        int failed = 0;
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] == null) {
                System.err.println("no reply within " + timeout + " for: " + sentences.get(i));
                failed++;
            } else if ("error".equals(answers[i].path("type").asText())) {
                System.err.println("error " + answers[i].path("code").asText() + ": "
                        + answers[i].path("message").asText());
                failed++;
            } else if (!raw) {
                System.out.println(line(answers[i], colour));
            }
        }
        if (received == 0) {
            System.err.println("no reply on " + classification.requests().repliesTopic() + " at " + servers
                    + ": is a rill node running (./rill run or ./rill demo)?");
            return 3;
        }
        return failed == 0 ? 0 : 1;
    }

    /** The label, the probabilities, and the tokens with their weights: coloured, or with numbers. */
    static String line(JsonNode reply, boolean colour) {
        StringBuilder out = new StringBuilder();
        String label = reply.path("label").asText();
        out.append(colour ? "\033[1m" + label + RESET : label).append("  ");
        Iterator<Map.Entry<String, JsonNode>> probabilities = reply.path("probabilities").fields();
        while (probabilities.hasNext()) {
            Map.Entry<String, JsonNode> p = probabilities.next();
            out.append(String.format(Locale.ROOT, "%s %.2f ", p.getKey(), p.getValue().asDouble()));
        }
        out.append(" ");
        JsonNode tokens = reply.path("tokens");
        double max = 1e-9;
        for (JsonNode token : tokens) {
            max = Math.max(max, Math.abs(token.path("weight").asDouble()));
        }
        List<String> shown = new ArrayList<>();
        for (JsonNode token : tokens) {
            String text = token.path("token").asText();
            double weight = token.path("weight").asDouble();
            if (!colour) {
                shown.add(String.format(Locale.ROOT, "%s(%+.2f)", text, weight));
                continue;
            }
            double strength = Math.abs(weight) / max;
            String hue = strength < 0.1 ? "" : weight > 0 ? "\033[32m" : "\033[31m";
            String bold = strength >= 0.5 ? "\033[1m" : "";
            String dim = token.path("known").asBoolean(true) ? "" : "\033[2m";
            shown.add(hue.isEmpty() && dim.isEmpty() ? text : bold + hue + dim + text + RESET);
        }
        return out.append(String.join(" ", shown)).toString().stripTrailing();
    }
}
