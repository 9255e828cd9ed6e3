package io.rill.ps;

import io.rill.nn.FloatVectors;
import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Row-sparse parameter blocks: tables of {@code dim}-float rows keyed by id (word embeddings), which workers pull a
 * few rows of at a time and update by pushing row deltas, as word2vec's hogwild does, with no optimizer state. A
 * server owns the ids {@code id ≡ index (mod stride)} of every block, at local row {@code id / stride}, in plain
 * float arrays grown as ids appear: the server is shard {@code index} of {@code stride} of the table. A row is created on first use by its block's {@link RowInit} (seeded by its id,
 * so a row's start does not depend on when it was first asked for).
 *
 * <p>The row loops run over the arrays themselves: one ND4J call costs more than updating a row by hand (≈27 µs
 * here). Not thread-safe: one actor owns it.
 */
public final class RowBlocks {

    private static final int FORMAT = 1; // of writeTo's data

    /** How a new row of a block starts. */
    public interface RowInit {
        /** Fills {@code rows[offset, offset + dim)}, the new row of {@code id}. */
        void init(int id, float[] rows, int offset, int dim);
    }

    /** Rows that start at zero. */
    public static final RowInit ZEROS = (id, rows, offset, dim) -> {
    };

    /** A block: its name and how its rows start. */
    public record Block(String name, RowInit init) {
    }

    private final int dim;
    private final int stride;
    private final int index;
    private final List<Block> blocks;
    private float[][] values;
    private boolean[] created = new boolean[0];

    /** Blocks of {@code dim}-float rows for the ids {@code index, index + stride, ...}. */
    public RowBlocks(int dim, int stride, int index, List<Block> blocks) {
        if (stride < 1 || index < 0 || index >= stride || dim < 1 || blocks.isEmpty()) {
            throw new IllegalArgumentException("ids " + index + " mod " + stride + ", dimension " + dim + ", "
                    + blocks.size() + " blocks");
        }
        this.dim = dim;
        this.stride = stride;
        this.index = index;
        this.blocks = List.copyOf(blocks);
        this.values = new float[blocks.size()][0];
    }

    public int dimension() {
        return dim;
    }

    public int blockCount() {
        return blocks.size();
    }

    /** Copies of the rows of {@code ids} in block {@code block}, row-major in their order; creates rows first used. */
    public float[] copyRows(int block, int[] ids) {
        return copyRows(block, ids, null);
    }

    /**
     * As {@link #copyRows(int, int[])}, into the first {@code ids.length · dim} floats of {@code into} when it is that
     * long (the rest is left as it is), else into a new array of exactly that length.
     */
    public float[] copyRows(int block, int[] ids, float[] into) {
        float[] rows = into != null && into.length >= ids.length * dim ? into : new float[ids.length * dim];
        for (int i = 0; i < ids.length; i++) {
            int row = rowOf(ids[i]); // first: it may grow the arrays
            System.arraycopy(values[block], row * dim, rows, i * dim, dim);
        }
        return rows;
    }

    /**
     * Adds row deltas (row-major, in the order of {@code ids}: the first {@code ids.length · dim} floats of
     * {@code deltas}) to block {@code block}.
     */
    public void addRows(int block, int[] ids, float[] deltas) {
        if (deltas.length < ids.length * dim) {
            throw new IllegalArgumentException(deltas.length + " floats of deltas for " + ids.length + " rows of " + dim);
        }
        for (int i = 0; i < ids.length; i++) {
            int row = rowOf(ids[i]);
            FloatVectors.axpy(1f, deltas, i * dim, values[block], row * dim, dim);
        }
    }

    /** Rows of ids {@code index, index + stride, ...} below {@code idLimit} in block {@code block}; unset rows zero. */
    public float[] rowsBelow(int block, int idLimit) {
        int rows = (idLimit - index + stride - 1) / stride;
        float[] copy = new float[Math.max(0, rows) * dim];
        System.arraycopy(values[block], 0, copy, 0, Math.min(copy.length, values[block].length));
        return copy;
    }

    /** The local row of an id, growing the blocks and creating its rows on first use. */
    private int rowOf(int id) {
        if (id < 0 || id % stride != index) {
            throw new IllegalArgumentException("id " + id + " belongs to server " + Math.floorMod(id, stride)
                    + " of " + stride + ", not " + index);
        }
        int row = id / stride;
        if (row >= created.length) {
            int rows = Math.max(row + 1, created.length * 2);
            for (int b = 0; b < values.length; b++) {
                values[b] = Arrays.copyOf(values[b], rows * dim);
            }
            created = Arrays.copyOf(created, rows);
        }
        if (!created[row]) {
            for (int b = 0; b < values.length; b++) {
                blocks.get(b).init().init(id, values[b], row * dim, dim);
            }
            created[row] = true;
        }
        return row;
    }

    /**
     * Writes the layout (dimension, stride, index, block names) and the rows up to the last one created, in bulk;
     * {@link #readInto} restores them. Rows past that are not written and grow again as ids appear.
     */
    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeInt(dim);
        out.writeInt(stride);
        out.writeInt(index);
        out.writeInt(blocks.size());
        for (Block block : blocks) {
            StateFormat.writeString(out, block.name());
        }
        int rows = created.length;
        while (rows > 0 && !created[rows - 1]) {
            rows--;
        }
        StateFormat.writeBooleans(out, created, 0, rows);
        for (float[] block : values) {
            StateFormat.writeFloats(out, block, 0, rows * dim);
        }
    }

    /**
     * Reads rows written by {@link #writeTo} into these (empty) blocks; rows written with another layout (dimension,
     * stride, index or blocks) are refused, naming both.
     */
    public void readInto(DataInput in) throws IOException {
        StateFormat.readVersion(in, "row blocks", FORMAT);
        int storedDim = in.readInt();
        int storedStride = in.readInt();
        int storedIndex = in.readInt();
        int count = StateFormat.readInt(in, 0, 1000, "row block count");
        StringBuilder names = new StringBuilder();
        for (int b = 0; b < count; b++) {
            names.append(b == 0 ? "" : ",").append(StateFormat.readString(in, "row block name"));
        }
        String expected = String.join(",", blocks.stream().map(Block::name).toList());
        if (storedDim != dim || storedStride != stride || storedIndex != index || !names.toString().equals(expected)) {
            throw new IOException("the rows are shard " + storedIndex + " of " + storedStride + ", dimension "
                    + storedDim + ", blocks [" + names + "], not the configured shard " + index + " of " + stride
                    + ", dimension " + dim + ", blocks [" + expected + "]");
        }
        boolean[] restored = StateFormat.readBooleans(in, Integer.MAX_VALUE / dim, "created rows");
        int rows = restored.length;
        StateFormat.check(rows == 0 || restored[rows - 1], "the last written row " + (rows - 1) + " is not created");
        float[][] read = new float[count][];
        for (int b = 0; b < count; b++) {
            read[b] = StateFormat.readFloats(in, rows * dim, "rows of " + blocks.get(b).name());
            StateFormat.check(read[b].length == rows * dim, read[b].length + " floats for " + rows + " rows of " + dim);
        }
        created = restored;
        values = read;
    }
}
