package io.rill.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.checkpoint.Checkpoint;
import io.rill.checkpoint.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamHandoverTest {

    private static final TopicPartition P0 = new TopicPartition("names", 0);
    private static final TopicPartition P1 = new TopicPartition("names", 1);
    private static final TopicPartition P2 = new TopicPartition("names", 2);

    @TempDir
    Path nodes;

    private void write(String node, long sequence, Map<TopicPartition, Long> offsets, Map<String, byte[]> sections)
            throws IOException {
        new CheckpointStore(nodes.resolve(node), 5).write(new Checkpoint(sequence, Instant.EPOCH, offsets, sections));
    }

    @Test
    void eachPartitionResumesFromTheHighestOffsetAnyNodeCheckpointed() throws IOException {
        // a had both partitions, then handed P1 to b, which went further with it; a's older file still holds P1.
        write("a", 1, Map.of(P0, 100L, P1, 50L), Map.of("stream:names-0", new byte[] {1}, "stream:names-1",
                new byte[] {2}));
        write("a", 2, Map.of(P0, 180L), Map.of("stream:names-0", new byte[] {3}));
        write("b", 1, Map.of(P1, 90L), Map.of("stream:names-1", new byte[] {4}));

        Map<TopicPartition, StreamHandover.Found> found = StreamHandover.newestStates(nodes, Set.of(P0, P1, P2));

        assertThat(found).containsOnlyKeys(P0, P1);
        assertThat(found.get(P0).nextOffset()).isEqualTo(180);
        assertThat(found.get(P0).state()).containsExactly(3);
        assertThat(found.get(P0).node()).isEqualTo("a");
        assertThat(found.get(P1).nextOffset()).isEqualTo(90);
        assertThat(found.get(P1).state()).containsExactly(4);
        assertThat(found.get(P1).node()).isEqualTo("b");
    }

    @Test
    void aDamagedFileIsPassedOverForTheNextValidOne() throws IOException {
        write("a", 1, Map.of(P0, 100L), Map.of("stream:names-0", new byte[] {1}));
        write("a", 2, Map.of(P0, 200L), Map.of("stream:names-0", new byte[] {2}));
        Path newest = nodes.resolve("a").resolve(CheckpointStore.fileName(2));
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 3] ^= 0x7f;
        Files.write(newest, bytes);

        Map<TopicPartition, StreamHandover.Found> found = StreamHandover.newestStates(nodes, Set.of(P0));

        assertThat(found.get(P0).nextOffset()).isEqualTo(100);
        assertThat(found.get(P0).sequence()).isEqualTo(1);
    }

    @Test
    void noDirectoryMeansEveryPartitionStartsAtItsCommittedOffset() {
        assertThat(StreamHandover.newestStates(nodes.resolve("missing"), Set.of(P0))).isEmpty();
    }
}
