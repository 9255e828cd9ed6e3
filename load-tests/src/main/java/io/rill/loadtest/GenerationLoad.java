package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A client of rill's generation service, as an application would be one: a {@link KafkaProducer} ({@code linger.ms
 * 0}) writes JSON requests to the requests topic at a fixed rate, keyed by request id, and a consumer of the replies
 * topic matches every reply and error reply to its request by id. A request's latency is the client's: from just
 * before {@code send} to the poll that returned its reply (both {@link System#nanoTime}); beside it the record
 * timestamps give the broker-side trip, the reply's CreateTime (stamped by rill's producer) minus the request's (stamped
 * here). Progress messages of the same topic ({@code "type":"samples"}) and replies to earlier scenarios are skipped.
 *
 * <p>Pacing: request i is due at start + i / rate; the sender sleeps until it is due and sends late ones at once, so a
 * client that falls behind sends in a burst and says so ({@code maxBehindMillis}). Every wait has a deadline.
 */
final class GenerationLoad implements AutoCloseable {

    /** Latency percentiles (nearest rank) in milliseconds; NaN when nothing was measured. */
    record Latencies(long count, double p50, double p90, double p99, double max, double mean) {

        static Latencies of(long[] nanos) {
            if (nanos.length == 0) {
                return new Latencies(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            double mean = Arrays.stream(sorted).average().orElse(Double.NaN) / 1e6;
            return new Latencies(sorted.length, rank(sorted, 0.50) / 1e6, rank(sorted, 0.90) / 1e6,
                    rank(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6, mean);
        }

        private static long rank(long[] sorted, double p) {
            int index = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    /**
     * One scenario's outcome: requests due ({@code planned}) and sent, sends that failed, replies with samples,
     * error replies by code, requests still unanswered when the drain ended; the time from the first to the last send
     * and the rate that makes; how late the latest send was; client latencies of answered requests (replies and error
     * replies alike); reply-minus-request timestamps; samples received and their mean length.
     */
    record Result(String name, int rate, double plannedSeconds, long planned, long sent, long sendFailures,
                  long replies, long errors, Map<String, Long> errorCodes, long unanswered, double sendSeconds,
                  double achievedRate, double maxBehindMillis, Latencies client, Latencies timestamps,
                  long samples, double meanSampleLength, double drainSeconds) {
    }

    /** The requests of the scenario under way; the consumer thread writes into it. */
    private static final class Scenario {
        final String prefix;
        final AtomicLongArray sentNanos;
        final long[] sentMillis;
        final AtomicLongArray answeredNanos;
        final AtomicLongArray answeredMillis;
        final LongAdder replies = new LongAdder();
        final LongAdder errors = new LongAdder();
        final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
        final LongAdder samples = new LongAdder();
        final LongAdder sampleCharacters = new LongAdder();

        Scenario(String prefix, int size) {
            this.prefix = prefix;
            this.sentNanos = new AtomicLongArray(size);
            this.sentMillis = new long[size];
            this.answeredNanos = new AtomicLongArray(size);
            this.answeredMillis = new AtomicLongArray(size);
        }

        long answered() {
            return replies.sum() + errors.sum();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String requestsTopic;
    private final String model;
    private final int count;
    private final double temperature;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private final AtomicReference<Scenario> current = new AtomicReference<>();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    private volatile boolean running = true;

    GenerationLoad(String bootstrap, String requestsTopic, String repliesTopic, String model, int count,
                   double temperature, Duration maxLifetime) {
        this.requestsTopic = requestsTopic;
        this.model = model;
        this.count = count;
        this.temperature = temperature;
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        producer.partitionsFor(requestsTopic); // metadata now, not on the first timed send

        Properties consumerProps = new Properties();
        consumerProps.put("bootstrap.servers", bootstrap);
        consumerProps.put("enable.auto.commit", "false");
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(repliesTopic, Duration.ofSeconds(30)).stream()
                .map(PartitionInfo::partition).map(p -> new TopicPartition(repliesTopic, p)).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve "end" now: replies from here on
        long stopAt = System.nanoTime() + maxLifetime.toNanos();
        this.reader = new Thread(() -> read(stopAt), "generation-replies");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(long stopAt) {
        try {
            while (running && System.nanoTime() < stopAt) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    take(record, now);
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                readerFailure.set(e);
            }
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record, long receivedNanos) {
        JsonNode message;
        try {
            message = JSON.readTree(record.value());
        } catch (java.io.IOException | RuntimeException e) {
            ignored.incrementAndGet();
            return;
        }
        String type = message.path("type").asText();
        if (!type.equals("reply") && !type.equals("error")) {
            return; // the progress stream
        }
        Scenario scenario = current.get();
        String id = message.path("id").asText("");
        if (scenario == null || !id.startsWith(scenario.prefix)) {
            ignored.incrementAndGet();
            return;
        }
        int index;
        try {
            index = Integer.parseInt(id.substring(scenario.prefix.length()));
        } catch (NumberFormatException e) {
            ignored.incrementAndGet();
            return;
        }
        if (index < 0 || index >= scenario.sentNanos.length()
                || !scenario.answeredNanos.compareAndSet(index, 0, receivedNanos)) {
            ignored.incrementAndGet(); // a duplicate (at-least-once) or not ours
            return;
        }
        scenario.answeredMillis.set(index, record.timestamp());
        if (type.equals("reply")) {
            for (JsonNode sample : message.path("samples")) {
                scenario.samples.increment();
                scenario.sampleCharacters.add(sample.path("text").asText("").codePointCount(0,
                        sample.path("text").asText("").length()));
            }
            scenario.replies.increment();
        } else {
            scenario.errorCodes.computeIfAbsent(message.path("code").asText("?"), c -> new LongAdder()).increment();
            scenario.errors.increment();
        }
    }

    /**
     * Sends {@code rate} requests a second for {@code seconds}, ids {@code name-0, name-1, ...}, then waits up to
     * {@code drainSeconds} for the last replies.
     */
    Result run(String name, int rate, int seconds, int drainSeconds) throws InterruptedException {
        if (rate < 1 || seconds < 1) {
            throw new IllegalArgumentException("rate and seconds must be positive: " + rate + ", " + seconds);
        }
        long planned = (long) rate * seconds;
        if (planned > 10_000_000) {
            throw new IllegalArgumentException("too many requests for one scenario: " + planned);
        }
        Scenario scenario = new Scenario(name + "-", (int) planned);
        current.set(scenario);
        LongAdder sendFailures = new LongAdder();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long giveUp = start + TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.SECONDS.toNanos(Math.max(10, seconds));
        long maxBehind = 0;
        long sent = 0;
        long firstSend = -1;
        long lastSend = -1;
        for (int i = 0; i < planned; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long now = System.nanoTime();
            while (now < due) {
                LockSupport.parkNanos(due - now);
                now = System.nanoTime();
            }
            if (now > giveUp) {
                System.out.printf(Locale.ROOT, "  %s: the sender fell %.1f s behind; %d requests not sent%n", name,
                        (now - due) / 1e9, planned - i);
                break;
            }
            maxBehind = Math.max(maxBehind, now - due);
            String id = scenario.prefix + i;
            byte[] value = String.format(Locale.ROOT, "{\"id\":\"%s\",\"model\":\"%s\",\"count\":%d,\"temperature\":%s}",
                    id, model, count, temperature).getBytes(StandardCharsets.UTF_8);
            long millis = System.currentTimeMillis();
            scenario.sentMillis[i] = millis;
            scenario.sentNanos.set(i, System.nanoTime());
            producer.send(new ProducerRecord<>(requestsTopic, null, millis, id.getBytes(StandardCharsets.UTF_8), value),
                    (metadata, e) -> {
                        if (e != null) {
                            sendFailures.increment();
                        }
                    });
            if (firstSend < 0) {
                firstSend = now;
            }
            lastSend = now;
            sent++;
        }
        producer.flush();
        long drainStart = System.nanoTime();
        long drainDeadline = drainStart + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (scenario.answered() < sent - sendFailures.sum() && System.nanoTime() < drainDeadline
                && readerFailure.get() == null) {
            Thread.sleep(10);
        }
        double drained = (System.nanoTime() - drainStart) / 1e9;
        current.set(null);
        if (readerFailure.get() != null) {
            throw new IllegalStateException("the reply consumer failed", readerFailure.get());
        }

        long answered = 0;
        long[] client = new long[(int) sent];
        long[] stamped = new long[(int) sent];
        for (int i = 0; i < sent; i++) {
            long at = scenario.answeredNanos.get(i);
            if (at != 0) {
                client[(int) answered] = at - scenario.sentNanos.get(i);
                stamped[(int) answered] = TimeUnit.MILLISECONDS.toNanos(scenario.answeredMillis.get(i)
                        - scenario.sentMillis[i]);
                answered++;
            }
        }
        Map<String, Long> codes = new TreeMap<>();
        scenario.errorCodes.forEach((code, n) -> codes.put(code, n.sum()));
        double sendSeconds = sent > 1 ? (lastSend - firstSend) / 1e9 : 0;
        long samples = scenario.samples.sum();
        return new Result(name, rate, seconds, planned, sent, sendFailures.sum(), scenario.replies.sum(),
                scenario.errors.sum(), codes, sent - answered, sendSeconds,
                sendSeconds > 0 ? (sent - 1) / sendSeconds : Double.NaN, maxBehind / 1e6,
                Latencies.of(Arrays.copyOf(client, (int) answered)), Latencies.of(Arrays.copyOf(stamped, (int) answered)),
                samples, samples == 0 ? Double.NaN : scenario.sampleCharacters.sum() / (double) samples, drained);
    }

    /** Replies that matched no request of the scenario under way (late replies of an earlier one, duplicates). */
    long ignored() {
        return ignored.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        if (!reader.isAlive()) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
