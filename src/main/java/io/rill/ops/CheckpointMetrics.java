package io.rill.ops;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** The figures of checkpoints and the operators' controls; the coordinator writes, JMX reads and calls. */
public final class CheckpointMetrics implements CheckpointsMBean {

    /** What the JMX operations do: plugged in by the node. */
    public interface Controls {
        String checkpointNow();

        void pauseIngest();

        void resumeIngest();

        boolean ingestPaused();
    }

    private final boolean enabled;
    private volatile long lastSequence = -1;
    private volatile Instant lastTime;
    private volatile long lastBytes;
    private volatile long lastMillis;
    private volatile long lastPauseMillis;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long restores;
    private volatile long restoredSequence = -1;
    private volatile long invalidSkipped;
    private volatile Controls controls;
    private volatile String lastTrigger = "";
    private final java.util.Map<String, AtomicLong> byTrigger = new java.util.concurrent.ConcurrentSkipListMap<>();

    public CheckpointMetrics(boolean enabled) {
        this.enabled = enabled;
    }

    public void controlledBy(Controls controls) {
        this.controls = controls;
    }

    public void written(long sequence, Instant time, long bytes, long millis, long pauseMillis) {
        written(sequence, time, bytes, millis, pauseMillis, "");
    }

    /** A checkpoint written; {@code trigger} says why it was started (interval, records, quiet, request). */
    public void written(long sequence, Instant time, long bytes, long millis, long pauseMillis, String trigger) {
        lastTrigger = trigger;
        byTrigger.computeIfAbsent(trigger, t -> new AtomicLong()).incrementAndGet();
        lastSequence = sequence;
        lastTime = time;
        lastBytes = bytes;
        lastMillis = millis;
        lastPauseMillis = pauseMillis;
        written.incrementAndGet();
    }

    public void failed() {
        failures.incrementAndGet();
    }

    public void restored(long sequence, long invalidFilesSkipped) {
        restores++;
        restoredSequence = sequence;
        invalidSkipped = invalidFilesSkipped;
    }

    public void invalidSkipped(long count) {
        invalidSkipped = count;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public long getLastSequence() {
        return lastSequence;
    }

    @Override
    public String getLastCheckpointTime() {
        Instant time = lastTime;
        return time == null ? "" : time.toString();
    }

    @Override
    public long getLastCheckpointAgeSeconds() {
        Instant time = lastTime;
        return time == null ? -1 : Math.max(0, Instant.now().getEpochSecond() - time.getEpochSecond());
    }

    @Override
    public long getLastCheckpointBytes() {
        return lastBytes;
    }

    @Override
    public long getLastCheckpointMillis() {
        return lastMillis;
    }

    @Override
    public long getLastPauseMillis() {
        return lastPauseMillis;
    }

    @Override
    public long getCheckpointsWritten() {
        return written.get();
    }

    @Override
    public String getLastTrigger() {
        return lastTrigger;
    }

    @Override
    public String getCheckpointsByTrigger() {
        StringBuilder out = new StringBuilder();
        byTrigger.forEach((trigger, count) -> out.append(out.length() == 0 ? "" : " ").append(trigger).append('=')
                .append(count.get()));
        return out.toString();
    }

    @Override
    public long getCheckpointFailures() {
        return failures.get();
    }

    @Override
    public long getRestores() {
        return restores;
    }

    @Override
    public long getRestoredSequence() {
        return restoredSequence;
    }

    @Override
    public long getInvalidCheckpointsSkipped() {
        return invalidSkipped;
    }

    @Override
    public boolean isIngestPaused() {
        Controls c = controls;
        return c != null && c.ingestPaused();
    }

    @Override
    public String checkpointNow() {
        Controls c = controls;
        return c == null ? "error: the node is not up" : c.checkpointNow();
    }

    @Override
    public void pauseIngest() {
        Controls c = controls;
        if (c != null) {
            c.pauseIngest();
        }
    }

    @Override
    public void resumeIngest() {
        Controls c = controls;
        if (c != null) {
            c.resumeIngest();
        }
    }
}
