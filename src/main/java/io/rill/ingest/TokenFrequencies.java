package io.rill.ingest;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A stream's token frequencies: each distinct token gets an id, in order of first sight, and a count, bounded to
 * {@code maxDistinct} ids (a token first seen after that is not entered). Built for the ingest hot path: a token
 * read straight from a record's bytes ({@link #increment(byte[], int, int)}) is found in an open-addressing table
 * with no String and no copy, and most of the time by touching one slot: a slot holds the token's first eight bytes,
 * its length, id and count, so a token of up to eight bytes (most words) is compared and counted right there. A
 * String is made for an id only when someone asks for it ({@link #token}) and then kept. Tokens can be entered as
 * Strings too ({@link #increment(String)}: non-ASCII text and the other tokenizers); both forms of a token are the
 * same entry.
 *
 * <p>A token is its canonical bytes: the UTF-8 bytes of its String, which for a word read from ASCII bytes are those
 * bytes lower-cased (each | 0x20). Layout: those bytes one after the other in one array (ids in order) with their
 * starts and lengths by id, and the table: four longs per slot (first eight bytes, zero-padded; length and
 * {@code id + 1}; count; hash), at most half full. Writing it to a checkpoint is copying arrays ({@link #writeTo}).
 * Not thread-safe: one stream actor owns it.
 */
final class TokenFrequencies {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOWER = 0x2020202020202020L;
    private static final long MIX = 0x9E3779B97F4A7C15L;
    private static final int MIN_SLOTS = 1 << 10;
    private static final int MAX_TOKEN_BYTES = Integer.MAX_VALUE - 8;
    /** Longs per slot: KEY (first 8 bytes), ENTRY (length << 32 | id + 1; 0 = empty), COUNT, HASH. */
    private static final int KEY = 0;
    private static final int ENTRY = 1;
    private static final int COUNT = 2;
    private static final int HASH = 3;

    private final int maxDistinct;
    private int size;
    private long[] table = new long[MIN_SLOTS * 4];
    private int shift = 32 - Integer.numberOfTrailingZeros(MIN_SLOTS);
    private byte[] arena = new byte[8 * 1024];
    private int arenaUsed;
    private int[] starts = new int[256];
    private int[] lengths = new int[256];
    /** The slot of each id (its count lives there). */
    private int[] slotOf = new int[256];
    private String[] strings = new String[256];

    TokenFrequencies(int maxDistinct) {
        if (maxDistinct < 0) throw new IllegalArgumentException("maxDistinct " + maxDistinct);
        this.maxDistinct = maxDistinct;
    }

    int size() {
        return size;
    }

    long count(int id) {
        return table[slotOf[id] * 4 + COUNT];
    }

    /** The token of {@code id}, made once. */
    String token(int id) {
        String s = strings[id];
        if (s == null) {
            // Only ASCII tokens are made here: others keep the String they were entered as.
            s = new String(arena, starts[id], lengths[id], StandardCharsets.ISO_8859_1);
            strings[id] = s;
        }
        return s;
    }

    /** The first {@code min(8, n)} bytes of {@code text} from {@code from}, each | 0x20, zero-padded. */
    private static long loweredKey(byte[] text, int from, int n) {
        if (n >= 8 && from + 8 <= text.length) {
            return (long) LONGS.get(text, from) | LOWER;
        }
        if (from + 8 <= text.length) {
            return ((long) LONGS.get(text, from) | LOWER) & ((1L << (n << 3)) - 1);
        }
        long key = 0;
        for (int k = Math.min(n, 8) - 1; k >= 0; k--) {
            key = key << 8 | ((text[from + k] | 0x20) & 0xFF);
        }
        return key;
    }

    /** The hash of a token from its key and, past eight bytes, the rest of its bytes (lowered when read). */
    private static int hash(long key, byte[] text, int from, int n, boolean lower) {
        long h = key * MIX;
        long or = lower ? LOWER : 0;
        int k = 8;
        for (; k + 8 <= n; k += 8) {
            h = (h ^ ((long) LONGS.get(text, from + k) | or)) * MIX;
        }
        if (k < n) {
            int rest = n - k;
            long word;
            if (from + k + 8 <= text.length) {
                word = ((long) LONGS.get(text, from + k) | or) & ((1L << (rest << 3)) - 1);
            } else {
                word = 0;
                for (int b = rest - 1; b >= 0; b--) {
                    word = word << 8 | ((text[from + k + b] | (int) (or & 0xFF)) & 0xFF);
                }
            }
            h = (h ^ word) * MIX;
        }
        return (int) (h >>> 32) ^ n;
    }

    /**
     * Counts the token {@code text[from, to)} read lower-cased (each byte | 0x20; ASCII only); returns its id, or -1
     * when it is new and the table is full.
     */
    int increment(byte[] text, int from, int to) {
        int length = to - from;
        long key = loweredKey(text, from, length);
        int hash = length <= 8 ? (int) ((key * MIX) >>> 32) ^ length : hash(key, text, from, length, true);
        long[] t = table;
        int mask = (t.length >> 2) - 1;
        long entryLength = (long) length << 32;
        int slot = hash * 0x9E3779B9 >>> shift;
        while (true) {
            int at = slot << 2;
            long entry = t[at + ENTRY];
            if (entry == 0) {
                break;
            }
            if (t[at + KEY] == key && (entry & 0xFFFFFFFF00000000L) == entryLength
                    && (length <= 8 || sameLowered((int) entry - 1, text, from, length))) {
                t[at + COUNT]++;
                return (int) entry - 1;
            }
            slot = (slot + 1) & mask;
        }
        if (size >= maxDistinct) {
            return -1;
        }
        int id = add(key, hash, length, slot);
        byte[] bytes = arena;
        int at = starts[id];
        for (int k = 0; k < length; k++) {
            bytes[at + k] = (byte) (text[from + k] | 0x20);
        }
        return id;
    }

    private boolean sameLowered(int id, byte[] text, int from, int length) {
        byte[] bytes = arena;
        int start = starts[id];
        for (int k = 8; k < length; k++) {
            if (bytes[start + k] != (byte) (text[from + k] | 0x20)) {
                return false;
            }
        }
        return true;
    }

    /** Counts {@code token}; returns its id, or -1 when it is new and the table is full. */
    int increment(String token) {
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        int slot = find(utf8);
        if (slot >= 0) {
            table[(slot << 2) + COUNT]++;
            return (int) table[(slot << 2) + ENTRY] - 1;
        }
        if (size >= maxDistinct) {
            return -1;
        }
        return enter(token, utf8, 1, -1 - slot);
    }

    /** The id of {@code token}, or -1. */
    int find(String token) {
        int slot = find(token.getBytes(StandardCharsets.UTF_8));
        return slot >= 0 ? (int) table[(slot << 2) + ENTRY] - 1 : -1;
    }

    /** The slot of the token whose canonical bytes are {@code utf8}, or {@code -1 - the empty slot} for it. */
    private int find(byte[] utf8) {
        int length = utf8.length;
        long key = key(utf8);
        int hash = length <= 8 ? (int) ((key * MIX) >>> 32) ^ length : hash(key, utf8, 0, length, false);
        long[] t = table;
        int mask = (t.length >> 2) - 1;
        int slot = hash * 0x9E3779B9 >>> shift;
        while (true) {
            int at = slot << 2;
            long entry = t[at + ENTRY];
            if (entry == 0) {
                return -1 - slot;
            }
            if (t[at + KEY] == key && (int) (entry >>> 32) == length
                    && (length <= 8 || Arrays.equals(arena, starts[(int) entry - 1] + 8,
                    starts[(int) entry - 1] + length, utf8, 8, length))) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static long key(byte[] utf8) {
        long key = 0;
        for (int k = Math.min(utf8.length, 8) - 1; k >= 0; k--) {
            key = key << 8 | (utf8[k] & 0xFF);
        }
        return key;
    }

    /** Enters a token known to be absent (see {@link #find}) with {@code count}; returns its id. */
    int enter(String token, long count) {
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        int slot = find(utf8);
        if (slot >= 0) {
            throw new IllegalArgumentException("token \"" + token + "\" is entered already");
        }
        return enter(token, utf8, count, -1 - slot);
    }

    private int enter(String token, byte[] utf8, long count, int slot) {
        long key = key(utf8);
        int length = utf8.length;
        int hash = length <= 8 ? (int) ((key * MIX) >>> 32) ^ length : hash(key, utf8, 0, length, false);
        int id = add(key, hash, length, slot);
        System.arraycopy(utf8, 0, arena, starts[id], length);
        table[(slotOf[id] << 2) + COUNT] = count;
        if (length != token.length()) {
            strings[id] = token; // not ASCII: kept as entered
        }
        return id;
    }

    /** Makes room for a new id of {@code length} bytes at {@code slot} (found empty for its hash), count 1. */
    private int add(long key, int hash, int length, int slot) {
        int id = size;
        if (id == starts.length) {
            int capacity = (int) Math.min((long) id * 2, Math.max(maxDistinct, 1));
            starts = Arrays.copyOf(starts, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
            slotOf = Arrays.copyOf(slotOf, capacity);
            strings = Arrays.copyOf(strings, capacity);
        }
        if ((long) arenaUsed + length > arena.length) {
            long wanted = Math.min(Math.max((long) arena.length * 2, (long) arenaUsed + length), MAX_TOKEN_BYTES);
            if ((long) arenaUsed + length > wanted) {
                throw new IllegalStateException("token frequencies: more than " + MAX_TOKEN_BYTES + " bytes");
            }
            arena = Arrays.copyOf(arena, (int) wanted);
        }
        starts[id] = arenaUsed;
        lengths[id] = length;
        arenaUsed += length;
        int at = slot << 2;
        table[at + KEY] = key;
        table[at + ENTRY] = (long) length << 32 | (id + 1);
        table[at + COUNT] = 1;
        table[at + HASH] = hash;
        slotOf[id] = slot;
        size++;
        if (size * 2L > table.length >> 2) {
            grow();
        }
        return id;
    }

    private void grow() {
        long[] old = table;
        long[] t = new long[old.length * 2];
        shift--;
        int mask = (t.length >> 2) - 1;
        for (int from = 0; from < old.length; from += 4) {
            long entry = old[from + ENTRY];
            if (entry == 0) {
                continue;
            }
            int slot = (int) old[from + HASH] * 0x9E3779B9 >>> shift;
            while (t[(slot << 2) + ENTRY] != 0) {
                slot = (slot + 1) & mask;
            }
            System.arraycopy(old, from, t, slot << 2, 4);
            slotOf[(int) entry - 1] = slot;
        }
        table = t;
    }

    /** Writes the ids' tokens and counts: their lengths, their bytes one after the other, their counts. */
    void writeTo(DataOutput out) throws IOException {
        StateFormat.writeInts(out, lengths, 0, size);
        out.write(arena, 0, arenaUsed);
        long[] counts = new long[size];
        for (int id = 0; id < size; id++) {
            counts[id] = count(id);
        }
        StateFormat.writeLongs(out, counts, 0, size);
    }

    /** Reads what {@link #writeTo} wrote; refuses more than {@code maxDistinct} tokens, bad text or repeats. */
    static TokenFrequencies readFrom(DataInput in, int maxDistinct) throws IOException {
        int[] lengths = StateFormat.readInts(in, Integer.MAX_VALUE - 8, "lengths of the stream's tokens");
        if (lengths.length > maxDistinct) {
            throw new IOException("the stream counts hold " + lengths.length + " token frequencies, more than the "
                    + "configured " + maxDistinct);
        }
        long total = 0;
        for (int length : lengths) {
            StateFormat.check(length >= 0, "a stream token of " + length + " bytes");
            total += length;
        }
        StateFormat.check(total <= MAX_TOKEN_BYTES, "stream tokens of " + total + " bytes");
        byte[] bytes = readChunked(in, (int) total);
        long[] counts = StateFormat.readLongs(in, lengths.length, "frequencies of the stream's tokens");
        StateFormat.check(counts.length == lengths.length, "frequencies of " + counts.length + " tokens for "
                + lengths.length);
        TokenFrequencies frequencies = new TokenFrequencies(maxDistinct);
        int at = 0;
        for (int i = 0; i < lengths.length; i++) {
            String token = strictDecode(bytes, at, lengths[i]);
            at += lengths[i];
            StateFormat.check(counts[i] >= 1, "frequency " + counts[i] + " of a stream token");
            StateFormat.check(frequencies.find(token) < 0, "token \"" + token + "\" twice");
            frequencies.enter(token, counts[i]);
        }
        return frequencies;
    }

    /** Reads {@code n} bytes without trusting {@code n} for an allocation up front: damaged input ends early. */
    private static byte[] readChunked(DataInput in, int n) throws IOException {
        byte[] bytes = new byte[Math.min(n, 1 << 16)];
        int read = 0;
        while (read < n) {
            if (read == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(n, (long) bytes.length * 2));
            }
            int chunk = bytes.length - read;
            in.readFully(bytes, read, chunk);
            read += chunk;
        }
        return bytes;
    }

    private static String strictDecode(byte[] bytes, int start, int length) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("a stream token is not UTF-8: " + e, e);
        }
    }
}
