package io.rill.ingest;

import io.rill.learn.AcceptedRecord;
import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * What a {@link StreamActor} counts of its partition: records, tokens, bytes and lines, the highest offset counted
 * and the highest one learned from, and the token frequencies, bounded to {@code maxDistinctTokens} entries (tokens
 * first seen after that are counted in the totals only).
 *
 * <p>Counting is idempotent by offset: a record at or below the last counted offset (a restarted source delivers it
 * again) is not counted twice. The two offsets are what a checkpoint of the stream includes of Kafka's: everything up
 * to {@link #lastOffset()} is in the counts, everything up to {@link #learnedOffset()} has reached the model.
 *
 * <p>A plain object, so the actor's counting can be written to a checkpoint with {@link #writeTo} and restored with
 * {@link #readFrom}. Not thread-safe: one actor owns it.
 */
public final class StreamCounts {
    private static final int FORMAT = 1; // of writeTo's data

    private final int maxDistinctTokens;
    private final Map<String, long[]> frequencies = new HashMap<>();
    private long records;
    private long tokens;
    private long bytes;
    private long lines;
    private long lastOffset = -1;
    private long learnedOffset = -1;

    public StreamCounts(int maxDistinctTokens) {
        if (maxDistinctTokens < 0) throw new IllegalArgumentException("maxDistinctTokens " + maxDistinctTokens);
        this.maxDistinctTokens = maxDistinctTokens;
    }

    /** Counts a record unless its offset was counted already; returns whether it counted it. */
    public boolean count(AcceptedRecord record) {
        if (record.offset() <= lastOffset) {
            return false;
        }
        for (List<String> line : record.text().lines()) {
            for (String token : line) {
                count(token);
            }
        }
        lines += record.text().lines().size();
        tokens += record.text().tokenCount();
        bytes += record.bytes();
        lastOffset = record.offset();
        records++;
        return true;
    }

    private void count(String token) {
        long[] count = frequencies.get(token);
        if (count != null) {
            count[0]++;
        } else if (frequencies.size() < maxDistinctTokens) {
            frequencies.put(token, new long[] {1});
        }
    }

    /** Notes that the words of every record up to {@code offset} have reached the model. */
    public void learned(long offset) {
        learnedOffset = offset;
    }

    public long records() {
        return records;
    }

    public long tokens() {
        return tokens;
    }

    public long bytes() {
        return bytes;
    }

    public long lines() {
        return lines;
    }

    /** The highest offset counted, or -1. */
    public long lastOffset() {
        return lastOffset;
    }

    /** The highest offset whose words reached the model, or -1. */
    public long learnedOffset() {
        return learnedOffset;
    }

    /** Tokens with a frequency entry. */
    public int distinctTokens() {
        return frequencies.size();
    }

    public int maxDistinctTokens() {
        return maxDistinctTokens;
    }

    /** A copy of every token's frequency. */
    public Map<String, Long> frequencies() {
        Map<String, Long> all = new HashMap<>(frequencies.size() * 2);
        frequencies.forEach((token, count) -> all.put(token, count[0]));
        return all;
    }

    /** The n most frequent tokens, most frequent first, by a bounded heap: the map can hold a million entries. */
    public Map<String, Long> top(int n) {
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

    /** Writes the counters, both offsets and every frequency entry; {@link #readFrom} restores them. */
    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeLong(records);
        out.writeLong(tokens);
        out.writeLong(bytes);
        out.writeLong(lines);
        out.writeLong(lastOffset);
        out.writeLong(learnedOffset);
        out.writeInt(frequencies.size());
        for (Map.Entry<String, long[]> entry : frequencies.entrySet()) {
            StateFormat.writeString(out, entry.getKey());
            out.writeLong(entry.getValue()[0]);
        }
    }

    /**
     * Restores counts written by {@link #writeTo}, bounded by the configured {@code maxDistinctTokens}; counts with
     * more frequency entries than that are refused.
     */
    public static StreamCounts readFrom(DataInput in, int maxDistinctTokens) throws IOException {
        StateFormat.readVersion(in, "stream counts", FORMAT);
        StreamCounts counts = new StreamCounts(maxDistinctTokens);
        counts.records = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream records");
        counts.tokens = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream tokens");
        counts.bytes = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream bytes");
        counts.lines = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream lines");
        counts.lastOffset = StateFormat.readLong(in, -1, Long.MAX_VALUE, "stream's last offset");
        counts.learnedOffset = StateFormat.readLong(in, -1, Long.MAX_VALUE, "stream's learned offset");
        int distinct = StateFormat.readInt(in, 0, Integer.MAX_VALUE, "number of stream token frequencies");
        if (distinct > maxDistinctTokens) {
            throw new IOException("the stream counts hold " + distinct + " token frequencies, more than the configured "
                    + maxDistinctTokens);
        }
        for (int i = 0; i < distinct; i++) {
            String token = StateFormat.readString(in, "stream token");
            long count = StateFormat.readLong(in, 1, Long.MAX_VALUE, "frequency of a stream token");
            StateFormat.check(counts.frequencies.put(token, new long[] {count}) == null,
                    "token \"" + token + "\" twice");
        }
        return counts;
    }
}
