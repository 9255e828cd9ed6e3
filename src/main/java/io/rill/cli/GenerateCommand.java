package io.rill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rill.lstm.GenerationJson;
import io.rill.lstm.GenerationSettings;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code rill generate}: asks a running node for samples the way any Kafka client would: it starts reading the
 * replies topic at its end, sends one request keyed by a fresh id, and prints the reply with that id.
 */
@Command(name = "generate", description = "Ask a running rill node for generated sequences (names) over Kafka.")
final class GenerateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    RillCli.ConfigOption options;

    @Option(names = {"-m", "--model"}, defaultValue = "names", description = "Model (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = {"-n", "--count"}, defaultValue = "10", description = "Samples (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = {"-T", "--temperature"}, defaultValue = "0.8",
            description = "Sampling temperature, > 0; small is greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Draw from the k likeliest characters only; 0: all.")
    int topK;

    @Option(names = {"-p", "--prefix"}, defaultValue = "", description = "Every sample starts with this.")
    String prefix;

    @Option(names = "--max-length", description = "Longest sample in characters, prefix included.")
    Integer maxLength;

    @Option(names = "--novel-only", description = "Only samples that are not in the training data seen so far.")
    boolean novelOnly;

    @Option(names = {"-b", "--bootstrap"}, description = "Kafka bootstrap servers (default: the configured cluster, "
            + "else the local node's embedded broker).")
    String bootstrap;

    @Option(names = "--timeout", defaultValue = "30s", description = "How long to wait for the reply (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "Print the reply as it arrived (JSON).")
    boolean raw;

    @Override
    public Integer call() throws Exception {
        GenerationSettings generation = GenerationSettings.from(options.settings().config());
        String servers = bootstrap != null ? bootstrap : options.settings().clientBootstrap();
        Duration wait = Duration.parse("PT" + timeout.toUpperCase());
        String id = "cli-" + UUID.randomUUID();
        ObjectNode request = JSON.createObjectNode()
                .put("id", id).put("model", model).put("count", count).put("temperature", temperature)
                .put("topK", topK).put("prefix", prefix).put("novelOnly", novelOnly);
        if (maxLength != null) {
            request.put("maxLength", maxLength);
        }
        Properties props = options.settings().clientProperties(servers);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            // Read from the end as it is before the request goes out, so the reply cannot be missed.
            List<TopicPartition> partitions = consumer.partitionsFor(generation.repliesTopic(), wait).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            producer.send(new ProducerRecord<>(generation.requestsTopic(), id.getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(request))).get();
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && Arrays.equals(record.key(), id.getBytes(StandardCharsets.UTF_8))) {
                        return print(record.value());
                    }
                }
            }
        }
        System.err.println("no reply within " + timeout + " on " + generation.repliesTopic() + " at " + servers
                + ": is a rill node running (./rill run or ./rill demo)?");
        return 3;
    }

    private int print(byte[] value) {
        if (raw) {
            System.out.println(new String(value, StandardCharsets.UTF_8));
        }
        JsonNode reply = GenerationJson.read(value);
        if ("error".equals(reply.path("type").asText())) {
            System.err.println("error " + reply.path("code").asText() + ": " + reply.path("message").asText());
            return 1;
        }
        if (!raw) {
            for (JsonNode sample : reply.path("samples")) {
                System.out.printf("%-28s %8.3f  %s%n", sample.path("text").asText(),
                        sample.path("logProbability").asDouble(),
                        sample.path("inTraining").asBoolean() ? "in training" : "new");
            }
            System.err.printf("model %s, version %d, %d samples of %d drawn%n", reply.path("model").asText(),
                    reply.path("version").asLong(), reply.path("samples").size(), reply.path("attempts").asInt());
        }
        return 0;
    }
}
