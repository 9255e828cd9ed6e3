package io.rill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rill.node.RillSettings;
import io.rill.translate.TranslationSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Option;

/**
 * Options and the round trip of the commands that ask a running node for a translation over Kafka, as any client
 * would: read the replies topic from its end, send one request keyed by a fresh id, wait for the reply with that id.
 */
final class TranslationAsk {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-m", "--model"}, defaultValue = "en-fr", description = "Model (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--beam", defaultValue = "5", description = "Beam width; 1 is greedy (default ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--max-length", description = "Most target words (default: the node's).")
    Integer maxLength;

    @Option(names = {"-b", "--bootstrap"}, description = "Kafka bootstrap servers (default: the configured cluster, "
            + "else the local node's embedded broker).")
    String bootstrap;

    @Option(names = "--timeout", defaultValue = "30s", description = "How long to wait for the reply (default ${DEFAULT-VALUE}).")
    String timeout;

    /** The reply's bytes, or null (with the reason on stderr) when none came in time. */
    byte[] ask(RillSettings settings, String text) throws Exception {
        TranslationSettings translation = TranslationSettings.from(settings.config());
        String servers = bootstrap != null ? bootstrap : settings.clientBootstrap();
        Duration wait = Duration.parse("PT" + timeout.toUpperCase());
        String id = "cli-" + UUID.randomUUID();
        ObjectNode request = JSON.createObjectNode().put("id", id).put("model", model).put("text", text)
                .put("beam", beam);
        if (maxLength != null) {
            request.put("maxLength", maxLength);
        }
        Properties props = settings.clientProperties(servers);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(translation.repliesTopic(), wait).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // the end as it is before the request goes out
            byte[] key = id.getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(translation.requestsTopic(), key, JSON.writeValueAsBytes(request)))
                    .get();
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && Arrays.equals(record.key(), key)) {
                        return record.value();
                    }
                }
            }
        }
        System.err.println("no reply within " + timeout + " on " + translation.repliesTopic() + " at " + servers
                + ": is a rill node running (./rill run or ./rill demo)?");
        return null;
    }
}
