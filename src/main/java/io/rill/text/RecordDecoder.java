package io.rill.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;

/**
 * Turns a Kafka record's value into text, or says precisely why it cannot. Decoding is strict: malformed or
 * truncated UTF-8 is an error, never replaced by U+FFFD, because a silently mangled record would teach the models
 * characters nobody wrote. Not thread-safe (the JDK decoder keeps state); use one per stream.
 */
public final class RecordDecoder {

    private final int maxRecordBytes;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    public RecordDecoder(int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("max-record-bytes must be positive, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    public Decoded decode(byte[] value) {
        if (value == null) {
            return new Decoded.Rejected(RejectReason.NULL_VALUE, "record value is null");
        }
        if (value.length == 0) {
            return new Decoded.Rejected(RejectReason.EMPTY, "record value is 0 bytes");
        }
        if (value.length > maxRecordBytes) {
            return new Decoded.Rejected(RejectReason.TOO_LARGE,
                    "record value is " + value.length + " bytes, limit is " + maxRecordBytes);
        }
        Decoded ascii = decodeAscii(value);
        if (ascii != null) {
            return ascii;
        }
        String text;
        try {
            text = utf8.reset().decode(ByteBuffer.wrap(value)).toString();
        } catch (MalformedInputException e) {
            return new Decoded.Rejected(RejectReason.MALFORMED_UTF8,
                    "malformed UTF-8 at byte " + malformedOffset(value) + " (" + e.getInputLength() + " bad bytes)");
        } catch (CharacterCodingException e) {
            return new Decoded.Rejected(RejectReason.MALFORMED_UTF8, "undecodable UTF-8: " + e);
        }
        return checkCharacters(text);
    }

    /**
     * The common case without a String: null when {@code value} is text that {@link #decode} accepts and every byte
     * is ASCII (so the bytes are the text, one char per byte: {@link WordTokenizer#scanAscii} reads them as they
     * are); otherwise what {@link #decode} says, the text of a non-ASCII value or why it is refused.
     */
    public Decoded decodeUnlessAscii(byte[] value) {
        if (value != null && value.length > 0 && value.length <= maxRecordBytes && isPlainAscii(value)) {
            return null;
        }
        return decode(value);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long ONES = 0x0101010101010101L;

    /**
     * ASCII with no control character but newline and tab, and not blank; eight bytes at a time (a word with a byte
     * of 0x80 or more, below 0x20 or 0x7F is looked at byte by byte), no allocation.
     */
    private static boolean isPlainAscii(byte[] value) {
        int n = value.length;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long w = (long) LONGS.get(value, i);
            long below20 = (w - 0x20 * ONES) & ~w;
            long x7f = w ^ (0x7F * ONES);
            long del = (x7f - ONES) & ~x7f;
            if (((w | below20 | del) & HIGH_BITS) != 0 && !plainBytes(value, i, i + 8)) {
                return false;
            }
        }
        if (!plainBytes(value, i, n)) {
            return false;
        }
        for (byte b : value) {
            if (b > ' ') {
                return true; // not blank
            }
        }
        return false;
    }

    private static boolean plainBytes(byte[] value, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = value[i];
            if ((b < 0x20 || b == 0x7F) && b != '\n' && b != '\t') { // negative bytes (non-ASCII) land here too
                return false;
            }
        }
        return true;
    }

    /**
     * The common case, pure ASCII, in one pass over the bytes: control characters and blankness are checked in the
     * same loop that proves the bytes are ASCII. Returns null at the first non-ASCII byte.
     */
    private static Decoded decodeAscii(byte[] value) {
        boolean blank = true;
        for (int i = 0; i < value.length; i++) {
            byte b = value[i];
            if (b < 0) {
                return null;
            }
            if (b < 0x20 || b == 0x7F) {
                if (b != '\n' && b != '\t') {
                    return new Decoded.Rejected(RejectReason.CONTROL_CHARACTER,
                            String.format("control character U+%04X at char %d", (int) b, i));
                }
            } else if (b != ' ') {
                blank = false;
            }
        }
        if (blank) {
            return new Decoded.Rejected(RejectReason.EMPTY, "record value holds only white space");
        }
        return new Decoded.Text(new String(value, StandardCharsets.ISO_8859_1)); // ASCII is valid UTF-8
    }

    private static Decoded checkCharacters(String text) {
        boolean blank = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\t' || c == ' ') {
                continue;
            }
            if (Character.isISOControl(c)) {
                return new Decoded.Rejected(RejectReason.CONTROL_CHARACTER,
                        String.format("control character U+%04X at char %d", (int) c, i));
            }
            if (!Character.isWhitespace(c)) {
                blank = false;
            }
        }
        if (blank) {
            return new Decoded.Rejected(RejectReason.EMPTY, "record value holds only white space");
        }
        return new Decoded.Text(text);
    }

    /** Finds the first offending byte again, only on the error path, so that the reason points at it. */
    private int malformedOffset(byte[] value) {
        CharsetDecoder probe = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(value);
        CharBuffer out = CharBuffer.allocate(value.length + 1);
        probe.decode(in, out, true);
        return in.position();
    }
}
