package io.rill.checkpoint;

import akka.kafka.ConsumerMessage;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Holds offsets back from Kafka until a completed checkpoint includes their records: the ingest streams pass each
 * batch of acknowledged offsets through {@link #whenCovered}, which completes once the newest checkpoint's offsets
 * reach past every offset of the batch. So a committed offset never points past what a checkpoint on disk holds,
 * and a node killed at any moment resumes from a checkpoint without losing a committed record. With checkpoints
 * off, every batch passes at once. Thread-safe: the streams wait on it, the checkpoint coordinator opens it.
 */
public final class CommitGate {

    private final boolean holding;
    private final Map<TopicPartition, Long> covered = new HashMap<>();
    private final List<Waiting> waiting = new ArrayList<>();

    private record Waiting(ConsumerMessage.CommittableOffsetBatch batch,
                           CompletableFuture<ConsumerMessage.CommittableOffsetBatch> released) {
    }

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

    /** Completes with {@code batch} once a checkpoint covers all of its offsets. */
    public synchronized CompletionStage<ConsumerMessage.CommittableOffsetBatch> whenCovered(
            ConsumerMessage.CommittableOffsetBatch batch) {
        if (!holding || isCovered(batch)) {
            return CompletableFuture.completedFuture(batch);
        }
        CompletableFuture<ConsumerMessage.CommittableOffsetBatch> released = new CompletableFuture<>();
        waiting.add(new Waiting(batch, released));
        return released;
    }

    /** A checkpoint completed: it includes the records before {@code nextOffsets} (next offset per partition). */
    public void checkpointed(Map<TopicPartition, Long> nextOffsets) {
        List<Waiting> releasable = new ArrayList<>();
        synchronized (this) {
            nextOffsets.forEach((tp, next) -> covered.merge(tp, next, Math::max));
            for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                if (isCovered(w.batch())) {
                    releasable.add(w);
                    it.remove();
                }
            }
        }
        releasable.forEach(w -> w.released().complete(w.batch()));
    }

    /** The next offset per partition that the newest checkpoint includes. */
    public synchronized Map<TopicPartition, Long> covered() {
        return Map.copyOf(covered);
    }

    private boolean isCovered(ConsumerMessage.CommittableOffsetBatch batch) {
        for (Map.Entry<ConsumerMessage.GroupTopicPartition, Object> entry : batch.getOffsets().entrySet()) {
            ConsumerMessage.GroupTopicPartition gtp = entry.getKey();
            Long next = covered.get(new TopicPartition(gtp.topic(), gtp.partition()));
            if (next == null || next <= ((Number) entry.getValue()).longValue()) {
                return false;
            }
        }
        return true;
    }
}
