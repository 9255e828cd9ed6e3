package io.rill.skipgram.query;

import io.rill.nn.FloatVectors;
import io.rill.skipgram.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, consistent copy of the word vectors at one moment of training, and the similarity
 * queries over it: nearest neighbours, analogies and pairwise cosine.
 *
 * <p>It owns three things: the words (unique, in row order), their raw vectors (row-major,
 * {@code size() × dim()}), and a unit-normalised copy of those rows computed once at construction,
 * so every cosine query is a dot-product scan of that matrix with a bounded top-k heap
 * ({@link TopK}); for 100k words × 100 dims a query costs one pass over 40 MB.
 *
 * <p><b>Ownership.</b> {@link #wrap} takes the arrays it is given <em>without copying them</em>: the
 * caller hands over freshly made arrays and must not touch them afterwards. That keeps a snapshot
 * of a large model to one copy of the vectors (plus the normalised one). {@link #capture} makes
 * that copy from a live {@link Vocabulary} and input matrix; it must run on the thread that owns
 * them, which is what makes the copy consistent.
 *
 * <p><b>Lookups</b> are exact and case-sensitive on the stored words. The tokenizer lower-cases,
 * so callers lower-case user input before asking. Queries naming a word that is not stored return
 * {@link QueryResult#unknown}; a bad argument (k &lt; 1, a vector of the wrong length or with a
 * non-finite entry) is a programming error and throws {@link IllegalArgumentException}.
 *
 * <p>Cosines with a zero vector are 0 (its unit row is left zero). Immutable, so any number of
 * threads may query one snapshot.
 */
public final class EmbeddingSnapshot {
    private final String[] words;
    private final float[] vectors;
    private final float[] unit;
    private final int dim;
    private final long version;
    private final long tokens;
    private final Map<String, Integer> index;

    private EmbeddingSnapshot(String[] words, float[] vectors, int dim, long version, long tokens) {
        if (dim < 1) throw new IllegalArgumentException("dim " + dim);
        if ((long) words.length * dim != vectors.length) {
            throw new IllegalArgumentException(words.length + " words × dim " + dim + " != " + vectors.length + " floats");
        }
        this.words = words;
        this.vectors = vectors;
        this.dim = dim;
        this.version = version;
        this.tokens = tokens;
        this.index = new HashMap<>(words.length * 2);
        for (int i = 0; i < words.length; i++) {
            if (words[i] == null) throw new IllegalArgumentException("null word at row " + i);
            if (index.put(words[i], i) != null) throw new IllegalArgumentException("duplicate word " + words[i]);
        }
        this.unit = new float[vectors.length];
        for (int row = 0; row < words.length; row++) {
            int off = row * dim;
            for (int i = off; i < off + dim; i++) {
                if (!Float.isFinite(vectors[i])) throw new IllegalArgumentException("non-finite vector for " + words[row]);
            }
            normalise(vectors, off, unit, off, dim);
        }
    }

    /**
     * A snapshot over the given arrays, which it keeps as they are (not copied: see the class
     * comment). {@code tokens} is the number of training tokens seen when it was taken (0 if unknown).
     */
    public static EmbeddingSnapshot wrap(String[] words, float[] vectors, int dim, long version, long tokens) {
        return new EmbeddingSnapshot(words, vectors, dim, version, tokens);
    }

    /**
     * Copies the rows of every trainable word of {@code vocabulary} out of {@code wIn} (rows
     * indexed by word id), in id order. Call it on the thread that owns both.
     */
    public static EmbeddingSnapshot capture(Vocabulary vocabulary, float[] wIn, int dim, long version) {
        int n = 0;
        for (int id = 0; id < vocabulary.idLimit(); id++) if (isLiveAndTrainable(vocabulary, id)) n++;
        String[] kept = new String[n];
        float[] rows = new float[n * dim];
        for (int id = 0, row = 0; id < vocabulary.idLimit(); id++) {
            if (!isLiveAndTrainable(vocabulary, id)) continue;
            System.arraycopy(wIn, id * dim, rows, row * dim, dim);
            kept[row++] = vocabulary.word(id);
        }
        return new EmbeddingSnapshot(kept, rows, dim, version, vocabulary.totalTokens());
    }

    private static boolean isLiveAndTrainable(Vocabulary vocabulary, int id) {
        return vocabulary.word(id) != null && vocabulary.isTrainable(id);
    }

    public int size() {
        return words.length;
    }

    public int dim() {
        return dim;
    }

    /** The caller's version stamp, e.g. the training step the snapshot was taken at. */
    public long version() {
        return version;
    }

    /** Training tokens seen when the snapshot was taken, as given to {@link #wrap}. */
    public long tokens() {
        return tokens;
    }

    /** The word of row {@code row}. */
    public String word(int row) {
        return words[row];
    }

    public boolean contains(String word) {
        return index.containsKey(word);
    }

    /** A copy of the raw vector of {@code word}, if stored. */
    public Optional<float[]> vector(String word) {
        Integer row = index.get(word);
        return row == null ? Optional.empty() : Optional.of(Arrays.copyOfRange(vectors, row * dim, row * dim + dim));
    }

    /**
     * The k words whose vectors have the highest cosine with that of {@code word}, best first,
     * excluding the word itself: gensim's {@code most_similar(word, topn=k)}.
     */
    public QueryResult<List<Neighbor>> nearest(String word, int k) {
        Integer row = index.get(word);
        if (row == null) return QueryResult.unknown(List.of(word));
        return QueryResult.ok(scan(unit, row * dim, k, new int[] {row}));
    }

    /**
     * The k words whose vectors have the highest cosine with {@code vector}, best first, leaving out
     * the words of {@code exclude} (words it names that are not stored are ignored).
     */
    public List<Neighbor> nearest(float[] vector, int k, Set<String> exclude) {
        if (vector.length != dim) throw new IllegalArgumentException("vector length " + vector.length + " != dim " + dim);
        for (float v : vector) if (!Float.isFinite(v)) throw new IllegalArgumentException("non-finite query vector");
        float[] query = new float[dim];
        normalise(vector, 0, query, 0, dim);
        return scan(query, 0, k, rowsOf(exclude));
    }

    /**
     * a : b :: c : ? by 3CosAdd, as gensim's {@code most_similar(positive=[b, c], negative=[a])}:
     * the k words nearest to the normalised mean of unit(b) + unit(c) − unit(a), other than a, b
     * and c. The cosines reported are those with that normalised mean.
     */
    public QueryResult<List<Neighbor>> analogy(String a, String b, String c, int k) {
        List<String> missing = unknown(List.of(a, b, c));
        if (!missing.isEmpty()) return QueryResult.unknown(missing);
        int ra = index.get(a) * dim, rb = index.get(b) * dim, rc = index.get(c) * dim;
        float[] mean = new float[dim];
        for (int i = 0; i < dim; i++) mean[i] = (unit[rb + i] + unit[rc + i] - unit[ra + i]) / 3f;
        float[] query = new float[dim];
        normalise(mean, 0, query, 0, dim);
        return QueryResult.ok(scan(query, 0, k, new int[] {ra / dim, rb / dim, rc / dim}));
    }

    /** The cosine between the vectors of x and y (symmetric; 1 for x = y unless its vector is zero). */
    public QueryResult<Double> similarity(String x, String y) {
        List<String> missing = unknown(List.of(x, y));
        if (!missing.isEmpty()) return QueryResult.unknown(missing);
        return QueryResult.ok((double) FloatVectors.dot(unit, index.get(x) * dim, unit, index.get(y) * dim, dim));
    }

    /** The raw row-major vectors, shared for readers in this package that do not modify them. */
    float[] rawVectors() {
        return vectors;
    }

    /** The stored words among {@code exclude}'s, as rows. */
    private int[] rowsOf(Collection<String> exclude) {
        return exclude.stream().map(index::get).filter(r -> r != null).mapToInt(Integer::intValue).toArray();
    }

    /** The distinct words of {@code asked} that are not stored, in order. */
    private List<String> unknown(List<String> asked) {
        return asked.stream().filter(w -> !index.containsKey(w)).distinct().toList();
    }

    /**
     * Top-k rows by dot product of the unit rows with the unit query at {@code query[qOff..]},
     * leaving out {@code excluded} rows. The heap holds k + |excluded| so that filtering the
     * excluded rows afterwards still leaves k, and the scan loop stays a bare dot product.
     */
    private List<Neighbor> scan(float[] query, int qOff, int k, int[] excluded) {
        if (k < 1) throw new IllegalArgumentException("k " + k);
        int[] skip = Arrays.stream(excluded).distinct().sorted().toArray();
        int capacity = (int) Math.min((long) k + skip.length, words.length);
        if (capacity == 0) return List.of();
        TopK top = new TopK(capacity);
        for (int row = 0, n = words.length; row < n; row++) {
            top.offer(row, FloatVectors.dot(unit, row * dim, query, qOff, dim));
        }
        int[] best = top.drainBestFirst();
        List<Neighbor> out = new ArrayList<>(Math.min(k, best.length));
        for (int i = 0; i < best.length && out.size() < k; i++) {
            if (Arrays.binarySearch(skip, best[i]) < 0) out.add(new Neighbor(words[best[i]], top.score(i)));
        }
        return out;
    }

    /** to[toOff..+n) = from[fromOff..+n) / its Euclidean norm, or zeros if that norm is 0. */
    private static void normalise(float[] from, int fromOff, float[] to, int toOff, int n) {
        double sq = 0;
        for (int i = 0; i < n; i++) sq += (double) from[fromOff + i] * from[fromOff + i];
        if (sq == 0) return;
        double inv = 1 / Math.sqrt(sq);
        for (int i = 0; i < n; i++) to[toOff + i] = (float) (from[fromOff + i] * inv);
    }
}
