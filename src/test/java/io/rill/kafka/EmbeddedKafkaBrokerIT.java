package io.rill.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded broker keeps records, topics and committed offsets across a restart on the same directory. */
class EmbeddedKafkaBrokerIT {

    @Test
    void recordsTopicsAndCommittedOffsetsSurviveARestart(@TempDir Path dir) throws Exception {
        String bootstrap;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, "127.0.0.1", 0, 17_825_792)) {
            bootstrap = broker.bootstrapServers();
            assertThat(bootstrap).startsWith("127.0.0.1:");
            assertThat(EmbeddedKafkaBroker.advertisedIn(dir)).contains(bootstrap);
            try (Admin admin = Admin.create(props(bootstrap))) {
                TopicProvisioner.ensure(admin, List.of(new TopicSpec("persist", 1, (short) 1, Map.of())));
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props(bootstrap), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("persist", "record-" + i)).get();
                }
            }
            try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
                consumer.commitSync(Map.of(new TopicPartition("persist", 0), new OffsetAndMetadata(4)));
            }
        }
        assertThat(EmbeddedKafkaBroker.advertisedIn(dir)).isEmpty(); // a stopped broker advertises nothing
        assertThat(Files.exists(dir.resolve("log").resolve("meta.properties"))).isTrue();

        try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.start(dir, "127.0.0.1", 0, 17_825_792)) {
            String second = again.bootstrapServers();
            try (Admin admin = Admin.create(props(second))) {
                assertThat(admin.listTopics().names().get()).contains("persist");
                List<PartitionOffsets> offsets = PartitionOffsets.read(admin, "survivor", List.of("persist"), 30_000);
                assertThat(offsets).singleElement().satisfies(p -> {
                    assertThat(p.endOffset()).isEqualTo(10);
                    assertThat(p.committedOffset()).isEqualTo(4);
                    assertThat(p.lag()).isEqualTo(6);
                });
            }
            try (KafkaConsumer<String, String> consumer = consumer(second)) {
                consumer.subscribe(List.of("persist"));
                List<String> values = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.size() < 6 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                }
                assertThat(values).containsExactly("record-4", "record-5", "record-6", "record-7", "record-8", "record-9");
            }
        }
    }

    private static Properties props(String bootstrap) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        return props;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties props = props(bootstrap);
        props.put("group.id", "survivor");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
