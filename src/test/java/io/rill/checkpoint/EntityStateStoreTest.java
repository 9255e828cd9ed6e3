package io.rill.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntityStateStoreTest {

    @TempDir
    Path directory;

    /** An executor that runs its tasks only when the test says so. */
    private static final class ManualExecutor implements Executor {
        final Deque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    @Test
    void aStoreWithNothingWrittenLoadsNothing() {
        assertThat(new EntityStateStore(directory.resolve("none"), 2, Runnable::run).load()).isEmpty();
    }

    @Test
    void savesCoalesceToTheNewestAndAnotherStoreOnTheSameDirectoryLoadsIt() throws IOException {
        ManualExecutor writer = new ManualExecutor();
        EntityStateStore store = new EntityStateStore(directory, 2, writer);
        store.save(new byte[] {1});
        store.save(new byte[] {2});
        store.save(new byte[] {3});
        assertThat(writer.tasks).as("one write runs at a time, the newest state waits behind it").hasSize(1);
        writer.runAll();

        assertThat(new EntityStateStore(directory, 2, Runnable::run).load()).hasValueSatisfying(
                state -> assertThat(state).containsExactly(3));
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.count()).as("the intermediate states were never written").isEqualTo(1);
        }
    }

    @Test
    void anOlderStateWaitingForTheWriterNeverReplacesANewerOneSavedNow() {
        ManualExecutor writer = new ManualExecutor();
        EntityStateStore store = new EntityStateStore(directory, 2, writer);
        store.save(new byte[] {1}); // queued
        store.saveNow(new byte[] {2}); // a handoff: written at once
        writer.runAll(); // the queued, older state comes too late

        assertThat(store.load()).hasValueSatisfying(state -> assertThat(state).containsExactly(2));
    }

    @Test
    void onlyTheNewestFewFilesAreKeptAndADamagedNewestOneIsSkipped() throws IOException {
        EntityStateStore store = new EntityStateStore(directory, 2, Runnable::run);
        for (byte b = 1; b <= 5; b++) {
            store.save(new byte[] {b, b});
        }
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.count()).isEqualTo(2);
        }
        Path newest;
        try (Stream<Path> files = Files.list(directory)) {
            newest = files.sorted().reduce((a, b) -> b).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(newest, bytes);

        assertThat(store.load()).hasValueSatisfying(state -> assertThat(state).containsExactly(4, 4));
    }
}
