package io.rill.checkpoint;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Holds offsets back from Kafka until a completed checkpoint includes their records: the ingest pipeline asks, for
 * each partition, how far it may commit what its stream acknowledged ({@link #releasable}), which is never past the
 * newest checkpoint's offset. So a committed offset never points past what a checkpoint on disk holds, and a node
 * killed at any moment resumes from a checkpoint without losing a committed record. With checkpoints off, everything
 * acknowledged passes. Thread-safe: the pipeline asks, the checkpoint coordinator opens it.
 */
public final class CommitGate {

    private final boolean holding;
    private final Map<TopicPartition, Long> covered = new HashMap<>();
    /** Counts the checkpoints that moved an offset, so a reader can tell cheaply whether anything changed. */
    private volatile long version;

    private CommitGate(boolean holding) {
        this.holding = holding;
    }

    /** A gate that holds offsets until checkpoints cover them. */
    public static CommitGate untilCheckpointed() {
        return new CommitGate(true);
    }

    /** A gate that lets everything through: checkpoints are off. */
    public static CommitGate open() {
        return new CommitGate(false);
    }

    /**
     * The next offset of {@code tp} that may be committed, given that its stream acknowledged every record before
     * {@code acknowledged}: the smaller of that and what the newest checkpoint includes (-1: nothing yet).
     */
    public synchronized long releasable(TopicPartition tp, long acknowledged) {
        if (!holding) {
            return acknowledged;
        }
        Long next = covered.get(tp);
        return next == null ? -1 : Math.min(next, acknowledged);
    }

    /** A checkpoint completed: it includes the records before {@code nextOffsets} (next offset per partition). */
    public synchronized void checkpointed(Map<TopicPartition, Long> nextOffsets) {
        nextOffsets.forEach((tp, next) -> covered.merge(tp, next, Math::max));
        version++;
    }

    /** Changes whenever a checkpoint was recorded. */
    public long version() {
        return version;
    }

    /** The next offset per partition that the newest checkpoint includes. */
    public synchronized Map<TopicPartition, Long> covered() {
        return Map.copyOf(covered);
    }
}
