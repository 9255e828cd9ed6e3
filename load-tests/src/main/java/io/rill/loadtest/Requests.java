package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A client of a rill node's request/reply service over Kafka, as an application would be one: JSON requests to a
 * requests topic, keyed by id, at a fixed rate or all at once ({@code linger.ms} 0), and a consumer of the replies
 * topic that matches every reply to its request by the reply's {@code id} (messages without one, or of type
 * {@code samples}, the progress stream, are skipped; {@code "type":"error"} is an error reply with a {@code code}).
 * Per request: the client's latency (just before {@code send} to the poll that returned the reply) and the record
 * timestamps' (the reply's CreateTime, stamped by rill's producer, minus the request's, stamped here). The replies of
 * the last run are kept ({@link #replies}) for a benchmark to score: generated names, classes, translations.
 */
final class Requests implements AutoCloseable {

    /** Latency percentiles (nearest rank) in milliseconds; NaN when nothing was measured. */
    record Latencies(long count, double p50, double p90, double p99, double max, double mean) {

        static Latencies of(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            if (s.length == 0) {
                return new Latencies(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Latencies(s.length, rank(s, 0.5), rank(s, 0.9), rank(s, 0.99), s[s.length - 1] / 1e6,
                    Arrays.stream(s).average().orElse(Double.NaN) / 1e6);
        }

        private static double rank(long[] sorted, double p) {
            return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))] / 1e6;
        }
    }

    /**
     * One run: requests due and sent, sends that failed, replies and error replies (by code), requests unanswered when
     * the drain ended; the first to the last send and the rate that makes; how late the latest send was; latencies of
     * the answered ones; samples in replies ({@code samples} arrays) and their mean length.
     */
    record Result(String name, double rate, long planned, long sent, long sendFailures, long replies, long errors,
                  Map<String, Long> errorCodes, long unanswered, double sendSeconds, double achievedRate,
                  double maxBehindMillis, Latencies client, Latencies stamped, long samples, double meanSampleLength,
                  double drainSeconds) {
    }

    /** The requests of the run under way; the reader thread writes into it. */
    private record Pending(String prefix, long[] sentNanos, long[] sentMillis, AtomicLongArray answeredNanos,
                           AtomicLongArray answeredMillis, Map<Integer, JsonNode> bodies) {
    }

    private final String requestsTopic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private final AtomicReference<Pending> current = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private Map<Integer, JsonNode> replies = Map.of();

    Requests(String bootstrap, String requestsTopic, String repliesTopic) {
        this.requestsTopic = requestsTopic;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "17000000");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        producer.partitionsFor(requestsTopic); // metadata now, not on the first timed send
        this.consumer = Kafka.reader(bootstrap, repliesTopic, false);
        this.reader = new Thread(this::read, "replies-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    take(r, now);
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                failure.set(e);
            }
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record, long now) {
        JsonNode message;
        try {
            message = Bench.JSON.readTree(record.value());
        } catch (java.io.IOException | RuntimeException e) {
            return; // not JSON: not a reply
        }
        Pending p = current.get();
        String id = message == null ? "" : message.path("id").asText("");
        if (id.isEmpty() || message.path("type").asText().equals("samples")) {
            return; // the progress stream, or not a reply
        }
        int index = -1;
        if (p != null && id.startsWith(p.prefix())) {
            try {
                index = Integer.parseInt(id.substring(p.prefix().length()));
            } catch (NumberFormatException e) {
                // not ours
            }
        }
        if (index < 0 || index >= p.sentNanos().length || !p.answeredNanos().compareAndSet(index, 0, now)) {
            return; // an earlier run's, a duplicate (at least once), or not ours
        }
        p.answeredMillis().set(index, record.timestamp());
        p.bodies().put(index, message);
    }

    /**
     * Sends {@code count} requests, ids {@code name-0, name-1, ...}, {@code body} making each one's JSON from its id,
     * at {@code rate} per second (0: as fast as the producer takes them), then waits up to {@code drainSeconds} for
     * the last replies.
     */
    Result run(String name, int count, double rate, Function<String, String> body, double drainSeconds)
            throws InterruptedException {
        Pending p = new Pending(name + "-", new long[count], new long[count], new AtomicLongArray(count),
                new AtomicLongArray(count), new ConcurrentHashMap<>());
        current.set(p);
        LongAdder sendFailures = new LongAdder();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long giveUp = start + (long) ((rate > 0 ? count / rate : 0) * 1e9) + TimeUnit.SECONDS.toNanos(30);
        long maxBehind = 0;
        int sent = 0;
        for (; sent < count; sent++) {
            long due = rate > 0 ? start + (long) (sent * 1e9 / rate) : 0;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            if (now > giveUp) {
                System.out.printf("  %s: the sender fell behind; %d requests not sent%n", name, count - sent);
                break;
            }
            maxBehind = rate > 0 ? Math.max(maxBehind, now - due) : 0;
            String id = p.prefix() + sent;
            p.sentMillis()[sent] = System.currentTimeMillis();
            p.sentNanos()[sent] = System.nanoTime();
            producer.send(new ProducerRecord<>(requestsTopic, null, p.sentMillis()[sent],
                    id.getBytes(StandardCharsets.UTF_8), body.apply(id).getBytes(StandardCharsets.UTF_8)),
                    (metadata, e) -> {
                        if (e != null) {
                            sendFailures.increment();
                        }
                    });
        }
        long lastSend = System.nanoTime();
        producer.flush();
        long drainStart = System.nanoTime();
        int total = sent;
        while (p.bodies().size() < total - sendFailures.sum() && failure.get() == null
                && Bench.since(drainStart) < drainSeconds) {
            Thread.sleep(10);
        }
        double drained = Bench.since(drainStart);
        current.set(null);
        if (failure.get() != null) {
            throw new IllegalStateException("the replies consumer failed", failure.get());
        }
        replies = Map.copyOf(p.bodies());
        long[] client = new long[replies.size()];
        long[] stamped = new long[replies.size()];
        int a = 0;
        long replied = 0;
        long samples = 0;
        long sampleChars = 0;
        Map<String, Long> codes = new TreeMap<>();
        for (Map.Entry<Integer, JsonNode> e : replies.entrySet()) {
            int i = e.getKey();
            client[a] = p.answeredNanos().get(i) - p.sentNanos()[i];
            stamped[a++] = TimeUnit.MILLISECONDS.toNanos(p.answeredMillis().get(i) - p.sentMillis()[i]);
            if (e.getValue().path("type").asText().equals("error")) {
                codes.merge(e.getValue().path("code").asText("?"), 1L, Long::sum);
            } else {
                replied++;
                for (JsonNode sample : e.getValue().path("samples")) {
                    samples++;
                    sampleChars += sample.path("text").asText("").codePointCount(0, sample.path("text").asText("")
                            .length());
                }
            }
        }
        double sendSeconds = (lastSend - start) / 1e9;
        return new Result(name, rate, count, sent, sendFailures.sum(), replied, replies.size() - replied, codes,
                sent - replies.size(), sendSeconds, sent > 1 ? (sent - 1) / sendSeconds : Double.NaN,
                maxBehind / 1e6, Latencies.of(client), Latencies.of(stamped), samples,
                samples == 0 ? Double.NaN : (double) sampleChars / samples, drained);
    }

    /** The replies of the last run by request number (its id less the prefix). */
    Map<Integer, JsonNode> replies() {
        return replies;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.join(5000);
        producer.close(Duration.ofSeconds(5));
        if (!reader.isAlive()) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
