package io.rill.ops;

/**
 * JMX view and controls of checkpoints and ingestion, {@code rill:type=Checkpoints}: when the last checkpoint was
 * written, how large it was, what was restored at start, and the operations an operator needs around them.
 */
public interface CheckpointsMBean {

    boolean isEnabled();

    /** Sequence number of the last checkpoint written (-1 before the first). */
    long getLastSequence();

    /** When it was written, ISO-8601 (empty before the first), and how long ago in seconds (-1 before the first). */
    String getLastCheckpointTime();

    long getLastCheckpointAgeSeconds();

    long getLastCheckpointBytes();

    /** How long the last checkpoint took, from the barrier to the file on disk, and of that the streams' pause. */
    long getLastCheckpointMillis();

    long getLastPauseMillis();

    @Counter
    long getCheckpointsWritten();

    /**
     * Why the last checkpoint was started ({@code interval}, {@code records}: every-records taken in, {@code quiet}:
     * records taken in and then none for quiet-after, {@code request}: JMX, a rebalance or shutdown), and how many were
     * written for each reason, as "quiet=3 records=2".
     */
    String getLastTrigger();

    String getCheckpointsByTrigger();

    @Counter
    long getCheckpointFailures();

    /** Checkpoints restored at start (0 or 1 per start), the sequence restored (-1: none), and files skipped as invalid. */
    @Counter
    long getRestores();

    long getRestoredSequence();

    @Counter
    long getInvalidCheckpointsSkipped();

    /** Whether ingestion is paused by an operator. */
    boolean isIngestPaused();

    /** Operation: writes a checkpoint now and waits for it; returns what happened. */
    String checkpointNow();

    /** Operation: stops taking records from Kafka (the streams hold, nothing times out) until {@link #resumeIngest}. */
    void pauseIngest();

    void resumeIngest();
}
