package io.rill.ops;

import io.rill.text.RejectReason;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Node-wide counters of refused records by reason; written by the ingest streams, read by JMX. */
public final class DeadLetterCounters implements DeadLettersMBean {

    private final Map<RejectReason, LongAdder> byReason = new EnumMap<>(RejectReason.class);
    private final AtomicLong writeFailures = new AtomicLong();
    /** Lines refused by learners (records otherwise used), by the learner's reason. */
    private final Map<String, LongAdder> lines = new java.util.concurrent.ConcurrentHashMap<>();

    public DeadLetterCounters() {
        for (RejectReason reason : RejectReason.values()) {
            byReason.put(reason, new LongAdder());
        }
    }

    public void rejected(RejectReason reason) {
        byReason.get(reason).increment();
    }

    /** A learner refused one line of a record for {@code reason}. */
    public void lineRejected(String reason) {
        lines.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public long lines(String reason) {
        LongAdder count = lines.get(reason);
        return count == null ? 0 : count.sum();
    }

    @Override
    public long getRejectedLines() {
        return lines.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String getRejectedLinesByReason() {
        return new java.util.TreeMap<>(lines).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().sum())
                .collect(java.util.stream.Collectors.joining(" "));
    }

    public void writeFailed() {
        writeFailures.incrementAndGet();
    }

    public long count(RejectReason reason) {
        return byReason.get(reason).sum();
    }

    @Override
    public long getTotal() {
        return byReason.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public long getNullValue() {
        return count(RejectReason.NULL_VALUE);
    }

    @Override
    public long getEmpty() {
        return count(RejectReason.EMPTY);
    }

    @Override
    public long getMalformedUtf8() {
        return count(RejectReason.MALFORMED_UTF8);
    }

    @Override
    public long getTooLarge() {
        return count(RejectReason.TOO_LARGE);
    }

    @Override
    public long getControlCharacter() {
        return count(RejectReason.CONTROL_CHARACTER);
    }

    @Override
    public long getWriteFailures() {
        return writeFailures.get();
    }
}
