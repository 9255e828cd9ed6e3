package io.rill.ingest;

import io.rill.learn.AcceptedRecord;
import io.rill.state.StateFormat;
import io.rill.text.AsciiTokenSink;
import io.rill.text.TokenizedText;
import io.rill.text.WordTokenizer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Records come as tokens ({@link #count(AcceptedRecord)}) or, for word topics, as the bytes of an ASCII record
 * ({@link #countAscii}): then the tokens are found and counted straight from the bytes (see
 * {@link WordTokenizer#scanAscii} and {@link TokenFrequencies}), with no String per token; Strings are made only for
 * a learner that wants the tokens, once per distinct token.
 *
 * <p>A plain object, so the actor's counting can be written to a checkpoint with {@link #writeTo} and restored with
 * {@link #readFrom}. Not thread-safe: one actor owns it.
 */
public final class StreamCounts implements AsciiTokenSink {
    /** Of writeTo's data: 1 had every frequency as a (string, count) pair; 2 has them as {@link TokenFrequencies}. */
    private static final int FORMAT = 2;

    private final int maxDistinctTokens;
    private final TokenFrequencies frequencies;
    private long records;
    private long tokens;
    private long bytes;
    private long lines;
    private long lastOffset = -1;
    private long learnedOffset = -1;

    /** While scanning a record's bytes: its line breaks, and (when {@code collecting}) its tokens as ids. */
    private int lineBreaks;
    private boolean collecting;
    private int[] collected = new int[256];
    private int collectedCount;
    /** Where each line ends in {@code collected}: the count of tokens before each line break. */
    private int[] breaks = new int[16];
    /** Tokens that got no id (the table is full), as Strings; in {@code collected} as {@code -1 - index}. */
    private final List<String> unentered = new ArrayList<>();

    public StreamCounts(int maxDistinctTokens) {
        this(maxDistinctTokens, new TokenFrequencies(maxDistinctTokens));
    }

    private StreamCounts(int maxDistinctTokens, TokenFrequencies frequencies) {
        if (maxDistinctTokens < 0) throw new IllegalArgumentException("maxDistinctTokens " + maxDistinctTokens);
        this.maxDistinctTokens = maxDistinctTokens;
        this.frequencies = frequencies;
    }

    /** Counts a record unless its offset was counted already; returns whether it counted it. */
    public boolean count(AcceptedRecord record) {
        if (record.offset() <= lastOffset) {
            return false;
        }
        for (List<String> line : record.text().lines()) {
            for (String token : line) {
                frequencies.increment(token);
            }
        }
        lines += record.text().lines().size();
        tokens += record.text().tokenCount();
        bytes += record.bytes();
        lastOffset = record.offset();
        records++;
        return true;
    }

    /**
     * Counts a record of word tokens given as its value's bytes, all ASCII (as {@link io.rill.text.RecordDecoder}
     * accepted them), unless its offset was counted already; returns whether it counted it. The same counts as
     * {@link #count(AcceptedRecord)} of the record's {@link WordTokenizer} tokens.
     */
    public boolean countAscii(long offset, byte[] value) {
        if (offset <= lastOffset) {
            return false;
        }
        scan(offset, value);
        return true;
    }

    /**
     * As {@link #countAscii}, and returns the record with its tokens, for a learner: each token the String of its
     * frequency entry (one String per distinct token, made once). A record counted already is tokenized, not counted.
     */
    public AcceptedRecord countAsciiWithTokens(long offset, byte[] value) {
        if (offset <= lastOffset) {
            String text = new String(value, java.nio.charset.StandardCharsets.ISO_8859_1);
            return new AcceptedRecord(offset, value.length, new WordTokenizer().tokenize(text));
        }
        collecting = true;
        collectedCount = 0;
        unentered.clear();
        try {
            scan(offset, value);
        } finally {
            collecting = false;
        }
        return new AcceptedRecord(offset, value.length, collectedText(value));
    }

    private void scan(long offset, byte[] value) {
        lineBreaks = 0;
        int found = WordTokenizer.scanAscii(value, value.length, this);
        // A trailing newline closes the last line; it does not open an empty one.
        lines += lineBreaks + 1 - (value[value.length - 1] == '\n' ? 1 : 0);
        tokens += found;
        bytes += value.length;
        records++;
        lastOffset = offset;
    }

    @Override
    public void token(byte[] text, int from, int to) {
        int id = frequencies.increment(text, from, to);
        if (collecting) {
            if (collectedCount == collected.length) {
                collected = Arrays.copyOf(collected, collectedCount * 2);
            }
            if (id < 0) {
                byte[] lowered = new byte[to - from];
                for (int k = 0; k < lowered.length; k++) {
                    lowered[k] = (byte) (text[from + k] | 0x20);
                }
                unentered.add(new String(lowered, java.nio.charset.StandardCharsets.ISO_8859_1));
                id = -unentered.size();
            }
            collected[collectedCount++] = id;
        }
    }

    @Override
    public void lineBreak() {
        if (collecting) {
            if (lineBreaks == breaks.length) {
                breaks = Arrays.copyOf(breaks, lineBreaks * 2);
            }
            breaks[lineBreaks] = collectedCount;
        }
        lineBreaks++;
    }

    private TokenizedText collectedText(byte[] value) {
        int lineCount = lineBreaks + 1 - (value[value.length - 1] == '\n' ? 1 : 0);
        List<List<String>> text = new ArrayList<>(lineCount);
        int from = 0;
        for (int line = 0; line < lineCount; line++) {
            int to = line < lineBreaks ? breaks[line] : collectedCount;
            List<String> words = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                int id = collected[k];
                words.add(id >= 0 ? frequencies.token(id) : unentered.get(-1 - id));
            }
            text.add(words);
            from = to;
        }
        return new TokenizedText(text, collectedCount);
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
        for (int id = 0; id < frequencies.size(); id++) {
            all.put(frequencies.token(id), frequencies.count(id));
        }
        return all;
    }

    /**
     * The n most frequent tokens, most frequent first (ties: the smaller token first), by a bounded heap of ids: the
     * table can hold a million entries, and only the n winners are made into Strings.
     */
    public Map<String, Long> top(int n) {
        Comparator<Integer> byCount = Comparator.comparingLong((Integer id) -> frequencies.count(id))
                .thenComparing(frequencies::token, Comparator.reverseOrder());
        PriorityQueue<Integer> heap = new PriorityQueue<>(n + 1, byCount);
        for (int id = 0; id < frequencies.size(); id++) {
            if (heap.size() == n && n > 0 && frequencies.count(id) < frequencies.count(heap.peek())) {
                continue; // cannot enter: no String is made for it
            }
            heap.add(id);
            if (heap.size() > n) {
                heap.poll();
            }
        }
        List<Integer> sorted = new ArrayList<>(heap);
        sorted.sort(byCount.reversed());
        Map<String, Long> top = new LinkedHashMap<>();
        sorted.forEach(id -> top.put(frequencies.token(id), frequencies.count(id)));
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
        frequencies.writeTo(out);
    }

    /**
     * Restores counts written by {@link #writeTo} (or by the rill before it, format 1), bounded by the configured
     * {@code maxDistinctTokens}; counts with more frequency entries than that are refused.
     */
    public static StreamCounts readFrom(DataInput in, int maxDistinctTokens) throws IOException {
        int format = StateFormat.readVersion(in, "stream counts", FORMAT);
        long records = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream records");
        long tokens = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream tokens");
        long bytes = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream bytes");
        long lines = StateFormat.readLong(in, 0, Long.MAX_VALUE, "stream lines");
        long lastOffset = StateFormat.readLong(in, -1, Long.MAX_VALUE, "stream's last offset");
        long learnedOffset = StateFormat.readLong(in, -1, Long.MAX_VALUE, "stream's learned offset");
        TokenFrequencies frequencies = format >= 2 ? TokenFrequencies.readFrom(in, maxDistinctTokens)
                : readPairs(in, maxDistinctTokens);
        StreamCounts counts = new StreamCounts(maxDistinctTokens, frequencies);
        counts.records = records;
        counts.tokens = tokens;
        counts.bytes = bytes;
        counts.lines = lines;
        counts.lastOffset = lastOffset;
        counts.learnedOffset = learnedOffset;
        return counts;
    }

    /** Format 1's frequencies: a count, then (token, frequency) pairs. */
    private static TokenFrequencies readPairs(DataInput in, int maxDistinctTokens) throws IOException {
        int distinct = StateFormat.readInt(in, 0, Integer.MAX_VALUE, "number of stream token frequencies");
        if (distinct > maxDistinctTokens) {
            throw new IOException("the stream counts hold " + distinct + " token frequencies, more than the configured "
                    + maxDistinctTokens);
        }
        TokenFrequencies frequencies = new TokenFrequencies(maxDistinctTokens);
        for (int i = 0; i < distinct; i++) {
            String token = StateFormat.readString(in, "stream token");
            long count = StateFormat.readLong(in, 1, Long.MAX_VALUE, "frequency of a stream token");
            StateFormat.check(frequencies.find(token) < 0, "token \"" + token + "\" twice");
            frequencies.enter(token, count);
        }
        return frequencies;
    }
}
