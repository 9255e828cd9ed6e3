package io.rill.checkpoint;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointStoreTest {

    @TempDir
    Path directory;

    @Test
    void aCheckpointRoundTripsWithItsSequenceTimeOffsetsAndSectionsInOrder() throws IOException {
        CheckpointStore store = new CheckpointStore(directory.resolve("node-1"), 3);
        Instant createdAt = Instant.parse("2024-05-06T07:08:09.123456789Z");
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        offsets.put(new TopicPartition("rill.text.names", 1), 1234L);
        offsets.put(new TopicPartition("rill.text.names", 0), 0L);
        offsets.put(new TopicPartition("rill.text.wiki", 7), Long.MAX_VALUE);
        Map<String, byte[]> sections = new LinkedHashMap<>();
        sections.put("stream:rill.text.names-0", bytes(100, 1));
        sections.put("char-model:names", bytes(70_000, 2));
        sections.put("skipgram:vocabulary", new byte[0]);
        sections.put("skipgram:shard-0 ünïcode", bytes(3, 3));

        Path written = store.write(new Checkpoint(42, createdAt, offsets, sections));

        assertThat(written.getFileName().toString()).isEqualTo("checkpoint-000000000042.ckpt");
        assertThat(store.files()).containsExactly(written);
        CheckpointStore.LoadResult result = store.load();
        assertThat(result.skipped()).isEmpty();
        assertThat(result.loaded()).isPresent();
        assertThat(result.loaded().get().file()).isEqualTo(written);
        assertThat(result.loaded().get().bytes()).isEqualTo(Files.size(written));
        Checkpoint loaded = result.checkpoint().orElseThrow();
        assertThat(loaded.sequence()).isEqualTo(42);
        assertThat(loaded.createdAt()).isEqualTo(createdAt);
        assertThat(loaded.offsets()).containsExactlyEntriesOf(offsets);
        assertThat(loaded.sections().keySet()).containsExactlyElementsOf(sections.keySet());
        sections.forEach((name, data) -> assertThat(loaded.section(name)).hasValueSatisfying(
                actual -> assertThat(actual).isEqualTo(data)));
        assertThat(loaded.sectionBytes()).isEqualTo(70_103);
    }

    @Test
    void onlyTheNewestKeepCheckpointsRemain() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 2);
        for (long sequence = 1; sequence <= 5; sequence++) {
            store.write(checkpoint(sequence));
        }
        assertThat(store.files()).containsExactly(directory.resolve("checkpoint-000000000004.ckpt"),
                directory.resolve("checkpoint-000000000005.ckpt"));
        assertThat(store.loadNewestValid()).hasValueSatisfying(c -> assertThat(c.sequence()).isEqualTo(5));
        assertThat(store.nextSequence()).isEqualTo(6);
    }

    @Test
    void aFlippedByteAnywhereSkipsTheFileAndTheCheckpointBeforeIsLoaded() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        store.write(checkpoint(1));
        Path newest = store.write(checkpoint(2));
        byte[] good = Files.readAllBytes(newest);

        for (int position = 0; position < good.length; position++) {
            byte[] damaged = good.clone();
            damaged[position] ^= (byte) 0x5A;
            Files.write(newest, damaged);

            CheckpointStore.LoadResult result = store.load();

            assertThat(result.checkpoint()).as("byte %d flipped", position)
                    .hasValueSatisfying(c -> assertThat(c.sequence()).isEqualTo(1));
            assertThat(result.skipped()).as("byte %d flipped", position).hasSize(1);
            assertThat(result.skipped().get(0).file()).isEqualTo(newest);
        }

        byte[] damaged = good.clone();
        damaged[good.length / 2] ^= 1; // inside the section bytes: only the checksum can tell
        Files.write(newest, damaged);
        assertThat(store.load().skipped().get(0).reason()).startsWith("checksum mismatch");
    }

    @Test
    void aCheckpointOfAnEarlierFormatStopsTheLoadSayingWhatToDo() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        Path file = store.write(checkpoint(1));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(CheckpointFormat.MAGIC.length, 1); // the version, as rill wrote it before
        Files.write(file, bytes);
        assertThatThrownBy(store::load).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("written by an earlier rill (checkpoint format 1)")
                .hasMessageContaining("aside to start afresh");
        assertThatThrownBy(store::readValid).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTruncatedFileIsSkippedWhereverItWasCut() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        store.write(checkpoint(1));
        Path newest = store.write(checkpoint(2));
        byte[] good = Files.readAllBytes(newest);

        for (int length : new int[] {0, 7, CheckpointFormat.MINIMUM_BYTES - 1, 40, 60, good.length / 2,
                good.length - 5, good.length - 4, good.length - 1}) {
            Files.write(newest, Arrays.copyOf(good, length));

            CheckpointStore.LoadResult result = store.load();

            assertThat(result.checkpoint()).as("cut at %d", length)
                    .hasValueSatisfying(c -> assertThat(c.sequence()).isEqualTo(1));
            assertThat(result.skipped()).as("cut at %d", length).singleElement()
                    .satisfies(skipped -> assertThat(skipped.reason()).isNotBlank());
        }
        Files.write(newest, Arrays.copyOf(good, 10));
        assertThat(store.load().skipped().get(0).reason()).startsWith("truncated");
    }

    @Test
    void whenEveryFileIsDamagedThereIsNoCheckpointAndEachIsReported() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        Path first = store.write(checkpoint(1));
        Path second = store.write(checkpoint(2));
        Files.write(first, "not a checkpoint at all, just a few words of plain text in its place".getBytes());
        Files.write(second, new byte[0]);

        CheckpointStore.LoadResult result = store.load();

        assertThat(result.loaded()).isEmpty();
        assertThat(result.skipped()).extracting(CheckpointStore.Skipped::file).containsExactly(second, first);
        assertThat(result.skipped().get(1).reason()).contains("bad magic");
        assertThat(store.files()).containsExactly(first, second); // left for inspection
    }

    @Test
    void aLeftoverTemporaryFileIsIgnoredAndDeleted() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        store.write(checkpoint(1));
        Path leftover = directory.resolve("checkpoint-000000000002.ckpt.tmp");
        Files.write(leftover, Arrays.copyOf(Files.readAllBytes(directory.resolve(CheckpointStore.fileName(1))), 30));
        Path unrelated = directory.resolve("notes.txt");
        Files.writeString(unrelated, "not the store's");

        CheckpointStore.LoadResult result = store.load();

        assertThat(result.checkpoint()).hasValueSatisfying(c -> assertThat(c.sequence()).isEqualTo(1));
        assertThat(result.skipped()).isEmpty();
        assertThat(result.temporaryFilesDeleted()).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(unrelated).exists();
        assertThat(store.files()).containsExactly(directory.resolve(CheckpointStore.fileName(1)));
    }

    @Test
    void anEmptyOrMissingDirectoryHasNoCheckpoint() throws IOException {
        assertThat(new CheckpointStore(directory, 2).loadNewestValid()).isEmpty();
        CheckpointStore missing = new CheckpointStore(directory.resolve("not-yet"), 2);
        assertThat(missing.load()).isEqualTo(new CheckpointStore.LoadResult(Optional.empty(), List.of(), 0));
        assertThat(missing.files()).isEmpty();
        assertThat(missing.nextSequence()).isEqualTo(1);
        assertThat(directory.resolve("not-yet")).doesNotExist();
    }

    @Test
    void theNewestIsTheHighestSequenceNumberNotTheNewestFileOrTheLastName() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        Path lower = store.write(checkpoint(999_999_999_999L));
        Path higher = store.write(checkpoint(1_000_000_000_000L)); // 13 digits: sorts first by name
        Files.setLastModifiedTime(lower, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        Files.setLastModifiedTime(higher, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        assertThat(store.files()).containsExactly(lower, higher);
        assertThat(store.loadNewestValid())
                .hasValueSatisfying(c -> assertThat(c.sequence()).isEqualTo(1_000_000_000_000L));
    }

    @Test
    void aSequenceNotAboveEveryFileIsRefused() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        store.write(checkpoint(7));
        assertThatThrownBy(() -> store.write(checkpoint(7))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.write(checkpoint(3))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.nextSequence()).isEqualTo(8);
        assertThat(store.files()).hasSize(1);
    }

    @Test
    void aFileWhoseNameDisagreesWithItsSequenceIsSkipped() throws IOException {
        CheckpointStore store = new CheckpointStore(directory, 3);
        store.write(checkpoint(1));
        Path second = store.write(checkpoint(2));
        Path renamed = Files.move(second, directory.resolve(CheckpointStore.fileName(9)));

        CheckpointStore.LoadResult result = store.load();

        assertThat(result.checkpoint()).hasValueSatisfying(c -> assertThat(c.sequence()).isEqualTo(1));
        assertThat(result.skipped()).singleElement()
                .isEqualTo(new CheckpointStore.Skipped(renamed, "holds checkpoint 2, not the 9 of its name"));
    }

    @Test
    void aFiftyMegabyteSectionRoundTrips() throws IOException {
        byte[] large = new byte[50 << 20];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31 + (i >>> 20));
        }
        CheckpointStore store = new CheckpointStore(directory, 1);
        store.write(new Checkpoint(1, Instant.EPOCH, Map.of(), Map.of("char-model:big", large, "small", bytes(5, 1))));

        CheckpointStore.LoadResult result = store.load();

        assertThat(result.loaded().orElseThrow().bytes()).isGreaterThan(50L << 20);
        byte[] loaded = result.checkpoint().orElseThrow().section("char-model:big").orElseThrow();
        assertThat(Arrays.equals(loaded, large)).isTrue();
    }

    @Test
    void impossibleCheckpointsAreRefusedWhenMade() {
        Instant now = Instant.now();
        assertThatThrownBy(() -> new Checkpoint(-1, now, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Checkpoint(1, now, Map.of(new TopicPartition("t", 0), -1L), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Checkpoint(1, now, Map.of(), Map.of("", new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CheckpointStore(Path.of("checkpoints"), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Checkpoint checkpoint(long sequence) {
        Map<String, byte[]> sections = new LinkedHashMap<>();
        sections.put("char-model:names", bytes(64, sequence));
        sections.put("stream:rill.text.names-0", bytes(16, sequence + 1));
        return new Checkpoint(sequence, Instant.ofEpochSecond(1_700_000_000L + sequence, 5),
                Map.of(new TopicPartition("rill.text.names", 0), 100 * sequence), sections);
    }

    private static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
