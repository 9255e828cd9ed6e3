package io.rill.ingest;

import akka.kafka.RestrictedConsumer;
import io.rill.checkpoint.CommitGate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
            public void revoked(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
            }
        };
    }
}
