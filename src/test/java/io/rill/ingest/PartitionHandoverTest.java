package io.rill.ingest;

import akka.kafka.RestrictedConsumer;
import io.rill.checkpoint.CommitGate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commit of resume offsets on assignment: a node killed after a checkpoint but before the commit that follows
 * it leaves the group's offsets behind the checkpoint's, and the next node must move them up, never back.
 */
class PartitionHandoverTest {

    private static final TopicPartition NAMES_0 = new TopicPartition("names", 0);
    private static final TopicPartition NAMES_1 = new TopicPartition("names", 1);
    private static final TopicPartition CORPUS_0 = new TopicPartition("corpus", 0);

    private MockConsumer<byte[], byte[]> kafka;
    private RestrictedConsumer consumer;

    @BeforeEach
    void assignPartitions() {
        kafka = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        kafka.assign(List.of(NAMES_0, NAMES_1, CORPUS_0));
        consumer = new RestrictedConsumer(kafka, Duration.ofSeconds(1));
    }

    @Test
    void commitsOnlyTheOffsetsTheGroupIsBehind() {
        kafka.commitSync(Map.of(NAMES_0, new OffsetAndMetadata(40), NAMES_1, new OffsetAndMetadata(90)));

        Map<TopicPartition, OffsetAndMetadata> committed = PartitionHandover.commitWhereBehind(
                Map.of(NAMES_0, 70L, NAMES_1, 60L, CORPUS_0, 300L), consumer);

        // names-1's group offset is ahead of the resume offset (an older checkpoint was restored): left alone.
        assertThat(committed).containsOnlyKeys(NAMES_0, CORPUS_0);
        assertThat(kafka.committed(Set.of(NAMES_0, NAMES_1, CORPUS_0))).isEqualTo(Map.of(
                NAMES_0, new OffsetAndMetadata(70), NAMES_1, new OffsetAndMetadata(90),
                CORPUS_0, new OffsetAndMetadata(300)));
    }

    @Test
    void aSingleNodeCommitsItsCheckpointsOffsetsForTheAssignedPartitionsOnly() {
        CommitGate gate = CommitGate.untilCheckpointed();
        gate.checkpointed(Map.of(NAMES_0, 70L, CORPUS_0, 300L));

        PartitionHandover.fromCheckpoint(gate).commitResumeOffsets(Set.of(NAMES_0, NAMES_1), consumer);

        Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed(Set.of(NAMES_0, NAMES_1, CORPUS_0));
        assertThat(committed.get(NAMES_0)).isEqualTo(new OffsetAndMetadata(70));
        assertThat(committed.get(NAMES_1)).as("no checkpoint holds it").isNull();
        assertThat(committed.get(CORPUS_0)).as("not assigned here").isNull();
    }

    @Test
    void nothingToResumeCommitsNothing() {
        assertThat(PartitionHandover.commitWhereBehind(Map.of(), consumer)).isEmpty();
        assertThat(kafka.committed(Set.of(NAMES_0))).isEmpty();
    }
}
