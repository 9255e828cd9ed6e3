package io.rill.cli;

import io.rill.text.BundledText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Streams the demo's data into the text topics at a steady rate, as a user's producers would: the bundled names
 * list, a few names per record, and Moby-Dick, one paragraph per record (its hard-wrapped lines joined, so that a
 * paragraph is one line, one document); when given, labelled sentences ({@code label<TAB>sentence}), a few per
 * record, shuffled anew every pass; and, when there is a parallel file (the shared English-French pairs), its train
 * side as {@code english<TAB>french} lines, a few pairs per record. The sources are interleaved in proportion, so
 * every learner sees data at once and all finish a pass together.
 */
final class DemoFeeder implements Runnable {

    private static final int NAMES_PER_RECORD = 4;
    private static final int SENTENCES_PER_RECORD = 10;
    private static final int PAIRS_PER_RECORD = 8;

    /** One topic's records for a pass; {@code shuffled} lines are dealt anew each pass. */
    private record Source(String topic, List<String> lines, int linesPerRecord, boolean shuffled) {
        int records() {
            return (lines.size() + linesPerRecord - 1) / linesPerRecord;
        }
    }

    private final Properties producerProperties;
    private final List<Source> sources = new ArrayList<>();
    private final int recordsPerSecond;
    private final int passes;
    private final boolean feedsPairs;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean finished;
    private volatile boolean stopped;
    private volatile Thread thread;

    /**
     * @param labelled labelled lines ({@code label<TAB>sentence}) for {@code labelledTopic}; empty: none
     * @param pairs    sentence pairs ({@code english<TAB>french}, {@link #parallelPairs}) for {@code parallelTopic};
     *                 empty: none
     */
    DemoFeeder(Properties producerProperties, String namesTopic, String corpusTopic, String labelledTopic,
               List<String> labelled, String parallelTopic, List<String> pairs, int recordsPerSecond, int passes) {
        this.producerProperties = producerProperties;
        this.recordsPerSecond = recordsPerSecond;
        this.passes = passes;
        sources.add(new Source(namesTopic, BundledText.lines(BundledText.NAMES), NAMES_PER_RECORD, false));
        sources.add(new Source(corpusTopic, BundledText.paragraphs(BundledText.lines(BundledText.MOBY_DICK)), 1,
                false));
        if (labelledTopic != null && !labelled.isEmpty()) {
            sources.add(new Source(labelledTopic, List.copyOf(labelled), SENTENCES_PER_RECORD, true));
        }
        feedsPairs = parallelTopic != null && !pairs.isEmpty();
        if (feedsPairs) {
            sources.add(new Source(parallelTopic, List.copyOf(pairs), PAIRS_PER_RECORD, false));
        }
    }

    /**
     * The pairs of a file of {@code split<TAB>english<TAB>french<TAB>attribution} lines (the shared eng-fra.tsv):
     * the {@code train} rows as {@code english<TAB>french}.
     */
    static List<String> parallelPairs(List<String> lines) {
        List<String> pairs = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split("\t", -1);
            if (fields.length >= 3 && fields[0].equals("train")) {
                pairs.add(fields[1] + "\t" + fields[2]);
            }
        }
        return pairs;
    }

    /** Whether sentence pairs are fed. */
    boolean feedsPairs() {
        return feedsPairs;
    }

    long total() {
        return (long) passes * sources.stream().mapToLong(Source::records).sum();
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
        Random shuffle = new Random(1);
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int pass = 0; pass < passes && going(); pass++) {
                List<List<String>> records = new ArrayList<>();
                for (Source source : sources) {
                    List<String> lines = source.lines();
                    if (source.shuffled()) {
                        lines = new ArrayList<>(lines);
                        Collections.shuffle(lines, shuffle);
                    }
                    records.add(chunk(lines, source.linesPerRecord()));
                }
                int[] next = new int[sources.size()];
                while (going()) {
                    // Interleave in proportion: the source furthest behind its share goes next.
                    int pick = -1;
                    for (int s = 0; s < sources.size(); s++) {
                        if (next[s] < records.get(s).size() && (pick < 0 || (long) next[s] * records.get(pick).size()
                                < (long) next[pick] * records.get(s).size())) {
                            pick = s;
                        }
                    }
                    if (pick < 0) {
                        break;
                    }
                    String value = records.get(pick).get(next[pick]++);
                    producer.send(new ProducerRecord<>(sources.get(pick).topic(),
                            value.getBytes(StandardCharsets.UTF_8)));
                    pace(start, sent.incrementAndGet());
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
