package io.rill.classify;

import io.rill.learn.WordVectors;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Pre-trained word vectors as a lookup, and how a word's base row is made from them: the word's vector when there
 * is one, otherwise a row from U[−a, a] with a chosen so that such rows have the variance of the vectors' entries
 * (a = √(3 · variance); 0.25 for word2vec's Google News vectors, as in Kim's code). For the rand variant there are no
 * vectors and every row is random with a = {@code rand-range} (0.25). A random row is drawn from a generator seeded
 * by the seed and the word id, so it does not depend on when it was made. Immutable.
 */
public final class Pretrained {

    private final Map<String, Integer> index;
    private final float[] vectors;
    private final int dimension;
    private final double range;
    private final long version;

    private Pretrained(Map<String, Integer> index, float[] vectors, int dimension, double range, long version) {
        this.index = index;
        this.vectors = vectors;
        this.dimension = dimension;
        this.range = range;
        this.version = version;
    }

    /** No vectors: every row random in U[−range, range]. */
    public static Pretrained none(int dimension, double range) {
        return new Pretrained(Map.of(), new float[0], dimension, range, 0);
    }

    /** A lookup over {@code vectors} (the first of a repeated word wins). */
    public static Pretrained of(WordVectors.Vectors vectors) {
        int dimension = vectors.dimension();
        Map<String, Integer> index = new HashMap<>(vectors.words().length * 2);
        for (int row = 0; row < vectors.words().length; row++) {
            if (vectors.words()[row] != null) {
                index.putIfAbsent(vectors.words()[row], row);
            }
        }
        double sum = 0;
        double squares = 0;
        long n = (long) index.size() * dimension;
        for (int row : index.values()) {
            for (int i = row * dimension, end = i + dimension; i < end; i++) {
                sum += vectors.vectors()[i];
                squares += (double) vectors.vectors()[i] * vectors.vectors()[i];
            }
        }
        double variance = n == 0 ? 0 : Math.max(0, squares / n - (sum / n) * (sum / n));
        double range = n == 0 ? 0.25 : Math.sqrt(3 * variance);
        return new Pretrained(index, vectors.vectors(), dimension, range, vectors.version());
    }

    public int dimension() {
        return dimension;
    }

    /** The a of U[−a, a] for words without a vector. */
    public double range() {
        return range;
    }

    /** The version of the source the vectors were copied at (a skip-gram model's; 0 for a file). */
    public long version() {
        return version;
    }

    public int size() {
        return index.size();
    }

    public boolean has(String word) {
        return index.containsKey(word);
    }

    /** Copies {@code word}'s vector into {@code to[offset..]} and returns true, or returns false if it has none. */
    public boolean vector(String word, float[] to, int offset) {
        Integer row = index.get(word);
        if (row == null) {
            return false;
        }
        System.arraycopy(vectors, row * dimension, to, offset, dimension);
        return true;
    }

    /** The base row of word {@code id} spelled {@code word}: its vector, or a random row seeded by the id. */
    public void baseRow(String word, int id, long seed, float[] to, int offset) {
        if (vector(word, to, offset)) {
            return;
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + id);
        for (int i = 0; i < dimension; i++) {
            to[offset + i] = (float) ((2 * random.nextDouble() - 1) * range);
        }
    }
}
