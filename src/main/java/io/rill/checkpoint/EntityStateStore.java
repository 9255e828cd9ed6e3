package io.rill.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a cluster-sharded parameter server keeps its state: a {@link CheckpointStore} of its own under a directory
 * every node can read (atomic files, CRC-checked, the newest few kept), so that whichever node starts the entity
 * next, after a handoff or after its previous host died, restores the newest state written.
 *
 * <p>{@link #save} is asynchronous and coalescing: while a write is running, only the newest state waiting behind it
 * is written next. {@link #saveNow} writes before returning. A state is never written after a newer one, so the
 * store never moves backwards. Thread-safe.
 */
public final class EntityStateStore implements StateSink {

    private static final Logger log = LoggerFactory.getLogger(EntityStateStore.class);
    private static final String SECTION = "state";

    private final CheckpointStore store;
    private final Executor writer;
    private long lastGeneration;
    private long writtenGeneration;
    private byte[] pending;
    private long pendingGeneration;
    private boolean writing;

    public EntityStateStore(Path directory, int keep, Executor writer) {
        this.store = new CheckpointStore(directory, keep);
        this.writer = writer;
    }

    /** The newest valid state written here, or empty: the entity starts afresh. Damaged files are skipped. */
    public Optional<byte[]> load() {
        try {
            return store.load().checkpoint().flatMap(checkpoint -> checkpoint.section(SECTION));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + store.directory(), e);
        }
    }

    /** Writes {@code state} soon, on the writer; a newer save before then replaces it. */
    @Override
    public void save(byte[] state) {
        synchronized (this) {
            pending = state;
            pendingGeneration = ++lastGeneration;
            if (writing) {
                return;
            }
            writing = true;
        }
        writer.execute(this::drain);
    }

    /** Writes {@code state} before returning (a handoff, or a vocabulary that must never move backwards). */
    @Override
    public void saveNow(byte[] state) {
        long generation;
        synchronized (this) {
            generation = ++lastGeneration;
        }
        write(state, generation);
    }

    public Path directory() {
        return store.directory();
    }

    private void drain() {
        while (true) {
            byte[] state;
            long generation;
            synchronized (this) {
                if (pending == null) {
                    writing = false;
                    return;
                }
                state = pending;
                generation = pendingGeneration;
                pending = null;
            }
            try {
                write(state, generation);
            } catch (RuntimeException e) {
                log.warn("could not save state to {}: {} (the next save tries again)", store.directory(), e.toString());
            }
        }
    }

    private synchronized void write(byte[] state, long generation) {
        if (generation <= writtenGeneration) {
            return; // a newer state is on disk already
        }
        try {
            store.write(new Checkpoint(store.nextSequence(), Instant.now(), Map.of(), Map.of(SECTION, state)));
            writtenGeneration = generation;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state to " + store.directory(), e);
        }
    }
}
