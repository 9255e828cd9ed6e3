package io.rill.cli;

import io.rill.text.BundledText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Streams the bundled data into the text topics at a steady rate, as a user's producers would: the names list,
 * a few names per record, and Moby-Dick, one paragraph per record (its hard-wrapped lines joined, so that a
 * paragraph is one line, one document). Names and paragraphs are interleaved so both learners see data at once.
 */
final class DemoFeeder implements Runnable {

    private static final int NAMES_PER_RECORD = 4;

    private final Properties producerProperties;
    private final String namesTopic;
    private final String corpusTopic;
    private final int recordsPerSecond;
    private final int passes;
    private final List<String> nameRecords;
    private final List<String> corpusRecords;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean finished;
    private volatile boolean stopped;
    private volatile Thread thread;

    DemoFeeder(Properties producerProperties, String namesTopic, String corpusTopic, int recordsPerSecond, int passes) {
        this.producerProperties = producerProperties;
        this.namesTopic = namesTopic;
        this.corpusTopic = corpusTopic;
        this.recordsPerSecond = recordsPerSecond;
        this.passes = passes;
        this.nameRecords = chunk(BundledText.lines(BundledText.NAMES), NAMES_PER_RECORD);
        this.corpusRecords = BundledText.paragraphs(BundledText.lines(BundledText.MOBY_DICK));
    }

    long total() {
        return (long) passes * (nameRecords.size() + corpusRecords.size());
    }

    long sent() {
        return sent.get();
    }

    boolean finished() {
        return finished;
    }

    /**
     * Stops feeding and closes the producer, waiting at most {@code wait}: called first when the node stops, so that
     * nothing is produced to a broker that is going away (which filled the terminal with connection warnings).
     */
    void stop(java.time.Duration wait) {
        stopped = true;
        Thread running = thread;
        if (running != null) {
            running.interrupt();
            try {
                running.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean going() {
        return !stopped && !Thread.currentThread().isInterrupted();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.put("acks", "all");
        props.put("linger.ms", "10");
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int pass = 0; pass < passes && going(); pass++) {
                int n = 0;
                int c = 0;
                while ((n < nameRecords.size() || c < corpusRecords.size()) && going()) {
                    // Interleave in proportion, so both topics finish together.
                    boolean nameNext = c >= corpusRecords.size()
                            || n < nameRecords.size() && (long) n * corpusRecords.size() <= (long) c * nameRecords.size();
                    String topic = nameNext ? namesTopic : corpusTopic;
                    String value = nameNext ? nameRecords.get(n++) : corpusRecords.get(c++);
                    producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)));
                    long count = sent.incrementAndGet();
                    pace(start, count);
                }
            }
            if (going()) {
                producer.flush();
            } else {
                producer.close(java.time.Duration.ofSeconds(2)); // stopping: what is not sent by then is dropped
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // stopped while a send waited: the producer is closed on the way out
        } finally {
            finished = true;
        }
    }

    private void pace(long start, long count) {
        long due = start + count * 1_000_000_000L / recordsPerSecond;
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
            try {
                Thread.sleep(wait / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> chunk(List<String> lines, int size) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += size) {
            records.add(String.join("\n", lines.subList(i, Math.min(lines.size(), i + size))));
        }
        return records;
    }
}
