package io.rill.classify;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Base rows in one growing row-major float array: the model data actor's table, and the copies workers and
 * classifiers read. Not thread-safe; a copy handed to another actor is never written again by anyone.
 *
 * <p>Binary state ({@link #writeTo}, {@link #readFrom}): format version, dimension, row count, the rows in bulk.
 */
public final class BaseTable implements BaseRows {

    private static final int FORMAT = 1;

    private final int dimension;
    private float[] rows;
    private int size;

    public BaseTable(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive: " + dimension);
        }
        this.dimension = dimension;
        this.rows = new float[dimension * 16];
    }

    private BaseTable(int dimension, float[] rows, int size) {
        this.dimension = dimension;
        this.rows = rows;
        this.size = size;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void read(int id, float[] to, int offset) {
        if (id < 0 || id >= size) {
            throw new IndexOutOfBoundsException("word id " + id + " of " + size);
        }
        System.arraycopy(rows, id * dimension, to, offset, dimension);
    }

    /** Appends a row (the next id's), from {@code row[offset, offset + dimension)}; returns its id. */
    public int append(float[] row, int offset) {
        if ((long) (size + 1) * dimension > StateFormat.MAX_ARRAY_LENGTH) {
            throw new IllegalStateException("base table full: " + size + " rows of " + dimension);
        }
        if ((size + 1) * dimension > rows.length) {
            rows = Arrays.copyOf(rows, (int) Math.min(StateFormat.MAX_ARRAY_LENGTH,
                    Math.max((long) (size + 1) * dimension, 2L * rows.length)));
        }
        System.arraycopy(row, offset, rows, size * dimension, dimension);
        return size++;
    }

    /** Overwrites the row of {@code id} with {@code row[offset, offset + dimension)}. */
    public void set(int id, float[] row, int offset) {
        if (id < 0 || id >= size) {
            throw new IndexOutOfBoundsException("word id " + id + " of " + size);
        }
        System.arraycopy(row, offset, rows, id * dimension, dimension);
    }

    /** An independent copy of the rows. */
    public BaseTable copy() {
        return new BaseTable(dimension, Arrays.copyOf(rows, size * dimension), size);
    }

    /** The rows from {@code from} on, row-major (what a copy that has the first {@code from} rows lacks). */
    public float[] rowsFrom(int from) {
        return Arrays.copyOfRange(rows, Math.min(from, size) * dimension, size * dimension);
    }

    /** Appends rows given row-major (the answer of {@link #rowsFrom}). */
    public void appendAll(float[] more) {
        if (more.length % dimension != 0) {
            throw new IllegalArgumentException(more.length + " floats are not rows of " + dimension);
        }
        for (int offset = 0; offset < more.length; offset += dimension) {
            append(more, offset);
        }
    }

    /** A table of the rows given row-major. */
    public static BaseTable of(int dimension, float[] rowMajor) {
        BaseTable table = new BaseTable(dimension);
        table.appendAll(rowMajor);
        return table;
    }

    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeInt(dimension);
        out.writeInt(size);
        StateFormat.writeFloats(out, rows, 0, size * dimension);
    }

    /** A table written by {@link #writeTo}; its dimension must be {@code dimension}. */
    public static BaseTable readFrom(DataInput in, int dimension, String what) throws IOException {
        StateFormat.readVersion(in, what, FORMAT);
        int stored = in.readInt();
        StateFormat.require(stored == dimension, what + ": rows of " + stored + " floats, the model's are "
                + dimension);
        int size = StateFormat.readInt(in, 0, StateFormat.MAX_ARRAY_LENGTH / dimension, what + " rows");
        float[] rows = StateFormat.readFloats(in, StateFormat.MAX_ARRAY_LENGTH, what);
        StateFormat.require(rows.length == size * dimension, what + ": " + rows.length + " floats for " + size
                + " rows of " + dimension);
        return new BaseTable(dimension, rows.length == 0 ? new float[dimension * 16] : rows, size);
    }
}
