package io.rill.state;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * The pieces every learner's and stream's state shares when it writes itself to a checkpoint: a format version per
 * class, checked lengths, strings of any length, and arrays written in bulk.
 *
 * <p>Readers trust nothing they read. A version this build does not know, a negative length or a value out of its
 * range is refused with an {@link IOException} that says what was being read. Arrays are read in chunks into an
 * array grown as the bytes actually arrive, so a corrupted length in a truncated or garbage stream ends in an
 * {@link java.io.EOFException} after allocating at most about twice what was there, never gigabytes at once.
 *
 * <p>Numbers are big-endian, as {@link DataOutput} writes them; the bulk methods write the same bytes as a loop of
 * {@code writeInt}/{@code writeLong}/{@code writeFloat} would, through a {@link ByteBuffer}, for speed on arrays of
 * millions of elements.
 *
 * <p>Two conventions of format version live here: a byte ({@link #writeVersion}, refusing any newer one), and the
 * int that the character model's classes have always started with ({@link #readIntVersion}, refusing any other).
 */
public final class StateFormat {
    /** Bytes moved per bulk call; also the first allocation of an array being read. */
    private static final int CHUNK_BYTES = 1 << 16;
    /** The largest Java array length that every JVM allocates. */
    public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    /** Chars that {@link DataOutput#writeUTF} always takes: a char is at most 3 bytes of its 65535. */
    private static final int SHORT_STRING_CHARS = 65_535 / 3;
    private static final int SHORT_STRING = 1;
    private static final int LONG_STRING = 2;

    private StateFormat() {
    }

    /** Something that writes itself: a state class's {@code writeTo}, or a few of them in a row. */
    public interface Writer {
        void writeTo(DataOutputStream out) throws IOException;
    }

    /** What {@code writer} writes, as bytes in memory: a state for a checkpoint, a save, or a message. */
    public static byte[] toBytes(Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(bytes, CHUNK_BYTES));
            writer.writeTo(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writes to memory only
        }
    }

    /** Starts a class's data with its format version, 1..255. */
    public static void writeVersion(DataOutput out, int version) throws IOException {
        if (version < 1 || version > 255) throw new IllegalArgumentException("version " + version);
        out.writeByte(version);
    }

    /** Reads a format version written by {@link #writeVersion}; refuses one outside 1..{@code newest}. */
    public static int readVersion(DataInput in, String what, int newest) throws IOException {
        int version = in.readUnsignedByte();
        if (version < 1 || version > newest) {
            throw new IOException(what + ": format version " + version + ", this build reads versions 1 to " + newest);
        }
        return version;
    }

    /**
     * Reads a format version written as an int and refuses any but {@code supported}, saying which it found: an old
     * checkpoint is refused with "format version 1, this build reads version 2".
     */
    public static void readIntVersion(DataInput in, int supported, String what) throws IOException {
        int version = in.readInt();
        if (version != supported) {
            throw new IOException(what + ": format version " + version + ", this build reads version " + supported);
        }
    }

    /**
     * Throws an IOException with {@code message} unless {@code condition}: for input that is well formed but does not
     * fit what the reader expects (another shape, another architecture), where "corrupted" would mislead.
     */
    public static void require(boolean condition, String message) throws IOException {
        if (!condition) throw new IOException(message);
    }

    /** Throws an IOException saying that {@code what} is corrupted unless {@code valid}. */
    public static void check(boolean valid, String what) throws IOException {
        if (!valid) throw new IOException("corrupted state: " + what);
    }

    /** Reads an int in {@code min..max}, refusing any other. */
    public static int readInt(DataInput in, int min, int max, String what) throws IOException {
        int value = in.readInt();
        check(value >= min && value <= max, what + " " + value + " is not in " + min + ".." + max);
        return value;
    }

    /** Reads a long in {@code min..max}, refusing any other. */
    public static long readLong(DataInput in, long min, long max, String what) throws IOException {
        long value = in.readLong();
        check(value >= min && value <= max, what + " " + value + " is not in " + min + ".." + max);
        return value;
    }

    /**
     * Writes a string of any length: with {@code writeUTF} when it surely fits its 64 KiB limit, else as a length and
     * UTF-8 bytes. A string that is not valid UTF-16 (a lone surrogate) would not come back the same, so it is refused.
     */
    public static void writeString(DataOutput out, String s) throws IOException {
        if (s.length() <= SHORT_STRING_CHARS) {
            out.writeByte(SHORT_STRING);
            out.writeUTF(s);
            return;
        }
        ByteBuffer utf8 = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(s));
        out.writeByte(LONG_STRING);
        out.writeInt(utf8.remaining());
        out.write(utf8.array(), utf8.arrayOffset() + utf8.position(), utf8.remaining());
    }

    /** Reads a string written by {@link #writeString}; malformed text is refused. */
    public static String readString(DataInput in, String what) throws IOException {
        int kind = in.readUnsignedByte();
        if (kind == SHORT_STRING) return in.readUTF();
        check(kind == LONG_STRING, what + ": string kind " + kind);
        int length = readInt(in, 0, Integer.MAX_VALUE, what + " length");
        byte[] bytes = readFully(in, length);
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    }

    /** Writes {@code n} then {@code values[from .. from+n)}. */
    public static void writeInts(DataOutput out, int[] values, int from, int n) throws IOException {
        writeChunked(out, n, Integer.BYTES,
                (buffer, offset, count) -> buffer.asIntBuffer().put(values, from + offset, count));
    }

    /** Writes {@code n} then {@code values[from .. from+n)}. */
    public static void writeLongs(DataOutput out, long[] values, int from, int n) throws IOException {
        writeChunked(out, n, Long.BYTES,
                (buffer, offset, count) -> buffer.asLongBuffer().put(values, from + offset, count));
    }

    /** Writes {@code n} then {@code values[from .. from+n)}. */
    public static void writeFloats(DataOutput out, float[] values, int from, int n) throws IOException {
        writeChunked(out, n, Float.BYTES,
                (buffer, offset, count) -> buffer.asFloatBuffer().put(values, from + offset, count));
    }

    /** Moves {@code count} elements from {@code offset} of an array to a chunk's buffer. */
    private interface ChunkWriter {
        void put(ByteBuffer buffer, int offset, int count);
    }

    /** Writes {@code n} then the elements, {@code elementBytes} each, a chunk at a time. */
    private static void writeChunked(DataOutput out, int n, int elementBytes, ChunkWriter writer) throws IOException {
        out.writeInt(n);
        writeRaw(out, n, elementBytes, writer);
    }

    /** Writes {@code n} elements, {@code elementBytes} each, a chunk at a time, without a length. */
    private static void writeRaw(DataOutput out, int n, int elementBytes, ChunkWriter writer) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, (long) elementBytes * n)];
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        for (int done = 0; done < n; ) {
            int step = Math.min(n - done, chunk.length / elementBytes);
            buffer.clear();
            writer.put(buffer, done, step);
            out.write(chunk, 0, elementBytes * step);
            done += step;
        }
    }

    /**
     * Writes the remaining values of {@code values} (e.g. the memory behind a float tensor), without a length, a
     * chunk at a time; the buffer's position is left as it was.
     */
    public static void writeValues(DataOutput out, FloatBuffer values) throws IOException {
        FloatBuffer source = values.slice();
        writeRaw(out, source.remaining(), Float.BYTES,
                (buffer, offset, count) -> buffer.asFloatBuffer().put(0, source, offset, count));
    }

    /** Writes the remaining values of {@code values}, as {@link #writeValues(DataOutput, FloatBuffer)} does floats. */
    public static void writeValues(DataOutput out, DoubleBuffer values) throws IOException {
        DoubleBuffer source = values.slice();
        writeRaw(out, source.remaining(), Double.BYTES,
                (buffer, offset, count) -> buffer.asDoubleBuffer().put(0, source, offset, count));
    }

    /** Fills the remaining room of {@code into} (its position is left as it was) with values written unprefixed. */
    public static void readValues(DataInput in, FloatBuffer into) throws IOException {
        FloatBuffer target = into.duplicate();
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, (long) Float.BYTES * target.remaining())];
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        while (target.hasRemaining()) {
            int step = Math.min(target.remaining(), chunk.length / Float.BYTES);
            in.readFully(chunk, 0, Float.BYTES * step);
            target.put(buffer.asFloatBuffer().limit(step));
        }
    }

    /** Fills the remaining room of {@code into}, as {@link #readValues(DataInput, FloatBuffer)} does floats. */
    public static void readValues(DataInput in, DoubleBuffer into) throws IOException {
        DoubleBuffer target = into.duplicate();
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, (long) Double.BYTES * target.remaining())];
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        while (target.hasRemaining()) {
            int step = Math.min(target.remaining(), chunk.length / Double.BYTES);
            in.readFully(chunk, 0, Double.BYTES * step);
            target.put(buffer.asDoubleBuffer().limit(step));
        }
    }

    /**
     * {@code n} floats written without a length ({@link #writeValues(DataOutput, FloatBuffer)}), where {@code n} comes
     * from the input and is not trusted: the array grows as the values arrive (see the class comment).
     */
    public static float[] readFloatValues(DataInput in, int n) throws IOException {
        return readChunked(in, n, Float.BYTES, float[]::new, Arrays::copyOf,
                (buffer, values, offset, count) -> buffer.asFloatBuffer().get(values, offset, count));
    }

    /** {@code n} doubles written without a length, read as {@link #readFloatValues} reads floats. */
    public static double[] readDoubleValues(DataInput in, int n) throws IOException {
        return readChunked(in, n, Double.BYTES, double[]::new, Arrays::copyOf,
                (buffer, values, offset, count) -> buffer.asDoubleBuffer().get(values, offset, count));
    }

    /**
     * {@code n} ints written without a length (the caller wrote {@code n}, e.g. with {@link #writeInts}), each an id in
     * [0, {@code bound}); {@code n} is not trusted, the array grows as the ids arrive. An id out of range is refused
     * with its position.
     */
    public static int[] readIds(DataInput in, int n, int bound, String what) throws IOException {
        int[] ids = readChunked(in, n, Integer.BYTES, int[]::new, Arrays::copyOf,
                (buffer, values, offset, count) -> buffer.asIntBuffer().get(values, offset, count));
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= bound) {
                throw new IOException(what + ": id " + ids[i] + " at " + i + " is outside [0, " + bound + ")");
            }
        }
        return ids;
    }

    /** Writes a length and then the bytes (a nested state, e.g. a child actor's). */
    public static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** Reads bytes written by {@link #writeBytes}, refusing a length above {@code maxLength}. */
    public static byte[] readBytes(DataInput in, int maxLength, String what) throws IOException {
        int n = readInt(in, 0, maxLength, what + " length");
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return bytes;
    }

    /** Reads an array written by {@link #writeInts}, refusing a length above {@code maxLength}. */
    public static int[] readInts(DataInput in, int maxLength, String what) throws IOException {
        int n = readInt(in, 0, maxLength, what + " length");
        return readChunked(in, n, Integer.BYTES, int[]::new, Arrays::copyOf,
                (buffer, values, offset, count) -> buffer.asIntBuffer().get(values, offset, count));
    }

    /** Reads an array written by {@link #writeLongs}, refusing a length above {@code maxLength}. */
    public static long[] readLongs(DataInput in, int maxLength, String what) throws IOException {
        int n = readInt(in, 0, maxLength, what + " length");
        return readChunked(in, n, Long.BYTES, long[]::new, Arrays::copyOf,
                (buffer, values, offset, count) -> buffer.asLongBuffer().get(values, offset, count));
    }

    /** Reads an array written by {@link #writeFloats}, refusing a length above {@code maxLength}. */
    public static float[] readFloats(DataInput in, int maxLength, String what) throws IOException {
        int n = readInt(in, 0, maxLength, what + " length");
        return readChunked(in, n, Float.BYTES, float[]::new, Arrays::copyOf,
                (buffer, values, offset, count) -> buffer.asFloatBuffer().get(values, offset, count));
    }

    /** Moves {@code count} elements from a chunk's buffer to {@code values} at {@code offset}. */
    private interface ChunkReader<A> {
        void get(ByteBuffer buffer, A values, int offset, int count);
    }

    /**
     * Reads {@code n} elements of {@code elementBytes} each, a chunk at a time, into an array grown as the bytes
     * arrive (see the class comment): a damaged {@code n} costs at most about twice what was really there.
     */
    private static <A> A readChunked(DataInput in, int n, int elementBytes, IntFunction<A> allocate,
                                     BiFunction<A, Integer, A> resize, ChunkReader<A> reader) throws IOException {
        int capacity = Math.min(n, CHUNK_BYTES / elementBytes);
        A values = allocate.apply(capacity);
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, (long) elementBytes * n)];
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        for (int done = 0; done < n; ) {
            int step = Math.min(n - done, chunk.length / elementBytes);
            in.readFully(chunk, 0, elementBytes * step);
            if (done + step > capacity) {
                capacity = grown(capacity, done + step, n);
                values = resize.apply(values, capacity);
            }
            buffer.clear();
            reader.get(buffer, values, done, step);
            done += step;
        }
        return values;
    }

    /** Writes {@code n} then {@code values[from .. from+n)}, a byte each. */
    public static void writeBooleans(DataOutput out, boolean[] values, int from, int n) throws IOException {
        out.writeInt(n);
        byte[] chunk = new byte[Math.min(CHUNK_BYTES, n)];
        for (int done = 0; done < n; ) {
            int step = Math.min(n - done, chunk.length);
            for (int i = 0; i < step; i++) chunk[i] = (byte) (values[from + done + i] ? 1 : 0);
            out.write(chunk, 0, step);
            done += step;
        }
    }

    /** Reads an array written by {@link #writeBooleans}, refusing a length above {@code maxLength} or bytes not 0/1. */
    public static boolean[] readBooleans(DataInput in, int maxLength, String what) throws IOException {
        int n = readInt(in, 0, maxLength, what + " length");
        byte[] bytes = readFully(in, n);
        boolean[] values = new boolean[n];
        for (int i = 0; i < n; i++) {
            check(bytes[i] == 0 || bytes[i] == 1, what + "[" + i + "] is " + bytes[i] + ", not a boolean");
            values[i] = bytes[i] == 1;
        }
        return values;
    }

    /** {@code n} bytes, read in chunks into an array that grows as they arrive. */
    private static byte[] readFully(DataInput in, int n) throws IOException {
        byte[] bytes = new byte[Math.min(n, CHUNK_BYTES)];
        int done = 0;
        while (done < n) {
            if (done == bytes.length) bytes = Arrays.copyOf(bytes, grown(bytes.length, done + 1, n));
            in.readFully(bytes, done, bytes.length - done);
            done = bytes.length;
        }
        return bytes;
    }

    /** The next size of an array being filled: doubled, at least {@code needed}, at most {@code total}. */
    private static int grown(int length, int needed, int total) {
        return (int) Math.min(total, Math.max(needed, 2L * length));
    }
}
