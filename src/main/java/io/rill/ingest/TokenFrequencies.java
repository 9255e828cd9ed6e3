package io.rill.ingest;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A stream's token frequencies: each distinct token gets an id, in order of first sight, and a count, bounded to
 * {@code maxDistinct} ids (a token first seen after that is not entered). Built for the ingest hot path: a token
 * read straight from a record's bytes ({@link #increment(byte[], int, int, int)}) is found by its hash and bytes in
 * an open-addressing table, with no String and no copy; a String is made for an id only when someone asks for it
 * ({@link #token}) and then kept. Tokens can be entered as Strings too ({@link #increment(String)}: non-ASCII text
 * and the other tokenizers), and both forms of a token are the same entry.
 *
 * <p>Layout: the tokens' UTF-8 bytes one after the other in one array (ids in order), their starts, lengths, hashes
 * ({@link String#hashCode()} of the token) and counts in arrays by id, and a table of {@code id + 1} by slot, at most
 * half full. Writing it to a checkpoint is copying those arrays ({@link #writeTo}). Not thread-safe: one stream actor
 * owns it.
 */
final class TokenFrequencies {

    private static final int MIN_SLOTS = 1 << 10;
    private static final int MAX_TOKEN_BYTES = Integer.MAX_VALUE - 8;

    private final int maxDistinct;
    private int size;
    /** {@code id + 1} by slot, 0 for an empty slot; the slot of a hash is its Fibonacci mix's top bits. */
    private int[] slots = new int[MIN_SLOTS];
    private int shift = 32 - Integer.numberOfTrailingZeros(MIN_SLOTS);
    private byte[] arena = new byte[8 * 1024];
    private int arenaUsed;
    private int[] starts = new int[256];
    private int[] lengths = new int[256];
    private int[] hashes = new int[256];
    private long[] counts = new long[256];
    private String[] strings = new String[256];

    TokenFrequencies(int maxDistinct) {
        if (maxDistinct < 0) throw new IllegalArgumentException("maxDistinct " + maxDistinct);
        this.maxDistinct = maxDistinct;
    }

    int size() {
        return size;
    }

    long count(int id) {
        return counts[id];
    }

    /** The token of {@code id}, made once. */
    String token(int id) {
        String s = strings[id];
        if (s == null) {
            s = decode(arena, starts[id], lengths[id]);
            strings[id] = s;
        }
        return s;
    }

    /**
     * Counts the token {@code text[from, to)} read lower-cased (each byte | 0x20; ASCII only) whose
     * {@link String#hashCode()} is {@code hash}; returns its id, or -1 when it is new and the table is full.
     */
    int increment(byte[] text, int from, int to, int hash) {
        int length = to - from;
        int[] table = slots;
        int mask = table.length - 1;
        int slot = (hash * 0x9E3779B9) >>> shift;
        while (true) {
            int entry = table[slot];
            if (entry == 0) {
                break;
            }
            int id = entry - 1;
            if (hashes[id] == hash && lengths[id] == length && sameLowered(starts[id], text, from, length)) {
                counts[id]++;
                return id;
            }
            slot = (slot + 1) & mask;
        }
        if (size >= maxDistinct) {
            return -1;
        }
        int id = add(hash, length, slot);
        byte[] bytes = arena;
        int at = starts[id];
        for (int k = 0; k < length; k++) {
            bytes[at + k] = (byte) (text[from + k] | 0x20);
        }
        return id;
    }

    private boolean sameLowered(int start, byte[] text, int from, int length) {
        byte[] bytes = arena;
        for (int k = 0; k < length; k++) {
            if (bytes[start + k] != (byte) (text[from + k] | 0x20)) {
                return false;
            }
        }
        return true;
    }

    /** Counts {@code token}; returns its id, or -1 when it is new and the table is full. */
    int increment(String token) {
        int id = find(token);
        if (id >= 0) {
            counts[id]++;
            return id;
        }
        if (size >= maxDistinct) {
            return -1;
        }
        return enter(token, 1);
    }

    /** The id of {@code token}, or -1. */
    int find(String token) {
        int hash = token.hashCode();
        int[] table = slots;
        int mask = table.length - 1;
        int slot = (hash * 0x9E3779B9) >>> shift;
        while (true) {
            int entry = table[slot];
            if (entry == 0) {
                return -1;
            }
            int id = entry - 1;
            if (hashes[id] == hash && sameToken(id, token)) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
    }

    private boolean sameToken(int id, String token) {
        String s = strings[id];
        if (s != null) {
            return s.equals(token);
        }
        // Entered from ASCII bytes (strings of other tokens are made when they are entered): one byte per char.
        int length = lengths[id];
        if (length != token.length()) {
            return false;
        }
        int start = starts[id];
        for (int k = 0; k < length; k++) {
            if (arena[start + k] != token.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Enters a token known to be absent (see {@link #find}) with {@code count}; returns its id. */
    int enter(String token, long count) {
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        int hash = token.hashCode();
        int slot = freeSlot(hash);
        int id = add(hash, utf8.length, slot);
        System.arraycopy(utf8, 0, arena, starts[id], utf8.length);
        counts[id] = count;
        if (utf8.length != token.length()) {
            strings[id] = token; // not ASCII: compared as a String from now on
        }
        return id;
    }

    private int freeSlot(int hash) {
        int mask = slots.length - 1;
        int slot = (hash * 0x9E3779B9) >>> shift;
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Makes room for a new id of {@code length} bytes at {@code slot} (found empty for {@code hash}); count 1. */
    private int add(int hash, int length, int slot) {
        int id = size;
        if (id == starts.length) {
            int capacity = (int) Math.min((long) id * 2, Math.max(maxDistinct, 1));
            starts = Arrays.copyOf(starts, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
            hashes = Arrays.copyOf(hashes, capacity);
            counts = Arrays.copyOf(counts, capacity);
            strings = Arrays.copyOf(strings, capacity);
        }
        if ((long) arenaUsed + length > arena.length) {
            long wanted = Math.max((long) arena.length * 2, (long) arenaUsed + length);
            if (wanted > MAX_TOKEN_BYTES) {
                wanted = MAX_TOKEN_BYTES;
                if ((long) arenaUsed + length > wanted) {
                    throw new IllegalStateException("token frequencies: more than " + MAX_TOKEN_BYTES + " bytes");
                }
            }
            arena = Arrays.copyOf(arena, (int) wanted);
        }
        starts[id] = arenaUsed;
        lengths[id] = length;
        hashes[id] = hash;
        counts[id] = 1;
        arenaUsed += length;
        slots[slot] = id + 1;
        size++;
        if (size * 2L > slots.length) {
            grow();
        }
        return id;
    }

    private void grow() {
        int[] table = new int[slots.length * 2];
        shift--;
        int mask = table.length - 1;
        for (int id = 0; id < size; id++) {
            int slot = (hashes[id] * 0x9E3779B9) >>> shift;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = id + 1;
        }
        slots = table;
    }

    /** Writes the ids' tokens and counts: their lengths, their bytes one after the other, their counts. */
    void writeTo(DataOutput out) throws IOException {
        StateFormat.writeInts(out, lengths, 0, size);
        out.write(arena, 0, arenaUsed);
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
            int chunk = Math.min(bytes.length, n) - read;
            in.readFully(bytes, read, chunk);
            read += chunk;
        }
        return bytes;
    }

    private static String strictDecode(byte[] bytes, int start, int length) throws IOException {
        boolean ascii = true;
        for (int k = 0; k < length; k++) {
            if (bytes[start + k] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("a stream token is not UTF-8: " + e, e);
        }
    }

    private static String decode(byte[] bytes, int start, int length) {
        // Only ASCII tokens are made here (others keep the String they were entered as).
        return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
    }
}
