package io.rill.ingest;

import akka.kafka.RestrictedConsumer;
import io.rill.checkpoint.CommitGate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ingest pipeline does when the consumer group moves partitions: where an assigned partition starts
 * reading (and with which stream state), and what a revoked partition leaves behind for its next owner.
 */
public interface PartitionHandover {

    /**
     * Partitions just assigned to this node: completes with the offset each should start at (absent: its committed
     * offset), once their streams' states are ready for the stream actors.
     */
    CompletionStage<Map<TopicPartition, Object>> assigned(Set<TopicPartition> partitions);

    /**
     * Partitions just assigned, called on the consumer's thread during the rebalance, before {@link #assigned}:
     * commits the offsets their streams will resume from wherever the group's committed offset is behind them. A
     * node killed between a checkpoint and the commit that follows leaves it so, and on a partition that receives no
     * new record nothing else would ever move it: the group's lag would stay wrong for good.
     */
    void commitResumeOffsets(Set<TopicPartition> partitions, RestrictedConsumer consumer);

    /**
     * Partitions about to be taken away, called on the consumer's thread during the rebalance, before any other node
     * is given them: whatever must be on disk or committed for their next owner is done before this returns.
     */
    void revoked(Set<TopicPartition> partitions, RestrictedConsumer consumer);

    /**
     * A single node: a partition starts at the offset of the checkpoint the node restored (its stream actor got
     * that state at start), or else at its committed offset; revocation needs nothing, since the stream actor and
     * its state stay on this node until the partition comes back.
     */
    static PartitionHandover fromCheckpoint(CommitGate gate) {
        Logger log = LoggerFactory.getLogger(PartitionHandover.class);
        return new PartitionHandover() {
            @Override
            public CompletionStage<Map<TopicPartition, Object>> assigned(Set<TopicPartition> partitions) {
                Map<TopicPartition, Object> offsets = new HashMap<>();
                gate.covered().forEach((tp, next) -> {
                    if (partitions.contains(tp)) {
                        offsets.put(tp, next);
                    }
                });
                if (!offsets.isEmpty()) {
                    log.info("resuming from the checkpoint's offsets: {}", offsets);
                }
                return CompletableFuture.completedFuture(offsets);
            }

            @Override
            public void commitResumeOffsets(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
                Map<TopicPartition, Long> resume = new HashMap<>();
                gate.covered().forEach((tp, next) -> {
                    if (partitions.contains(tp)) {
                        resume.put(tp, next);
                    }
                });
                Map<TopicPartition, OffsetAndMetadata> committed = commitWhereBehind(resume, consumer);
                if (!committed.isEmpty()) {
                    log.info("committed the checkpoint's offsets, which the group's were behind: {}", committed);
                }
            }

            @Override
            public void revoked(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
            }
        };
    }

    /**
     * Commits the offsets of {@code resume} (next offset per partition) that are ahead of the group's committed
     * offsets, never moving one back; returns what it committed.
     */
    static Map<TopicPartition, OffsetAndMetadata> commitWhereBehind(Map<TopicPartition, Long> resume,
                                                                    RestrictedConsumer consumer) {
        if (resume.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(resume.keySet());
        Map<TopicPartition, OffsetAndMetadata> behind = new HashMap<>();
        resume.forEach((tp, next) -> {
            OffsetAndMetadata current = committed.get(tp);
            if (current == null || current.offset() < next) {
                behind.put(tp, new OffsetAndMetadata(next));
            }
        });
        if (!behind.isEmpty()) {
            consumer.commitSync(behind);
        }
        return behind;
    }
}
