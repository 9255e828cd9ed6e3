package io.rill.translate;

import io.rill.nn.RecurrentLayer;
import io.rill.nn.Softmax;
import io.rill.nn.Vec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Translates one source sentence with trained parameters: the {@link Encoder} once, then the decoder one word at a
 * time, each word fed back as the next step's input, until the end-of-sentence symbol or {@code maxLength} words.
 * The decoder runs the same attention and cell as training ({@link AttentionNet}), on a one-step
 * {@link RecurrentLayer} whose rows are the hypotheses being extended, so a step of a beam of k is one gemm per
 * product for all k.
 *
 * <ul>
 *   <li><b>Greedy</b> ({@link #greedy}): the likeliest next word every step.</li>
 *   <li><b>Beam search</b> ({@link #beam}): keeps the {@code width} best partial translations by log-probability;
 *       each step every one is extended by every word, and the best {@code width} extensions go on, taken in order
 *       of log-probability: an extension that ends the sentence is set aside as finished, and the step's extensions
 *       stop being taken once {@code width} go on. The search stops when {@code width} translations have finished
 *       (or at {@code maxLength}); the finished one with the best log-probability per word (the end symbol counted)
 *       wins, or, if none finished, the best partial one. With width 1 this is greedy decoding exactly.</li>
 * </ul>
 * Padding and the start symbol are never produced. Ties go to the lower word id (and the earlier hypothesis). Not
 * thread-safe: one per thread.
 */
public final class Decoding {

    private final TranslatorConfig config;
    private final Encoder encoder;
    private final boolean exact;
    private final Map<Integer, RecurrentLayer> layers = new HashMap<>();

    public Decoding(TranslatorConfig config) {
        this.config = config;
        this.encoder = new Encoder(config, new io.rill.nn.PhaseTimes());
        this.exact = config.dataType() == DataType.DOUBLE;
    }

    /** The likeliest word at every step. */
    public Translation greedy(TranslatorParams params, int[] source, int maxLength) {
        Search search = new Search(params, source, 1);
        int[] words = new int[maxLength];
        double[][] attention = new double[maxLength][];
        double logProbability = 0;
        int previous = WordVocabulary.BOS;
        for (int step = 0; step < maxLength; step++) {
            search.step(new int[] {previous}, 1);
            double[] row = search.logProbabilities[0];
            int best = -1;
            for (int w = 0; w < row.length; w++) {
                if (allowed(w) && (best < 0 || row[w] > row[best])) {
                    best = w;
                }
            }
            logProbability += row[best];
            if (best == WordVocabulary.EOS) {
                return new Translation(Arrays.copyOf(words, step), logProbability, Arrays.copyOf(attention, step),
                        true);
            }
            words[step] = best;
            attention[step] = search.attention(0);
            search.keep(new int[] {0}, 1);
            previous = best;
        }
        return new Translation(words, logProbability, attention, false);
    }

    /** Beam search of {@code width} hypotheses. */
    public Translation beam(TranslatorParams params, int[] source, int width, int maxLength) {
        if (width < 1) {
            throw new IllegalArgumentException("beam width must be at least 1, got " + width);
        }
        Search search = new Search(params, source, width);
        List<Hypothesis> live = List.of(new Hypothesis(null, WordVocabulary.BOS, 0.0, 0, null));
        List<Hypothesis> finished = new ArrayList<>();
        for (int step = 0; step < maxLength && !live.isEmpty() && finished.size() < width; step++) {
            int[] previous = new int[live.size()];
            for (int r = 0; r < previous.length; r++) {
                previous[r] = live.get(r).word;
            }
            search.step(previous, live.size());
            List<Candidate> candidates = best(search.logProbabilities, live, 2 * width);
            List<Hypothesis> next = new ArrayList<>(width);
            int[] parents = new int[width];
            for (Candidate candidate : candidates) {
                if (next.size() == width) {
                    break;
                }
                Hypothesis parent = live.get(candidate.row);
                if (candidate.word == WordVocabulary.EOS) {
                    finished.add(new Hypothesis(parent, WordVocabulary.EOS, candidate.score, parent.length, null));
                } else {
                    parents[next.size()] = candidate.row;
                    next.add(new Hypothesis(parent, candidate.word, candidate.score, parent.length + 1,
                            search.attention(candidate.row)));
                }
            }
            search.keep(parents, next.size());
            live = next;
        }
        Hypothesis best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Hypothesis h : finished) {
            double score = h.score / (h.length + 1);
            if (best == null || score > bestScore) {
                best = h;
                bestScore = score;
            }
        }
        if (best == null) {
            for (Hypothesis h : live) {
                double score = h.score / Math.max(1, h.length);
                if (best == null || score > bestScore) {
                    best = h;
                    bestScore = score;
                }
            }
        }
        return best.translation();
    }

    private static boolean allowed(int word) {
        return word != WordVocabulary.PAD && word != WordVocabulary.BOS;
    }

    /** A partial translation: its last word, its log-probability and length, and the way back to the start. */
    private record Hypothesis(Hypothesis parent, int word, double score, int length, double[] attention) {

        /** The translation this hypothesis ends (its last word, if the end symbol, not among the words). */
        Translation translation() {
            boolean ended = word == WordVocabulary.EOS;
            int[] words = new int[length];
            double[][] attention = new double[length][];
            Hypothesis h = ended ? parent : this;
            for (int i = length - 1; i >= 0; i--) {
                words[i] = h.word;
                attention[i] = h.attention;
                h = h.parent;
            }
            return new Translation(words, score, attention, ended);
        }
    }

    private record Candidate(int row, int word, double score) {
    }

    /** The {@code count} best extensions of the live hypotheses, best first (ties: earlier row, lower word). */
    private static List<Candidate> best(double[][] logProbabilities, List<Hypothesis> live, int count) {
        PriorityQueue<Candidate> worstFirst = new PriorityQueue<>(count + 1, (x, y) -> order(y, x));
        for (int r = 0; r < live.size(); r++) {
            double base = live.get(r).score;
            double[] row = logProbabilities[r];
            for (int w = 0; w < row.length; w++) {
                if (!allowed(w)) {
                    continue;
                }
                double score = base + row[w];
                if (worstFirst.size() < count) {
                    worstFirst.add(new Candidate(r, w, score));
                } else if (order(new Candidate(r, w, score), worstFirst.peek()) < 0) {
                    worstFirst.poll();
                    worstFirst.add(new Candidate(r, w, score));
                }
            }
        }
        List<Candidate> best = new ArrayList<>(worstFirst);
        best.sort(Decoding::order);
        return best;
    }

    /** Negative when {@code x} ranks before {@code y}. */
    private static int order(Candidate x, Candidate y) {
        if (x.score != y.score) {
            return x.score > y.score ? -1 : 1;
        }
        if (x.row != y.row) {
            return Integer.compare(x.row, y.row);
        }
        return Integer.compare(x.word, y.word);
    }

    /** The decoder's state for one sentence: up to {@code rows} hypotheses, stepped together. */
    private final class Search {
        final TranslatorParams params;
        final Encoder.Encoding enc;
        final int rows;
        final int n;
        final RecurrentLayer layer;
        final INDArray hidden;
        final INDArray cell;
        final INDArray query;
        final INDArray alpha;
        final INDArray contexts;
        final INDArray features;
        final INDArray logits;
        final Vec hiddenVec;
        final Vec cellVec;
        final Vec queryVec;
        final Vec alphaVec;
        final Vec contextsVec;
        final Vec featuresVec;
        final Vec logitsVec;
        final double[] u;
        final double[][] logProbabilities;

        Search(TranslatorParams params, int[] source, int rows) {
            this.params = params;
            this.rows = rows;
            this.enc = encoder.forward(params, new int[][] {source}, false);
            this.n = source.length;
            DataType type = config.dataType();
            int d = config.stateSize();
            this.layer = layers.computeIfAbsent(rows, k -> new RecurrentLayer(config.cell().cell(),
                    config.decoderInputSize(), d, k, 1, type));
            hidden = Nd4j.zeros(type, rows, d);
            cell = Nd4j.zeros(type, rows, d);
            query = Nd4j.zeros(type, rows, config.attentionSize());
            alpha = Nd4j.zeros(type, rows, n);
            contexts = Nd4j.zeros(type, rows, d);
            features = Nd4j.zeros(type, rows, config.outputInputSize());
            logits = Nd4j.zeros(type, rows, params.targetSize());
            hiddenVec = Vec.of(hidden);
            cellVec = Vec.of(cell);
            queryVec = Vec.of(query);
            alphaVec = Vec.of(alpha);
            contextsVec = Vec.of(contexts);
            featuresVec = Vec.of(features);
            logitsVec = Vec.of(logits);
            u = new double[n * config.attentionSize()];
            logProbabilities = new double[rows][params.targetSize()];
            for (int r = 0; r < rows; r++) {
                Vec.copy(enc.initialVec, 0, hiddenVec, r * d, d);
            }
        }

        /** One step of the first {@code live} rows, whose previous words are {@code previous}. */
        void step(int[] previous, int live) {
            int d = config.stateSize();
            int a = config.attentionSize();
            int e = config.embeddingSize();
            int in = config.decoderInputSize();
            int width = config.outputInputSize();
            int vocabulary = params.targetSize();
            Nd4j.gemm(hidden, params.get(TranslatorParams.ATTENTION_QUERY), query, false, false, 1.0, 0.0);
            Vec v = Vec.of(params.get(TranslatorParams.ATTENTION_V));
            for (int r = 0; r < live; r++) {
                AdditiveAttention.scores(queryVec, r * a, enc.keysVec, 0, n, v, a, u, 0, alphaVec, r * n, exact);
            }
            Softmax.rows(alphaVec, live, n, null);
            Vec embedding = Vec.of(params.get(TranslatorParams.TARGET_EMBEDDING));
            Vec input = Vec.of(layer.input());
            for (int r = 0; r < rows; r++) {
                if (r < live) {
                    AdditiveAttention.context(alphaVec, r * n, enc.statesVec, 0, n, d, contextsVec, r * d);
                    Vec.copy(embedding, previous[r] * e, input, r * in, e);
                    Vec.copy(contextsVec, r * d, input, r * in + e, d);
                } else {
                    Encoder.fill(input, r * in, in, 0);
                }
            }
            layer.start(hidden, config.cell().cell().hasCellState() ? cell : null);
            layer.forwardStep(0, params.get(TranslatorParams.DECODER_WEIGHTS),
                    params.get(TranslatorParams.DECODER_BIAS));
            Vec output = Vec.of(layer.output(0));
            for (int r = 0; r < rows; r++) {
                Vec.copy(output, r * d, featuresVec, r * width, d);
                Vec.copy(contextsVec, r * d, featuresVec, r * width + d, d);
            }
            Nd4j.gemm(features, params.get(TranslatorParams.OUTPUT_WEIGHTS), logits, false, false, 1.0, 0.0);
            Vec bias = Vec.of(params.get(TranslatorParams.OUTPUT_BIAS));
            for (int r = 0; r < live; r++) {
                double[] row = logProbabilities[r];
                double max = Double.NEGATIVE_INFINITY;
                for (int w = 0; w < vocabulary; w++) {
                    row[w] = logitsVec.get(r * vocabulary + w) + bias.get(w);
                    max = Math.max(max, row[w]);
                }
                double sum = 0;
                for (int w = 0; w < vocabulary; w++) {
                    sum += Math.exp(row[w] - max);
                }
                double shift = max + Math.log(sum);
                for (int w = 0; w < vocabulary; w++) {
                    row[w] -= shift;
                }
            }
        }

        /** The attention weights of row {@code r} at the last step. */
        double[] attention(int r) {
            double[] weights = new double[n];
            for (int j = 0; j < n; j++) {
                weights[j] = alphaVec.get(r * n + j);
            }
            return weights;
        }

        /** The next step continues the rows {@code parents[0 .. count)} of the last step, in that order. */
        void keep(int[] parents, int count) {
            int d = config.stateSize();
            Vec output = Vec.of(layer.output(0));
            INDArray finalCell = layer.finalCell();
            Vec outputCell = finalCell == null ? null : Vec.of(finalCell);
            for (int r = 0; r < count; r++) {
                Vec.copy(output, parents[r] * d, hiddenVec, r * d, d);
                if (outputCell != null) {
                    Vec.copy(outputCell, parents[r] * d, cellVec, r * d, d);
                }
            }
        }
    }
}
