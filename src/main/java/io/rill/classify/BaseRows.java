package io.rill.classify;

/**
 * The fixed rows of words, by word id, {@code dimension} floats each: every channel of a word starts from its row
 * (the fixed channel is the row itself, the trained one the row plus a learned offset, see {@link CnnParams}). A
 * pre-trained vector, or a random row for a word the vectors do not have (and for every word of the rand variant).
 */
public interface BaseRows {

    int dimension();

    /** Word ids 0 .. size − 1 have rows. */
    int size();

    /** Copies the row of {@code id} into {@code to[offset, offset + dimension)}. */
    void read(int id, float[] to, int offset);
}
