package io.rill.checkpoint;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UTFDataFormatException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of checkpoint files ({@code checkpoint-000000000042.ckpt}, format in {@link CheckpointFormat}) that a
 * node writes every so often and loads from at start.
 *
 * <p>Writing is atomic: a checkpoint is written to a temporary file in the same directory, forced to disk, renamed
 * over its final name in one step, and the directory is forced so the rename survives a crash too. A reader
 * therefore sees each checkpoint file whole or not at all; a crash mid-write leaves only a temporary file, which
 * loading ignores and deletes. After each write all but the newest {@code keep} checkpoint files are deleted.
 *
 * <p>Loading takes the files newest first by sequence number (the number in the name, not file times) and returns
 * the first valid one. A file that is truncated, is not a checkpoint of this format version or fails its checksum
 * is skipped with a warning, so one damaged file costs only the progress since the checkpoint before it. Skipped
 * files are left in place for inspection; pruning removes them in time. {@link LoadResult} says what happened, for
 * the logs and JMX.
 *
 * <p>One store per directory and one process per directory; the methods are synchronized, so a timer and an
 * operator may both call it.
 */
public final class CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(CheckpointStore.class);

    static final String SUFFIX = ".ckpt";
    static final String TEMPORARY_SUFFIX = ".tmp";
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("checkpoint-(\\d{1,19})\\.ckpt");
    private static final Pattern TEMPORARY_NAME = Pattern.compile("checkpoint-\\d{1,19}\\.ckpt\\.tmp");

    /** What {@link #load} found: the checkpoint it loaded, if any, and the files it passed over. */
    public record LoadResult(Optional<Loaded> loaded, List<Skipped> skipped, int temporaryFilesDeleted) {

        public LoadResult {
            skipped = List.copyOf(skipped);
        }

        public Optional<Checkpoint> checkpoint() {
            return loaded.map(Loaded::checkpoint);
        }
    }

    /** The checkpoint loaded, from which file, and that file's size. */
    public record Loaded(Checkpoint checkpoint, Path file, long bytes) {
    }

    /** A checkpoint file passed over, and why. */
    public record Skipped(Path file, String reason) {
    }

    /** A checkpoint file and the sequence number in its name. */
    private record NumberedFile(Path path, long sequence) {
    }

    private final Path directory;
    private final int keep;

    /**
     * A store in {@code directory}, created on the first write, that keeps the newest {@code keep} checkpoints. No
     * file is touched until a method is called.
     */
    public CheckpointStore(Path directory, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1: " + keep);
        }
        this.directory = directory;
        this.keep = keep;
    }

    public Path directory() {
        return directory;
    }

    public int keep() {
        return keep;
    }

    /** The file name of checkpoint {@code sequence}: twelve digits or more, zero-padded. */
    public static String fileName(long sequence) {
        return "checkpoint-%012d%s".formatted(sequence, SUFFIX);
    }

    /**
     * Writes {@code checkpoint} atomically, then deletes all but the newest {@link #keep()} checkpoint files.
     * Returns the file written.
     *
     * @throws IllegalArgumentException when its sequence is not above every checkpoint file already here, valid or
     *                                  not: pruning keeps the highest numbers, and loading takes the highest valid
     *                                  one, so a lower number could be deleted or never loaded. Use
     *                                  {@link #nextSequence()}.
     * @throws IOException              when it could not be written; the previous checkpoints are untouched
     */
    public synchronized Path write(Checkpoint checkpoint) throws IOException {
        OptionalLong highest = highestSequence();
        if (highest.isPresent() && checkpoint.sequence() <= highest.getAsLong()) {
            throw new IllegalArgumentException("checkpoint " + checkpoint.sequence() + " is not above checkpoint "
                    + highest.getAsLong() + " in " + directory);
        }
        Files.createDirectories(directory);
        Path target = directory.resolve(fileName(checkpoint.sequence()));
        Path temporary = directory.resolve(target.getFileName() + TEMPORARY_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                CheckpointFormat.write(checkpoint, Channels.newOutputStream(channel));
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        forceDirectory();
        log.debug("wrote checkpoint {} ({} bytes of sections) to {}", checkpoint.sequence(),
                checkpoint.sectionBytes(), target);
        prune();
        return target;
    }

    /** The newest valid checkpoint, or empty when there is none; see {@link #load()}. */
    public Optional<Checkpoint> loadNewestValid() throws IOException {
        return load().checkpoint();
    }

    /**
     * Loads the newest valid checkpoint, skipping damaged files (each logged at WARN with the reason), and deletes
     * temporary files that crashed writes left behind.
     *
     * @throws IOException           when the directory cannot be listed; problems with single files are skips, not
     *                               failures
     * @throws IllegalStateException when the newest checkpoint was written by an earlier rill in a format this one
     *                               does not read: starting afresh would silently drop everything it holds, so the
     *                               operator decides
     */
    public synchronized LoadResult load() throws IOException {
        if (!Files.isDirectory(directory)) {
            return new LoadResult(Optional.empty(), List.of(), 0);
        }
        int temporaryFilesDeleted = deleteTemporaryFiles();
        List<Skipped> skipped = new ArrayList<>();
        List<NumberedFile> files = numberedFiles();
        for (int i = files.size() - 1; i >= 0; i--) {
            NumberedFile file = files.get(i);
            try {
                long size = Files.size(file.path());
                Checkpoint checkpoint;
                try (InputStream in = Files.newInputStream(file.path())) {
                    checkpoint = CheckpointFormat.read(in, size);
                }
                if (checkpoint.sequence() != file.sequence()) {
                    throw new CheckpointFormat.InvalidCheckpointException("holds checkpoint "
                            + checkpoint.sequence() + ", not the " + file.sequence() + " of its name");
                }
                log.info("loaded checkpoint {} from {} ({} bytes, {} sections, {} partition offsets){}",
                        checkpoint.sequence(), file.path(), size, checkpoint.sections().size(),
                        checkpoint.offsets().size(), skipped.isEmpty() ? "" : " after skipping " + skipped.size());
                return new LoadResult(Optional.of(new Loaded(checkpoint, file.path(), size)), skipped,
                        temporaryFilesDeleted);
            } catch (CheckpointFormat.OutdatedCheckpointException e) {
                throw outdated(file.path(), e);
            } catch (IOException e) {
                String reason = reason(e);
                log.warn("skipping checkpoint file {}: {}", file.path(), reason);
                skipped.add(new Skipped(file.path(), reason));
            }
        }
        if (!skipped.isEmpty()) {
            log.warn("no valid checkpoint in {}: all {} files skipped", directory, skipped.size());
        }
        return new LoadResult(Optional.empty(), skipped, temporaryFilesDeleted);
    }

    /**
     * Every valid checkpoint here, newest first, read without changing anything: for another node reading this
     * node's directory while it writes (damaged, half-written or just-pruned files are skipped).
     */
    public List<Checkpoint> readValid() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<NumberedFile> files;
        synchronized (this) {
            files = numberedFiles();
        }
        List<Checkpoint> valid = new ArrayList<>();
        for (int i = files.size() - 1; i >= 0; i--) {
            NumberedFile file = files.get(i);
            try (InputStream in = Files.newInputStream(file.path())) {
                Checkpoint checkpoint = CheckpointFormat.read(in, Files.size(file.path()));
                if (checkpoint.sequence() == file.sequence()) {
                    valid.add(checkpoint);
                }
            } catch (CheckpointFormat.OutdatedCheckpointException e) {
                throw outdated(file.path(), e);
            } catch (IOException e) {
                log.debug("not reading {}: {}", file.path(), reason(e));
            }
        }
        return valid;
    }

    private IllegalStateException outdated(Path file, CheckpointFormat.OutdatedCheckpointException e) {
        return new IllegalStateException("checkpoint " + file + " was written by an earlier rill (checkpoint format "
                + e.version + "); this build reads format " + CheckpointFormat.VERSION + ", whose learner states are "
                + "laid out differently. Move " + directory + " aside to start afresh (the models then learn only "
                + "from the group's committed offsets on), or run the rill that wrote it.", e);
    }

    /** The checkpoint files here, valid or not, oldest (lowest sequence) first. */
    public synchronized List<Path> files() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        return numberedFiles().stream().map(NumberedFile::path).toList();
    }

    /** One above the highest sequence of any checkpoint file here, or 1 when there is none. */
    public synchronized long nextSequence() throws IOException {
        return highestSequence().orElse(0) + 1;
    }

    private OptionalLong highestSequence() throws IOException {
        if (!Files.isDirectory(directory)) {
            return OptionalLong.empty();
        }
        List<NumberedFile> files = numberedFiles();
        return files.isEmpty() ? OptionalLong.empty() : OptionalLong.of(files.get(files.size() - 1).sequence());
    }

    /** Checkpoint files by the number in their names, ascending; other files are not the store's and are ignored. */
    private List<NumberedFile> numberedFiles() throws IOException {
        List<NumberedFile> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                Matcher name = CHECKPOINT_NAME.matcher(entry.getFileName().toString());
                if (name.matches() && Files.isRegularFile(entry)) {
                    try {
                        files.add(new NumberedFile(entry, Long.parseLong(name.group(1))));
                    } catch (NumberFormatException beyondLong) {
                        log.warn("ignoring {}: its number is beyond any sequence", entry);
                    }
                }
            }
        }
        files.sort(Comparator.comparingLong(NumberedFile::sequence));
        return files;
    }

    private void prune() {
        try {
            List<NumberedFile> files = numberedFiles();
            for (int i = 0; i < files.size() - keep; i++) {
                Path old = files.get(i).path();
                try {
                    Files.deleteIfExists(old);
                    log.debug("deleted old checkpoint {}", old);
                } catch (IOException e) {
                    log.warn("could not delete old checkpoint {}: {}", old, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("could not list {} to delete old checkpoints: {}", directory, e.toString());
        }
    }

    private int deleteTemporaryFiles() throws IOException {
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (TEMPORARY_NAME.matcher(entry.getFileName().toString()).matches()) {
                    try {
                        Files.deleteIfExists(entry);
                        deleted++;
                        log.info("deleted {}, left by a checkpoint write that did not finish", entry);
                    } catch (IOException e) {
                        log.warn("could not delete unfinished checkpoint {}: {}", entry, e.toString());
                    }
                }
            }
        }
        return deleted;
    }

    /**
     * Forces the directory entry of the rename to disk. Opening a directory as a channel is not possible everywhere
     * (e.g. Windows); there the rename is as durable as the file system makes it, which is why this only logs.
     */
    private void forceDirectory() {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("could not force directory {} to disk: {}", directory, e.toString());
        }
    }

    private static String reason(IOException e) {
        if (e instanceof CheckpointFormat.InvalidCheckpointException) {
            return e.getMessage();
        }
        if (e instanceof EOFException) {
            return "truncated: the file ends before its contents do";
        }
        if (e instanceof UTFDataFormatException) {
            return "a damaged topic or section name: " + e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return "deleted while loading";
        }
        return "unreadable: " + e;
    }
}
