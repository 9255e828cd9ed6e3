package io.rill.ps;

import io.rill.nn.FloatVectors;
import io.rill.skipgram.SgnsKernel;
import io.rill.skipgram.SplitMix64;
import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The rows one parameter-server shard of the word embeddings owns, and its version: the input and output rows of the
 * word ids {@code id % shards == index}, at local row {@code id / shards}, in two plain float arrays grown as ids
 * appear. A row is created on first use: input uniform in ±0.5/dim, seeded by its id (as word2vec), so a row's start
 * does not depend on when it was first asked for; output at 0. The version counts the pushes applied.
 *
 * <p>It is the {@link EmbeddingShard}'s state as a plain object, so that it can be written to a checkpoint with
 * {@link #writeTo} and restored with {@link #readFrom}, and so the row loops stay plain array loops (one ND4J call
 * costs more than updating a row by hand). Not thread-safe: one actor owns it.
 */
public final class EmbeddingRows {
    private static final int FORMAT = 1; // of writeTo's data

    private final int index;
    private final int shards;
    private final int dim;
    private final long seed;
    private float[] in = new float[0];
    private float[] out = new float[0];
    private boolean[] initialised = new boolean[0];
    private long version;

    public EmbeddingRows(int index, int shards, int dim, long seed) {
        if (shards < 1 || index < 0 || index >= shards || dim < 1) {
            throw new IllegalArgumentException("shard " + index + " of " + shards + ", dimension " + dim);
        }
        this.index = index;
        this.shards = shards;
        this.dim = dim;
        this.seed = seed;
    }

    /** Copies of the input rows of {@code ids}, row-major in their order; creates the rows first used. */
    public float[] copyInputRows(int[] ids) {
        float[] rows = new float[ids.length * dim];
        for (int i = 0; i < ids.length; i++) {
            int row = rowOf(ids[i]); // first: it may grow the arrays
            System.arraycopy(in, row * dim, rows, i * dim, dim);
        }
        return rows;
    }

    /** Copies of the output rows of {@code ids}, row-major in their order; creates the rows first used. */
    public float[] copyOutputRows(int[] ids) {
        float[] rows = new float[ids.length * dim];
        for (int i = 0; i < ids.length; i++) {
            int row = rowOf(ids[i]);
            System.arraycopy(out, row * dim, rows, i * dim, dim);
        }
        return rows;
    }

    /** Adds one push's row deltas (row-major, in the order of the ids) and counts a version. */
    public void apply(int[] inIds, float[] inDeltas, int[] outIds, float[] outDeltas) {
        addRows(true, inIds, inDeltas);
        addRows(false, outIds, outDeltas);
        version++;
    }

    private void addRows(boolean input, int[] ids, float[] deltas) {
        for (int i = 0; i < ids.length; i++) {
            int row = rowOf(ids[i]); // rows were created by the pull this push follows
            FloatVectors.axpy(1f, deltas, i * dim, input ? in : out, row * dim, dim);
        }
    }

    /** Input rows of ids {@code index, index + shards, ...} below {@code idLimit}, row-major, unset rows zero. */
    public float[] inputRowsBelow(int idLimit) {
        int rows = (idLimit - index + shards - 1) / shards;
        float[] copy = new float[Math.max(0, rows) * dim];
        System.arraycopy(in, 0, copy, 0, Math.min(copy.length, in.length));
        return copy;
    }

    /** Pushes applied so far. */
    public long version() {
        return version;
    }

    public int index() {
        return index;
    }

    public int shards() {
        return shards;
    }

    public int dimension() {
        return dim;
    }

    /** The local row of a word id, growing and initialising rows on first use. */
    private int rowOf(int id) {
        if (id % shards != index) {
            throw new IllegalArgumentException("word id " + id + " belongs to shard " + id % shards + ", not " + index);
        }
        int row = id / shards;
        if (row >= initialised.length) {
            int rows = Math.max(row + 1, initialised.length * 2);
            in = Arrays.copyOf(in, rows * dim);
            out = Arrays.copyOf(out, rows * dim);
            initialised = Arrays.copyOf(initialised, rows);
        }
        if (!initialised[row]) {
            SgnsKernel.initInputRow(in, row, dim, new SplitMix64(seed ^ (0x9E3779B97F4A7C15L * (id + 1L))));
            initialised[row] = true;
        }
        return row;
    }

    /**
     * Writes the shard's identity, its version and its rows up to the last one created, in bulk; {@link #readFrom}
     * restores them. Rows past that are zero and unallocated in the copy, which grows again as ids appear.
     */
    public void writeTo(DataOutput output) throws IOException {
        StateFormat.writeVersion(output, FORMAT);
        output.writeInt(index);
        output.writeInt(shards);
        output.writeInt(dim);
        output.writeLong(seed);
        output.writeLong(version);
        int rows = initialised.length;
        while (rows > 0 && !initialised[rows - 1]) rows--;
        StateFormat.writeBooleans(output, initialised, 0, rows);
        StateFormat.writeFloats(output, in, 0, rows * dim);
        StateFormat.writeFloats(output, out, 0, rows * dim);
    }

    /**
     * Restores rows written by {@link #writeTo} for the configured shard {@code index} of {@code shards}, dimension
     * {@code dim} and {@code seed}; rows written by another shard or with another layout are refused.
     */
    public static EmbeddingRows readFrom(DataInput input, int index, int shards, int dim, long seed)
            throws IOException {
        StateFormat.readVersion(input, "embedding rows", FORMAT);
        int storedIndex = input.readInt();
        int storedShards = input.readInt();
        int storedDim = input.readInt();
        long storedSeed = input.readLong();
        if (storedIndex != index || storedShards != shards || storedDim != dim || storedSeed != seed) {
            throw new IOException("the embedding rows are shard " + storedIndex + " of " + storedShards + ", dimension "
                    + storedDim + ", seed " + storedSeed + ", not the configured shard " + index + " of " + shards
                    + ", dimension " + dim + ", seed " + seed);
        }
        EmbeddingRows restored = new EmbeddingRows(index, shards, dim, seed);
        restored.version = StateFormat.readLong(input, 0, Long.MAX_VALUE, "shard version");
        boolean[] initialised = StateFormat.readBooleans(input, Integer.MAX_VALUE / dim, "initialised rows");
        int rows = initialised.length;
        StateFormat.check(rows == 0 || initialised[rows - 1],
                "the last written row " + (rows - 1) + " is not initialised");
        float[] in = StateFormat.readFloats(input, rows * dim, "input rows");
        float[] out = StateFormat.readFloats(input, rows * dim, "output rows");
        StateFormat.check(in.length == rows * dim && out.length == rows * dim,
                in.length + " input and " + out.length + " output floats for " + rows + " rows of " + dim);
        restored.initialised = initialised;
        restored.in = in;
        restored.out = out;
        return restored;
    }
}
