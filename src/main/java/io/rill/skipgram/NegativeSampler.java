package io.rill.skipgram;

import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Draws negative words from the smoothed unigram distribution count(w)^0.75 over the trainable
 * words of a {@link Vocabulary}, kept current while the stream flows.
 *
 * <p><b>Choice.</b> word2vec.c fills a 10^8-entry table once, from the final counts. A stream has no
 * final counts, so this keeps an immutable {@link AliasTable} and rebuilds it from the live counts
 * when due: every {@code rebuildEveryTokens} tokens, and also whenever the number of trainable
 * words has doubled since the last build (so the early stream, where the vocabulary grows fast,
 * is not stuck with a table of a handful of words). Draws are O(1) and exact for the counts at the
 * last build; staleness is bounded by the rebuild interval; a rebuild is O(V) and amortises to
 * O(V / interval) per token. The alternative is the incremental unigram table of Kaji and Kobayashi
 * (2017), a reservoir-like fixed-size table updated per token: no rebuild pauses, but its
 * resolution is bounded by the table size and its distribution is only approximately the target.
 * Rebuilding also lets one table be handed to many workers as an immutable snapshot.
 *
 * <p>Not thread-safe (one owner rebuilds); the tables it hands out are immutable.
 *
 * <p>Its state for a checkpoint: the current table and the token and trainable counts it was built
 * at, which decide the next rebuild. The id and weight arrays are scratch space for rebuilds.
 */
public final class NegativeSampler {
    public static final double POWER = 0.75;
    private static final int FORMAT = 1; // of writeTo's data

    private final long rebuildEveryTokens;
    private AliasTable table = AliasTable.EMPTY;
    private long builtAtTokens;
    private int builtWithTrainable;
    private int[] ids = new int[0];
    private double[] weights = new double[0];

    public NegativeSampler(long rebuildEveryTokens) {
        if (rebuildEveryTokens < 1) throw new IllegalArgumentException("rebuildEveryTokens " + rebuildEveryTokens);
        this.rebuildEveryTokens = rebuildEveryTokens;
    }

    /** Rebuilds the table if it is due (see the class comment); returns whether it did. */
    public boolean refresh(Vocabulary vocab) {
        int trainable = vocab.trainableCount();
        boolean due = vocab.totalTokens() - builtAtTokens >= rebuildEveryTokens
                || (trainable > 0 && trainable >= 2 * builtWithTrainable);
        if (due) rebuild(vocab);
        return due;
    }

    public void rebuild(Vocabulary vocab) {
        int limit = vocab.idLimit();
        if (ids.length < limit) {
            ids = new int[limit];
            weights = new double[limit];
        }
        int n = 0;
        for (int id = 0; id < limit; id++) {
            if (vocab.isTrainable(id)) {
                ids[n] = id;
                weights[n++] = Math.pow(vocab.count(id), POWER);
            }
        }
        table = AliasTable.build(ids, weights, n);
        builtAtTokens = vocab.totalTokens();
        builtWithTrainable = n;
    }

    /** One negative word id, or {@link Vocabulary#NONE} while no word is trainable. */
    public int sample(SplitMix64 rng) {
        return table.sample(rng);
    }

    /** Fills {@code out[from .. from+count)} with negatives. */
    public void sample(int[] out, int from, int count, SplitMix64 rng) {
        AliasTable t = table;
        for (int i = from, end = from + count; i < end; i++) out[i] = t.sample(rng);
    }

    /** The current table, immutable: safe to share with other workers. */
    public AliasTable table() {
        return table;
    }

    /** Writes the table and what decides the next rebuild; {@link #readFrom} restores them. */
    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeLong(builtAtTokens);
        out.writeInt(builtWithTrainable);
        table.writeTo(out);
    }

    /**
     * Restores a sampler written by {@link #writeTo} for {@code vocabulary}, already restored: the
     * table may draw only its trainable words. {@code rebuildEveryTokens} is the configured interval.
     */
    public static NegativeSampler readFrom(DataInput in, long rebuildEveryTokens, Vocabulary vocabulary)
            throws IOException {
        StateFormat.readVersion(in, "negative sampler", FORMAT);
        NegativeSampler sampler = new NegativeSampler(rebuildEveryTokens);
        sampler.builtAtTokens = StateFormat.readLong(in, 0, vocabulary.totalTokens(), "negative table's token count");
        sampler.builtWithTrainable = StateFormat.readInt(in, 0, vocabulary.trainableCount(),
                "negative table's trainable count");
        sampler.table = AliasTable.readFrom(in,
                id -> id >= 0 && id < vocabulary.idLimit() && vocabulary.isTrainable(id));
        StateFormat.check(sampler.table.size() == sampler.builtWithTrainable, "negative table of "
                + sampler.table.size() + " words, built with " + sampler.builtWithTrainable);
        return sampler;
    }
}
