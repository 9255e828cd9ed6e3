package io.rill.checkpoint;

import org.apache.kafka.common.TopicPartition;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The bytes of one checkpoint file, big-endian:
 *
 * <pre>
 *   magic      8 bytes   "RILLCKPT"
 *   version    int       {@link #VERSION}
 *   sequence   long
 *   createdAt  long epoch seconds, int nanoseconds
 *   offsets    int count, then per partition: topic (DataOutput.writeUTF), int partition, long next offset
 *   sections   int count, then per section: name (writeUTF), int length, the bytes
 *   trailer    int       CRC32C of every byte before it
 * </pre>
 *
 * <p>Both directions stream: a section goes between its array and the file in slices of {@link #SLICE_BYTES}, so
 * there is never a second copy of the checkpoint in memory, and no channel is handed an array so large that the
 * JDK would allocate a direct buffer of that size to copy it through.
 *
 * <p>Reading checks each length against the bytes the file has left before using it, so a damaged length is
 * reported as such instead of being allocated; the checksum, checked last, catches any other damage.
 */
final class CheckpointFormat {

    static final byte[] MAGIC = "RILLCKPT".getBytes(StandardCharsets.US_ASCII);
    /**
     * 2 since the learner seam: the same file layout, but the sections (streams keyed by model, the servers' states)
     * are laid out anew, so a file of version 1 is refused as a whole ({@link OutdatedCheckpointException}).
     */
    static final int VERSION = 2;
    static final int TRAILER_BYTES = Integer.BYTES;
    /** Magic, version, sequence, time, the two counts and the trailer: no checkpoint is shorter. */
    static final int MINIMUM_BYTES = MAGIC.length + 4 + 8 + 8 + 4 + 4 + 4 + TRAILER_BYTES;
    static final int SLICE_BYTES = 1 << 20;
    private static final int BUFFER_BYTES = 1 << 16;
    /** The fewest bytes an offset entry takes: empty topic, partition, offset. */
    private static final int MINIMUM_OFFSET_BYTES = 2 + 4 + 8;
    /** The fewest bytes a section takes: empty name, length. */
    private static final int MINIMUM_SECTION_BYTES = 2 + 4;

    /** A file whose contents are not a valid checkpoint; the message says what is wrong. */
    static final class InvalidCheckpointException extends IOException {
        InvalidCheckpointException(String message) {
            super(message);
        }
    }

    /** A whole checkpoint in a format an earlier rill wrote, which this one does not read. */
    static final class OutdatedCheckpointException extends IOException {
        final int version;

        OutdatedCheckpointException(int version) {
            super("format version " + version + ", written by an earlier rill; this build reads version " + VERSION);
            this.version = version;
        }
    }

    private CheckpointFormat() {
    }

    /** Writes {@code checkpoint} to {@code sink} and flushes it; does not close it. */
    static void write(Checkpoint checkpoint, OutputStream sink) throws IOException {
        BufferedOutputStream buffered = new BufferedOutputStream(sink, BUFFER_BYTES);
        CRC32C crc = new CRC32C();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(checkpoint.sequence());
        out.writeLong(checkpoint.createdAt().getEpochSecond());
        out.writeInt(checkpoint.createdAt().getNano());
        out.writeInt(checkpoint.offsets().size());
        for (Map.Entry<TopicPartition, Long> entry : checkpoint.offsets().entrySet()) {
            out.writeUTF(entry.getKey().topic());
            out.writeInt(entry.getKey().partition());
            out.writeLong(entry.getValue());
        }
        out.writeInt(checkpoint.sections().size());
        for (Map.Entry<String, byte[]> entry : checkpoint.sections().entrySet()) {
            byte[] bytes = entry.getValue();
            out.writeUTF(entry.getKey());
            out.writeInt(bytes.length);
            for (int from = 0; from < bytes.length; from += SLICE_BYTES) {
                out.write(bytes, from, Math.min(SLICE_BYTES, bytes.length - from));
            }
        }
        out.flush();
        int checksum = (int) crc.getValue();
        new DataOutputStream(buffered).writeInt(checksum);
        buffered.flush();
    }

    /**
     * The checkpoint in {@code source}, which holds {@code size} bytes.
     *
     * @throws InvalidCheckpointException when the contents are not a checkpoint (bad magic, version, lengths or
     *                                    checksum)
     * @throws java.io.EOFException       when the file ends before its contents do
     */
    static Checkpoint read(InputStream source, long size) throws IOException {
        if (size < MINIMUM_BYTES) {
            throw new InvalidCheckpointException("truncated: " + size + " bytes, a checkpoint has at least "
                    + MINIMUM_BYTES);
        }
        CountingInputStream counted = new CountingInputStream(new BufferedInputStream(source, BUFFER_BYTES));
        CRC32C crc = new CRC32C();
        DataInputStream in = new DataInputStream(new CheckedInputStream(counted, crc));
        long contentBytes = size - TRAILER_BYTES;

        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        require(Arrays.equals(magic, MAGIC), "not a checkpoint file (bad magic)");
        int version = in.readInt();
        if (version >= 1 && version < VERSION) {
            throw new OutdatedCheckpointException(version);
        }
        require(version == VERSION, "format version " + version + ", this build reads version " + VERSION);
        long sequence = in.readLong();
        require(sequence >= 0, "negative sequence " + sequence);
        long seconds = in.readLong();
        int nanos = in.readInt();
        require(nanos >= 0 && nanos < 1_000_000_000, "impossible creation time: " + nanos + " nanoseconds");
        Instant createdAt;
        try {
            createdAt = Instant.ofEpochSecond(seconds, nanos);
        } catch (DateTimeException e) {
            throw new InvalidCheckpointException("impossible creation time: " + seconds + " seconds");
        }

        int offsetCount = in.readInt();
        require(offsetCount >= 0 && offsetCount <= (contentBytes - counted.count) / MINIMUM_OFFSET_BYTES,
                "offset count " + offsetCount + " does not fit in the file");
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < offsetCount; i++) {
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            require(topic.length() <= Checkpoint.MAX_NAME_LENGTH, "topic name of " + topic.length() + " chars");
            require(partition >= 0 && offset >= 0, "impossible offset " + offset + " of " + topic + "-" + partition);
            require(offsets.put(new TopicPartition(topic, partition), offset) == null,
                    "partition " + topic + "-" + partition + " appears twice");
        }

        int sectionCount = in.readInt();
        require(sectionCount >= 0 && sectionCount <= (contentBytes - counted.count) / MINIMUM_SECTION_BYTES,
                "section count " + sectionCount + " does not fit in the file");
        Map<String, byte[]> sections = new LinkedHashMap<>();
        for (int i = 0; i < sectionCount; i++) {
            String name = in.readUTF();
            int length = in.readInt();
            long left = contentBytes - counted.count;
            require(length >= 0 && length <= left,
                    "section \"" + name + "\" claims " + length + " bytes, the file has " + left + " left");
            byte[] bytes = new byte[length];
            for (int from = 0; from < length; from += SLICE_BYTES) {
                in.readFully(bytes, from, Math.min(SLICE_BYTES, length - from));
            }
            require(!name.isEmpty() && name.length() <= Checkpoint.MAX_NAME_LENGTH, "bad section name \"" + name + "\"");
            require(sections.put(name, bytes) == null, "section \"" + name + "\" appears twice");
        }

        require(counted.count == contentBytes,
                (contentBytes - counted.count) + " unexpected bytes between the last section and the checksum");
        int computed = (int) crc.getValue();
        int stored = in.readInt();
        require(computed == stored, "checksum mismatch: stored %08x, computed %08x".formatted(stored, computed));
        return new Checkpoint(sequence, createdAt, offsets, sections);
    }

    private static void require(boolean condition, String problem) throws InvalidCheckpointException {
        if (!condition) {
            throw new InvalidCheckpointException(problem);
        }
    }

    /** Counts the bytes read through it, which tells the reader how much of the file is left. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
