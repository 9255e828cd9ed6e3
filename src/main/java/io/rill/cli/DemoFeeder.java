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
 * paragraph is one line, one document); and, when there is a parallel file (the shared English-French pairs), its
 * train side as {@code english<TAB>french} lines, a few pairs per record. The sources are interleaved in proportion,
 * so every learner sees data at once and every source finishes a pass together.
 */
final class DemoFeeder implements Runnable {

    private static final int NAMES_PER_RECORD = 4;
    private static final int PAIRS_PER_RECORD = 8;

    /** One topic's records of a pass. */
    private record Source(String topic, List<String> records) {
    }

    private final Properties producerProperties;
    private final int recordsPerSecond;
    private final int passes;
    private final List<Source> sources = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean finished;

    /**
     * @param parallelTopic   where the pairs go, or null for none
     * @param parallelRecords the pairs' records ({@link #parallelRecords}); empty for none
     */
    DemoFeeder(Properties producerProperties, String namesTopic, String corpusTopic, String parallelTopic,
               List<String> parallelRecords, int recordsPerSecond, int passes) {
        this.producerProperties = producerProperties;
        this.recordsPerSecond = recordsPerSecond;
        this.passes = passes;
        sources.add(new Source(namesTopic, chunk(BundledText.lines(BundledText.NAMES), NAMES_PER_RECORD)));
        sources.add(new Source(corpusTopic, BundledText.paragraphs(BundledText.lines(BundledText.MOBY_DICK))));
        if (parallelTopic != null && !parallelRecords.isEmpty()) {
            sources.add(new Source(parallelTopic, parallelRecords));
        }
    }

    /**
     * The records of a file of {@code split<TAB>english<TAB>french<TAB>attribution} lines (the shared
     * eng-fra.tsv): the {@code train} rows as {@code english<TAB>french}, a few per record.
     */
    static List<String> parallelRecords(List<String> lines) {
        List<String> pairs = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split("\t", -1);
            if (fields.length >= 3 && fields[0].equals("train")) {
                pairs.add(fields[1] + "\t" + fields[2]);
            }
        }
        return chunk(pairs, PAIRS_PER_RECORD);
    }

    /** Whether sentence pairs are fed. */
    boolean feedsPairs() {
        return sources.size() > 2;
    }

    long total() {
        return (long) passes * sources.stream().mapToLong(source -> source.records().size()).sum();
    }

    long sent() {
        return sent.get();
    }

    boolean finished() {
        return finished;
    }

    @Override
    public void run() {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.put("acks", "all");
        props.put("linger.ms", "10");
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int pass = 0; pass < passes && !Thread.currentThread().isInterrupted(); pass++) {
                int[] next = new int[sources.size()];
                while (!Thread.currentThread().isInterrupted()) {
                    // Interleave in proportion, so every topic finishes together: the source furthest behind goes.
                    int pick = -1;
                    for (int k = 0; k < sources.size(); k++) {
                        int size = sources.get(k).records().size();
                        if (next[k] < size && (pick < 0 || (double) next[k] / size
                                < (double) next[pick] / sources.get(pick).records().size())) {
                            pick = k;
                        }
                    }
                    if (pick < 0) {
                        break;
                    }
                    Source source = sources.get(pick);
                    String value = source.records().get(next[pick]++);
                    producer.send(new ProducerRecord<>(source.topic(), value.getBytes(StandardCharsets.UTF_8)));
                    long count = sent.incrementAndGet();
                    pace(start, count);
                }
            }
            producer.flush();
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
