package io.rill.ingest;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.ops.IngestStreamMetrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.Collectors;

/**
 * The actor of one (topic, partition) stream. Records of its partition arrive in order, in batches, and it
 * acknowledges each batch once it has taken it in; only then does the stream commit the batch's offsets.
 *
 * <p>State it owns: the stream's counts (records, tokens, bytes, lines) and its token frequencies, bounded to
 * {@code maxDistinctTokens} entries (tokens first seen after that are counted in the totals only). The learners
 * plug in here: windows and hidden states of this stream will live in this actor.
 *
 * <p>Lost when it stops: all of it; after a restart the partition resumes from its committed offsets and the
 * counts start again from zero (checkpoints come with the reliability work).
 */
public final class StreamActor extends AbstractBehavior<StreamActor.Command> {

    public sealed interface Command {
    }

    /** A batch of accepted records, in offset order; {@code replyTo} learns when the batch is taken in. */
    public record Ingest(List<AcceptedRecord> records, ActorRef<Ack> replyTo) implements Command {
    }

    /** The acknowledgement of a batch: the highest offset taken in so far, or -1. */
    public record Ack(long lastOffset) {
    }

    /** Asks for a snapshot of the counts. */
    public record GetCounts(ActorRef<Counts> replyTo) implements Command {
    }

    /** The stream's counts, and its most frequent tokens, most frequent first. */
    public record Counts(String topic, int partition, long records, long tokens, long bytes, long lines,
                         long lastOffset, Map<String, Long> frequencies) {
    }

    private static final long PUBLISH_TOP_TOKENS_NANOS = 2_000_000_000L;

    private final String topic;
    private final int partition;
    private final int maxDistinctTokens;
    private final IngestStreamMetrics metrics;
    private final Map<String, long[]> frequencies = new HashMap<>();
    private long records;
    private long tokens;
    private long bytes;
    private long lines;
    private long lastOffset = -1;
    private long topTokensPublishedAt = System.nanoTime() - PUBLISH_TOP_TOKENS_NANOS;

    public static Behavior<Command> create(String topic, int partition, int maxDistinctTokens, IngestStreamMetrics metrics) {
        return Behaviors.setup(context -> new StreamActor(context, topic, partition, maxDistinctTokens, metrics));
    }

    private StreamActor(ActorContext<Command> context, String topic, int partition, int maxDistinctTokens,
                        IngestStreamMetrics metrics) {
        super(context);
        this.topic = topic;
        this.partition = partition;
        this.maxDistinctTokens = maxDistinctTokens;
        this.metrics = metrics;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Ingest.class, this::onIngest)
                .onMessage(GetCounts.class, this::onGetCounts)
                .build();
    }

    private Behavior<Command> onIngest(Ingest ingest) {
        long batchRecords = 0;
        long batchTokens = 0;
        long batchBytes = 0;
        long batchLines = 0;
        for (AcceptedRecord record : ingest.records()) {
            if (record.offset() <= lastOffset) {
                continue; // redelivered after a restart of the source: already counted
            }
            for (List<String> line : record.text().lines()) {
                for (String token : line) {
                    count(token);
                }
                batchLines++;
            }
            batchTokens += record.text().tokenCount();
            batchBytes += record.bytes();
            lastOffset = record.offset();
            batchRecords++;
        }
        records += batchRecords;
        tokens += batchTokens;
        bytes += batchBytes;
        lines += batchLines;
        metrics.accepted(batchRecords, batchTokens, batchBytes, batchLines, frequencies.size());
        publishTopTokensNowAndThen();
        ingest.replyTo().tell(new Ack(lastOffset));
        return this;
    }

    private void count(String token) {
        long[] count = frequencies.get(token);
        if (count != null) {
            count[0]++;
        } else if (frequencies.size() < maxDistinctTokens) {
            frequencies.put(token, new long[] {1});
        }
    }

    private void publishTopTokensNowAndThen() {
        long now = System.nanoTime();
        if (now - topTokensPublishedAt >= PUBLISH_TOP_TOKENS_NANOS) {
            topTokensPublishedAt = now;
            metrics.topTokens(top(10).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" ")));
        }
    }

    /** The n most frequent tokens, by a bounded heap: the map can hold a million entries. */
    private Map<String, Long> top(int n) {
        Comparator<Map.Entry<String, long[]>> byCount = Comparator
                .comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0])
                .thenComparing(Map.Entry::getKey, Comparator.reverseOrder());
        PriorityQueue<Map.Entry<String, long[]>> heap = new PriorityQueue<>(n + 1, byCount);
        for (Map.Entry<String, long[]> entry : frequencies.entrySet()) {
            heap.add(entry);
            if (heap.size() > n) {
                heap.poll();
            }
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(heap);
        sorted.sort(byCount.reversed());
        Map<String, Long> top = new LinkedHashMap<>();
        sorted.forEach(e -> top.put(e.getKey(), e.getValue()[0]));
        return top;
    }

    private Behavior<Command> onGetCounts(GetCounts get) {
        Map<String, Long> all = new HashMap<>(frequencies.size() * 2);
        frequencies.forEach((token, count) -> all.put(token, count[0]));
        get.replyTo().tell(new Counts(topic, partition, records, tokens, bytes, lines, lastOffset, all));
        return this;
    }
}
