package io.rill.loadtest;

import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka side of the benchmarks: topics from spec files made by rill's own {@link TopicProvisioner}, offsets read
 * from the broker, a producer that loads data in bulk and one that paces it ({@link Paced}), and consumers that read
 * a topic back. Partitions are named "topic-partition" as in {@link Node#streams()}.
 */
final class Kafka {

    private Kafka() {
    }

    static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return Admin.create(props);
    }

    /** Writes a topic's spec file (kept forever unless {@code retentionMs} says otherwise) into {@code dir}. */
    static void spec(Path dir, String topic, int partitions, long retentionMs) throws IOException {
        Files.writeString(Files.createDirectories(dir).resolve(topic + ".conf"), """
                name = "%s"
                partitions = %d
                replication-factor = 1
                configs { "cleanup.policy" = "delete", "retention.ms" = "%d", "max.message.bytes" = "16777216" }
                """.formatted(topic, partitions, retentionMs));
    }

    /** Specs of a text topic, its dead-letter topic and, with {@code generation}, the generation topics. */
    static void specs(Path dir, String topic, int partitions, String deadletter, com.typesafe.config.Config generation)
            throws IOException {
        spec(dir, topic, partitions, -1);
        spec(dir, deadletter, 1, -1);
        if (generation != null) {
            spec(dir, generation.getString("rill.generate.requests-topic"), 2, 86_400_000L);
            spec(dir, generation.getString("rill.generate.replies-topic"), 1, 604_800_000L);
        }
    }

    /** {@code passes} passes over {@code lines}, each shuffled. */
    static List<String> passes(List<String> lines, int passes, java.util.Random shuffle) {
        List<String> order = new java.util.ArrayList<>();
        for (int p = 0; p < passes; p++) {
            List<String> pass = new java.util.ArrayList<>(lines);
            java.util.Collections.shuffle(pass, shuffle);
            order.addAll(pass);
        }
        return order;
    }

    /** Creates the topics of the spec files in {@code dir} (null: rill's own, bundled in its jar). */
    static void provision(Admin admin, Path dir) {
        TopicProvisioner.ensure(admin, TopicSpec.loadAll(dir));
    }

    static List<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    static String key(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /** End offsets from the broker, keyed "topic-partition", in the order given. */
    static Map<String, Long> ends(Admin admin, List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var infos = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        Map<String, Long> ends = new LinkedHashMap<>();
        partitions.forEach(tp -> ends.put(key(tp), infos.get(tp).offset()));
        return ends;
    }

    /** The group's committed offsets from the broker, keyed "topic-partition" (-1: none). */
    static Map<String, Long> committed(Admin admin, String group, List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<String, Long> committed = new LinkedHashMap<>();
        partitions.forEach(tp -> committed.put(key(tp), offsets.get(tp) == null ? -1 : offsets.get(tp).offset()));
        return committed;
    }

    static long sum(Map<String, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A producer: {@code acks=all}, idempotent, no compression; bulk: 256 KiB batches after up to 10 ms. */
    static Properties producer(String bootstrap, boolean bulk) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.LINGER_MS_CONFIG, bulk ? "10" : "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(bulk ? 256 * 1024 : 64 * 1024));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "17000000");
        return props;
    }

    /** What {@link #produce} sent: the partition each record went to, and the seconds until all were acknowledged. */
    record Sent(int[] partitionOf, double seconds) {

        long[] perPartition(int partitions) {
            long[] counts = new long[partitions];
            for (int p : partitionOf) {
                counts[p]++;
            }
            return counts;
        }
    }

    /** Sends record {@code 0..count-1} of {@code records} with {@code props} and waits for all; fails if any failed. */
    static Sent produce(Properties props, int count, LongFunction<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        int[] partitionOf = new int[count];
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> first = new AtomicReference<>();
        long started = System.nanoTime();
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                int index = i;
                producer.send(records.apply(i), (metadata, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        first.compareAndSet(null, e);
                    } else {
                        partitionOf[index] = metadata.partition();
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " sends failed", first.get());
        }
        return new Sent(partitionOf, Bench.since(started));
    }

    /** {@code lines} in order, {@code perRecord} of them a record (joined by newlines), by a bulk producer. */
    static Sent produceLines(String bootstrap, String topic, List<String> lines, int perRecord) throws Exception {
        int records = (lines.size() + perRecord - 1) / perRecord;
        return produce(producer(bootstrap, true), records, i -> new ProducerRecord<>(topic, String.join("\n",
                lines.subList((int) i * perRecord, Math.min(lines.size(), (int) (i + 1) * perRecord)))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** A consumer assigned every partition of {@code topic}, at its beginning or its end. */
    static KafkaConsumer<byte[], byte[]> reader(String bootstrap, String topic, boolean fromBeginning) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.auto.commit", "false");
        props.put("max.partition.fetch.bytes", "4194304");
        var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position); // resolve the position now
        return consumer;
    }

    /**
     * A producer of good records to one or more topics in turn, each topic's records over its partitions in turn,
     * retrying for as long as {@code deliveryTimeout} allows (a broker outage is ridden out, not lost). It sends at a
     * steady rate from a thread of its own (record i due at start + i / rate, late ones at once), or as fast as it
     * can (rate 0), or a burst from the caller's thread; it counts what it sent, what was acknowledged and what failed.
     */
    static final class Paced implements AutoCloseable {

        /** A topic, its partitions, and the value of its record number j. */
        record Target(String topic, int partitions, LongFunction<byte[]> values) {
        }

        private final List<Target> targets;
        private final KafkaProducer<byte[], byte[]> producer;
        private final AtomicLong next = new AtomicLong();
        private final LongAdder acked = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
        private volatile double rate;
        private volatile long anchorNanos;
        private volatile long anchorIndex;
        private volatile double maxBehindMillis;
        private volatile Thread thread;

        Paced(String bootstrap, List<Target> targets, Duration deliveryTimeout, boolean bulk) {
            this.targets = List.copyOf(targets);
            Properties props = producer(bootstrap, bulk);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryTimeout.toMillis()));
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(deliveryTimeout.toMillis()));
            this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }

        /** Starts sending at {@code perSecond} over all targets (0: as fast as it can). */
        synchronized void start(double perSecond) {
            anchorIndex = next.get();
            anchorNanos = System.nanoTime();
            rate = perSecond;
            Thread t = new Thread(() -> {
                while (thread == Thread.currentThread()) {
                    double r = rate;
                    if (r > 0) {
                        long wait = anchorNanos + (long) ((next.get() - anchorIndex) * 1e9 / r) - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(Math.min(wait, 100_000_000L));
                            continue;
                        }
                        maxBehindMillis = Math.max(maxBehindMillis, -wait / 1e6);
                    }
                    sendOne();
                }
            }, "paced-producer");
            t.setDaemon(true);
            thread = t;
            t.start();
        }

        /** Stops the sending thread; what was handed to Kafka is still delivered. */
        void stopSending() throws InterruptedException {
            Thread t = thread;
            thread = null;
            if (t != null) {
                t.join(600_000);
            }
        }

        /** Sends {@code n} records from this thread as fast as Kafka takes them; the seconds it took. */
        double sendNow(long n) {
            long start = System.nanoTime();
            for (long i = 0; i < n; i++) {
                sendOne();
            }
            producer.flush();
            return Bench.since(start);
        }

        private void sendOne() {
            long i = next.getAndIncrement();
            int t = (int) (i % targets.size());
            long j = i / targets.size();
            Target target = targets.get(t);
            try {
                producer.send(new ProducerRecord<>(target.topic(), (int) (j % target.partitions()), null,
                        target.values().apply(j)), (metadata, e) -> {
                    if (e == null) {
                        acked.increment();
                    } else {
                        failed.increment();
                        firstFailure.compareAndSet(null, e);
                    }
                });
            } catch (RuntimeException e) {
                failed.increment();
                firstFailure.compareAndSet(null, e);
            }
        }

        /** Until everything handed to Kafka is acknowledged or failed; false if {@code timeout} passed first. */
        boolean awaitDelivered(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (sent() > acked() + failed()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(50);
            }
            return true;
        }

        long sent() {
            return next.get();
        }

        long acked() {
            return acked.sum();
        }

        long failed() {
            return failed.sum();
        }

        Exception firstFailure() {
            return firstFailure.get();
        }

        double maxBehindMillis() {
            return maxBehindMillis;
        }

        /** "S sent, A acknowledged, F failed". */
        String counts() {
            return Report.f("%,d sent, %,d acknowledged, %,d failed", sent(), acked(), failed());
        }

        @Override
        public void close() throws InterruptedException {
            stopSending();
            producer.close(Duration.ofSeconds(30));
        }
    }
}
