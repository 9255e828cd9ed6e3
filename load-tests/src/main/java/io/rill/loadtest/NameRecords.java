package io.rill.loadtest;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Names as the character-model benchmarks feed them: one name per record (its UTF-8 bytes, no key, no newline, as
 * {@code rill produce} or kcat send lines), pass after pass, each pass shuffled with the caller's seeded generator.
 */
final class NameRecords {

    private NameRecords() {
    }

    /**
     * What was sent, in order: the partition each record went to, and its unit length (the name's code points and its
     * end-of-sequence), their sum, and the seconds until the broker had acknowledged them all.
     */
    record Sent(int[] partitionOf, int[] unitLength, long characters, double seconds) {

        int records() {
            return partitionOf.length;
        }

        long[] recordsPerPartition(int partitions) {
            long[] counts = new long[partitions];
            for (int partition : partitionOf) {
                counts[partition]++;
            }
            return counts;
        }
    }

    /**
     * Sends {@code passes} passes over {@code names} to {@code topic} ({@code acks=all}, idempotent, no compression).
     * Records go to the partitions in turn ({@code roundRobin}: every partition gets the same share), or wherever
     * Kafka's default partitioner puts a record without a key. Fails if any send failed.
     */
    static Sent produce(String bootstrap, String topic, int partitions, boolean roundRobin, List<String> names,
                        int passes, Random shuffle) throws Exception {
        Properties props = BenchSupport.bulkProducerProperties(bootstrap);
        int records = names.size() * passes;
        int[] partitionOf = new int[records];
        int[] unitLength = new int[records];
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        long characters = 0;
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int index = 0;
            for (int pass = 0; pass < passes; pass++) {
                List<String> order = new ArrayList<>(names);
                Collections.shuffle(order, shuffle);
                for (String name : order) {
                    int i = index++;
                    unitLength[i] = name.codePointCount(0, name.length()) + 1; // the name and its end-of-sequence
                    characters += unitLength[i];
                    Integer partition = roundRobin ? i % partitions : null;
                    producer.send(new ProducerRecord<>(topic, partition, null,
                            name.getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                        } else {
                            partitionOf[i] = metadata.partition();
                        }
                    });
                }
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " sends failed", firstFailure.get());
        }
        return new Sent(partitionOf, unitLength, characters, (System.nanoTime() - started) / 1e9);
    }
}
