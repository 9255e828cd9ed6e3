package io.rill.skipgram;

import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The online vocabulary: maps each word to a dense int id the first time it is seen, counts its
 * occurrences, and says when it has become trainable (count reached {@code minCount}).
 *
 * <p>Ids index the rows of the embedding matrices, so they are dense and bounded by
 * {@link #capacity()}: memory stays fixed however long the stream runs.
 *
 * <p><b>Horizon.</b> With a horizon of H tokens, a word must be seen {@code minCount} times within H
 * tokens of the first of them: when a not-yet-trainable word comes back later than that, its count
 * starts again from this occurrence. A stream has no passes to count in, and without a horizon every
 * word that keeps turning up, however rarely (a misspelling once a month), becomes trainable in the end
 * and, never evicted, holds its rows for good; with one, min-count means "min-count per H tokens", a
 * frequency, as it does for word2vec over a corpus of H tokens. A corpus replayed k times with H its
 * size gives word2vec's vocabulary, where counting over all passes would admit words seen once a pass.
 *
 * <p><b>Eviction.</b> When a new word finds the table full, a <em>sweep</em> evicts non-trainable
 * words, lowest count first: it picks the smallest count threshold k such that at least
 * {@link #sweepTarget()} non-trainable words have count &le; k (or all of them, if there are fewer)
 * and evicts every non-trainable word with count &le; k. Evicted ids go to a free list and are
 * handed to later new words. This is lossy counting in spirit: a rare word that is evicted and seen
 * again restarts from count 1, so counts of non-trainable words are lower bounds, and a word must
 * reach {@code minCount} between two sweeps to stay. Trainable words are never evicted, so a
 * trainable word's id and count history are stable for the life of the vocabulary; their rows can
 * therefore be trained safely, and a recycled id never carries trained parameters (only trainable
 * words are ever fed to training).
 *
 * <p>If the sweep cannot free anything (every entry is trainable) the new word is dropped and
 * {@link #observe} returns {@link #NONE}. To keep the cost amortised O(1), a sweep runs only when at
 * least {@code sweepTarget} new words have arrived since the previous one; new words that find the
 * table full in between are dropped. A sweep costs O(capacity), so it is paid for by the
 * {@code sweepTarget} = capacity/8 new words before it.
 *
 * <p><b>Speed.</b> {@link #observe} runs once per token. It uses an open-addressing table (linear
 * probing) over int slots with the String's cached hash code, so a lookup allocates nothing. Not
 * thread-safe: one actor owns it.
 *
 * <p><b>Checkpoints.</b> {@link #writeTo} writes the words by id, their counts, the free-id stack in
 * its order and the counters; {@link #readFrom} rebuilds the hash table from them. The table's slot
 * layout may differ from the original's, but lookups only compare words, so every later call gives
 * the same ids, counts and evictions.
 */
public final class Vocabulary {
    public static final int NONE = -1;
    public static final int DEFAULT_MIN_COUNT = 5;
    private static final int FORMAT = 2; // of writeTo's data: 2 adds the horizon's start of each count

    private final int capacity;
    private final int minCount;
    private final int sweepTarget;
    /** A word must reach minCount within this many tokens of its count's start; 0: no limit. */
    private final long horizon;

    // Hash table: slot -> id + 1 (0 = empty). Sized to a power of two >= 2 * capacity, so the load
    // factor stays <= 1/2 and probe chains stay short.
    private final int[] slots;
    private final int mask;
    private final int shift;

    // Per-id columns. words[id] == null marks a free id.
    private final String[] words;
    private final int[] hashes;
    private final long[] counts;
    /** With a horizon: the token count at which each not-yet-trainable word's count started; else null. */
    private final long[] since;

    private final int[] freeIds;
    private int freeCount;
    private int nextFreshId;

    private int size;
    private int trainable;
    private long totalTokens;
    private long newWordsSinceSweep;
    private long evictedWords;
    private long droppedTokens;

    public Vocabulary(int capacity) {
        this(capacity, DEFAULT_MIN_COUNT);
    }

    public Vocabulary(int capacity, int minCount) {
        this(capacity, minCount, Math.max(1, capacity / 8));
    }

    /** @param sweepTarget how many words a sweep tries to free, and the least number of new words between sweeps */
    public Vocabulary(int capacity, int minCount, int sweepTarget) {
        this(capacity, minCount, sweepTarget, 0);
    }

    /**
     * @param horizon a word becomes trainable only if it is seen {@code minCount} times within this many tokens
     *                (counted from the first of them); 0 for no limit
     */
    public Vocabulary(int capacity, int minCount, int sweepTarget, long horizon) {
        if (horizon < 0) throw new IllegalArgumentException("horizon " + horizon);
        if (capacity < 1 || capacity > (1 << 29)) throw new IllegalArgumentException("capacity " + capacity);
        if (minCount < 1) throw new IllegalArgumentException("minCount " + minCount);
        if (sweepTarget < 1 || sweepTarget > capacity) throw new IllegalArgumentException("sweepTarget " + sweepTarget);
        this.capacity = capacity;
        this.minCount = minCount;
        this.sweepTarget = sweepTarget;
        int tableSize = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.slots = new int[tableSize];
        this.mask = tableSize - 1;
        this.shift = 32 - Integer.numberOfTrailingZeros(tableSize);
        this.words = new String[capacity];
        this.hashes = new int[capacity];
        this.counts = new long[capacity];
        this.horizon = horizon;
        this.since = horizon > 0 ? new long[capacity] : null;
        this.freeIds = new int[capacity];
        this.newWordsSinceSweep = sweepTarget; // the first time the table fills, sweep at once
    }

    /**
     * Counts one occurrence of {@code word} and returns its id, admitting it if new. Returns
     * {@link #NONE} if the word is new and there is no room (see the class comment).
     */
    public int observe(String word) {
        totalTokens++;
        int h = word.hashCode();
        int slot = home(h);
        for (int e; (e = slots[slot]) != 0; slot = (slot + 1) & mask) {
            int id = e - 1;
            if (hashes[id] == h && word.equals(words[id])) {
                long c = counts[id];
                if (c < minCount && since != null && totalTokens - since[id] >= horizon) {
                    counts[id] = 1; // too slow to count: start again from this occurrence
                    since[id] = totalTokens;
                } else if (c + 1 == minCount) {
                    counts[id] = c + 1;
                    trainable++;
                } else {
                    counts[id] = c + 1;
                }
                return id;
            }
        }
        return admit(word, h, slot);
    }

    /** The id of {@code word}, or {@link #NONE}; does not count. */
    public int idOf(String word) {
        int h = word.hashCode();
        for (int slot = home(h), e; (e = slots[slot]) != 0; slot = (slot + 1) & mask) {
            int id = e - 1;
            if (hashes[id] == h && word.equals(words[id])) return id;
        }
        return NONE;
    }

    /** The word holding {@code id}, or null if the id is free. */
    public String word(int id) {
        return words[id];
    }

    /** Occurrences of the word holding {@code id} since it was (last) admitted; 0 for a free id. */
    public long count(int id) {
        return counts[id];
    }

    public boolean isTrainable(int id) {
        return counts[id] >= minCount;
    }

    /** Every observed token, including those of words later evicted or dropped. */
    public long totalTokens() {
        return totalTokens;
    }

    /** Words currently held. */
    public int size() {
        return size;
    }

    public int trainableCount() {
        return trainable;
    }

    /** One past the highest id ever handed out: every live id is below it, and some below may be free. */
    public int idLimit() {
        return nextFreshId;
    }

    public int capacity() {
        return capacity;
    }

    public int minCount() {
        return minCount;
    }

    public int sweepTarget() {
        return sweepTarget;
    }

    /** Tokens within which a word must be seen minCount times to become trainable; 0: no limit. */
    public long horizon() {
        return horizon;
    }

    public long evictedWords() {
        return evictedWords;
    }

    /** Tokens of new words that found no room. */
    public long droppedTokens() {
        return droppedTokens;
    }

    private int home(int h) {
        return (h * 0x9E3779B9) >>> shift; // Fibonacci hashing spreads String.hashCode's weak low bits
    }

    private int admit(String word, int h, int slot) {
        newWordsSinceSweep++;
        if (size == capacity) {
            if (newWordsSinceSweep < sweepTarget || sweep() == 0) {
                droppedTokens++;
                return NONE;
            }
            slot = home(h);
            while (slots[slot] != 0) slot = (slot + 1) & mask;
        }
        int id = freeCount > 0 ? freeIds[--freeCount] : nextFreshId++;
        words[id] = word;
        hashes[id] = h;
        counts[id] = 1;
        if (since != null) since[id] = totalTokens;
        if (minCount == 1) trainable++;
        slots[slot] = id + 1;
        size++;
        return id;
    }

    /** Evicts the lowest-count non-trainable words and rebuilds the table; returns how many went. */
    private int sweep() {
        newWordsSinceSweep = 0;
        // Non-trainable counts lie in 1..minCount-1, so a tiny histogram finds the threshold in one pass.
        int[] histogram = new int[minCount];
        for (int id = 0; id < nextFreshId; id++) {
            long c = counts[id];
            if (words[id] != null && c < minCount) histogram[(int) c]++;
        }
        int threshold = 0;
        for (int seen = 0; threshold < minCount - 1 && seen < sweepTarget; ) seen += histogram[++threshold];
        if (threshold == 0) return 0;

        int evicted = 0;
        for (int id = 0; id < nextFreshId; id++) {
            if (words[id] != null && counts[id] <= threshold) {
                words[id] = null;
                counts[id] = 0;
                freeIds[freeCount++] = id;
                evicted++;
            }
        }
        if (evicted == 0) return 0;
        size -= evicted;
        evictedWords += evicted;
        Arrays.fill(slots, 0);
        for (int id = 0; id < nextFreshId; id++) {
            if (words[id] == null) continue;
            int slot = home(hashes[id]);
            while (slots[slot] != 0) slot = (slot + 1) & mask;
            slots[slot] = id + 1;
        }
        return evicted;
    }

    /** Writes the complete state; {@link #readFrom} restores it. */
    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeInt(capacity);
        out.writeInt(minCount);
        out.writeInt(sweepTarget);
        out.writeInt(nextFreshId);
        for (int id = 0; id < nextFreshId; id++) {
            out.writeBoolean(words[id] != null);
            if (words[id] != null) StateFormat.writeString(out, words[id]);
        }
        StateFormat.writeLongs(out, counts, 0, nextFreshId);
        out.writeBoolean(since != null);
        if (since != null) StateFormat.writeLongs(out, since, 0, nextFreshId);
        StateFormat.writeInts(out, freeIds, 0, freeCount);
        out.writeLong(totalTokens);
        out.writeLong(newWordsSinceSweep);
        out.writeLong(evictedWords);
        out.writeLong(droppedTokens);
    }

    /**
     * Restores a vocabulary written by {@link #writeTo}. {@code capacity} and {@code minCount} are
     * the configured ones: a vocabulary written with others is refused, because ids index rows
     * sized by the capacity, and a changed minCount would let trained words be evicted.
     */
    public static Vocabulary readFrom(DataInput in, int capacity, int minCount) throws IOException {
        return readFrom(in, capacity, minCount, 0);
    }

    /**
     * As {@link #readFrom(DataInput, int, int)} with the configured {@code horizon}. A vocabulary written without the
     * horizon's starts (format 1, or with no horizon) starts every count's horizon at the tokens seen so far.
     */
    public static Vocabulary readFrom(DataInput in, int capacity, int minCount, long horizon) throws IOException {
        int format = StateFormat.readVersion(in, "vocabulary", FORMAT);
        int storedCapacity = in.readInt();
        int storedMinCount = in.readInt();
        if (storedCapacity != capacity || storedMinCount != minCount) {
            throw new IOException("the vocabulary was written with capacity " + storedCapacity + " and min count "
                    + storedMinCount + ", not the configured " + capacity + " and " + minCount);
        }
        int sweepTarget = StateFormat.readInt(in, 1, capacity, "vocabulary sweep target");
        Vocabulary v = new Vocabulary(capacity, minCount, sweepTarget, horizon);
        int idLimit = StateFormat.readInt(in, 0, capacity, "vocabulary id limit");
        for (int id = 0; id < idLimit; id++) {
            if (in.readBoolean()) v.words[id] = StateFormat.readString(in, "vocabulary word");
        }
        long[] counts = StateFormat.readLongs(in, capacity, "vocabulary counts");
        StateFormat.check(counts.length == idLimit, counts.length + " vocabulary counts for " + idLimit + " ids");
        System.arraycopy(counts, 0, v.counts, 0, idLimit);
        long[] since = null;
        if (format >= 2 && in.readBoolean()) {
            since = StateFormat.readLongs(in, capacity, "vocabulary count starts");
            StateFormat.check(since.length == idLimit, since.length + " vocabulary count starts for " + idLimit + " ids");
        }
        v.nextFreshId = idLimit;
        for (int id = 0; id < idLimit; id++) {
            String word = v.words[id];
            if (word == null) {
                StateFormat.check(v.counts[id] == 0, "free vocabulary id " + id + " has count " + v.counts[id]);
                continue;
            }
            StateFormat.check(v.counts[id] >= 1, "count " + v.counts[id] + " of vocabulary word " + id);
            int h = word.hashCode();
            int slot = v.home(h);
            for (int e; (e = v.slots[slot]) != 0; slot = (slot + 1) & v.mask) {
                StateFormat.check(!(v.hashes[e - 1] == h && word.equals(v.words[e - 1])),
                        "vocabulary ids " + (e - 1) + " and " + id + " hold the same word");
            }
            v.hashes[id] = h;
            v.slots[slot] = id + 1;
            v.size++;
            if (v.counts[id] >= minCount) v.trainable++;
        }
        // The free ids are exactly the unheld ones below the limit, stacked in the order they are to be reused.
        int[] free = StateFormat.readInts(in, capacity, "vocabulary free ids");
        StateFormat.check(free.length == idLimit - v.size, free.length + " free vocabulary ids, "
                + (idLimit - v.size) + " unheld");
        boolean[] seen = new boolean[idLimit];
        for (int id : free) {
            StateFormat.check(id >= 0 && id < idLimit && v.words[id] == null && !seen[id], "free vocabulary id " + id);
            seen[id] = true;
        }
        System.arraycopy(free, 0, v.freeIds, 0, free.length);
        v.freeCount = free.length;
        v.totalTokens = StateFormat.readLong(in, 0, Long.MAX_VALUE, "vocabulary total tokens");
        v.newWordsSinceSweep = StateFormat.readLong(in, 0, Long.MAX_VALUE, "vocabulary new words since the sweep");
        v.evictedWords = StateFormat.readLong(in, 0, Long.MAX_VALUE, "vocabulary evicted words");
        v.droppedTokens = StateFormat.readLong(in, 0, Long.MAX_VALUE, "vocabulary dropped tokens");
        if (v.since != null) {
            if (since != null) {
                for (long start : since) StateFormat.check(start >= 0 && start <= v.totalTokens, "count start " + start);
                System.arraycopy(since, 0, v.since, 0, idLimit);
            } else {
                java.util.Arrays.fill(v.since, 0, idLimit, v.totalTokens);
            }
        }
        return v;
    }
}
