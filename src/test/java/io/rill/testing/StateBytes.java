package io.rill.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test helpers for state written to a checkpoint: the bytes of a writer, a reader that must consume exactly them, and
 * the checks that truncated or corrupted bytes make a reader throw an IOException and nothing else.
 */
public final class StateBytes {

    public interface Reader<T> {
        T readFrom(DataInput in) throws IOException;
    }

    private StateBytes() {
    }

    public static byte[] of(StateFormat.Writer writer) {
        return StateFormat.toBytes(writer);
    }

    /** Reads {@code bytes}, asserting the reader takes every byte and no more: state nests inside a larger file. */
    public static <T> T read(byte[] bytes, Reader<T> reader) {
        ByteArrayInputStream stream = new ByteArrayInputStream(bytes);
        try {
            T value = reader.readFrom(new DataInputStream(stream));
            assertThat(stream.available()).as("bytes left unread").isZero();
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes and reads back. */
    public static <T> T roundTrip(StateFormat.Writer writer, Reader<T> reader) {
        return read(of(writer), reader);
    }

    /** Every prefix of {@code bytes} (or about {@code limit} of them, evenly spread) must fail with an IOException. */
    public static void assertTruncationsFail(byte[] bytes, Reader<?> reader, int limit) {
        int step = Math.max(1, bytes.length / limit);
        for (int length = 0; length < bytes.length; length += step) {
            assertFailsCleanly(Arrays.copyOf(bytes, length), reader, true, "prefix of " + length + " bytes");
        }
        assertFailsCleanly(Arrays.copyOf(bytes, bytes.length - 1), reader, true, "all but the last byte");
    }

    /**
     * Overwrites random bytes of {@code bytes} with random values, {@code trials} times: the reader must either throw
     * an IOException or read something (a changed letter of a word is still a word), never throw anything else.
     */
    public static void assertCorruptionsFailCleanly(byte[] bytes, Reader<?> reader, long seed, int trials) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < trials; trial++) {
            byte[] corrupted = bytes.clone();
            int changes = 1 + random.nextInt(4);
            for (int i = 0; i < changes; i++) {
                corrupted[random.nextInt(corrupted.length)] = (byte) random.nextInt(256);
            }
            assertFailsCleanly(corrupted, reader, false, "trial " + trial);
        }
        for (int trial = 0; trial < trials / 10 + 1; trial++) {
            byte[] garbage = new byte[random.nextInt(1, 256)];
            for (int i = 0; i < garbage.length; i++) garbage[i] = (byte) random.nextInt(256);
            garbage[0] = 1; // past the version byte, into the fields
            assertFailsCleanly(garbage, reader, false, "garbage " + trial);
        }
    }

    private static void assertFailsCleanly(byte[] bytes, Reader<?> reader, boolean mustFail, String what) {
        try {
            reader.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException expected) {
            return; // refused: what a checkpoint reader should do
        } catch (RuntimeException | Error e) {
            throw new AssertionError("not an IOException from " + what + ": " + e, e);
        }
        if (mustFail) fail("read succeeded from " + what);
    }
}
