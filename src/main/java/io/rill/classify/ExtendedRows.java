package io.rill.classify;

import java.util.Arrays;

/**
 * A model's base rows followed by rows of words the model has never seen but the pre-trained vectors have, for one
 * classification: ids from {@code base.size()} on read the extra rows. The base rows are not copied.
 */
final class ExtendedRows implements BaseRows {

    private final BaseRows base;
    private float[] extra;
    private int extraRows;

    ExtendedRows(BaseRows base) {
        this.base = base;
        this.extra = new float[0];
    }

    /** Adds a row after the others; returns its id. */
    int add(float[] row) {
        int dimension = base.dimension();
        if ((extraRows + 1) * dimension > extra.length) {
            extra = Arrays.copyOf(extra, Math.max(dimension, extra.length * 2));
        }
        System.arraycopy(row, 0, extra, extraRows * dimension, dimension);
        return base.size() + extraRows++;
    }

    @Override
    public int dimension() {
        return base.dimension();
    }

    @Override
    public int size() {
        return base.size() + extraRows;
    }

    @Override
    public void read(int id, float[] to, int offset) {
        if (id < base.size()) {
            base.read(id, to, offset);
        } else {
            System.arraycopy(extra, (id - base.size()) * base.dimension(), to, offset, base.dimension());
        }
    }
}
