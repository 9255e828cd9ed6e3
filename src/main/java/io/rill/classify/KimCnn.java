package io.rill.classify;

import java.nio.Buffer;
import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Kim's (2014) sentence CNN, forward and backward over a whole mini-batch: plain math, no actors.
 *
 * <pre>
 *   X       the batch's tokens, one row each (channels · k: the trained channel base + offset, the fixed one base)
 *   Z       = X · Fᵀ                                   one gemm: every tap of every map of every width, every token
 *   y(t)    = b + Σ_j Z[t + j, tap j]                  window t of a width-h filter, over the padded sentence
 *   pooled  = max(0, max_t y(t))                       ReLU and max-over-time: one value per map and width
 *   logits  = W · (pooled ∗ mask) + c                  dropout mask while training (inverted: kept / (1 − p))
 *   loss    = mean cross-entropy of softmax(logits)
 * </pre>
 *
 * A sentence of n tokens is padded with {@code padding} zero rows before and after (and at the end up to the widest
 * filter), so every sentence has windows of every width whatever its length. Padding rows are not in X: a window's
 * sum skips them (they add zero). The convolution is one gemm over the real tokens of the whole batch, for all
 * widths at once; the window sums are shifted adds of Z's columns, so no unfolded (im2col) matrix is built.
 *
 * <p>Backward, max pooling sends each map's gradient to its winning window only, so the gradient of Z is sparse: the
 * filter gradient is one axpy of the window's input row per winning tap (dF[tap] += g · X[row]) and the input
 * gradient one axpy of the tap's filter row (dX[row] += g · F[tap]), instead of two dense gemms over Z. The trained
 * channel's input gradient is summed per word id into the word offsets' gradient.
 *
 * <p>Prequential prediction is free: the pooled vector is computed before dropout, so the step also gives the
 * logits without dropout (the model as it is, on a sentence it has not yet learned from).
 *
 * <p>Works in the configuration's data type (FLOAT to train, DOUBLE for gradient checks). Not thread-safe: its
 * buffers are reused call after call and grow with the largest batch seen.
 */
public final class KimCnn {

    /**
     * One training step: the mean loss (with dropout), the prediction of each sentence before it, and the word ids
     * whose offset rows the gradient has (the only ones to clear before the gradient is used again).
     */
    public record Step(double loss, int[] predicted, int[] wordIds) {
    }

    /** A sentence's class probabilities and, when asked, each token's weight in the decision. */
    public record Classification(double[] probabilities, double[] tokenWeights) {
    }

    /** Sentences scored against their labels: how many were right, the summed loss, how many were scored. */
    public record Evaluation(int correct, double lossSum, int scored) {
    }

    private final Impl<?> impl;

    public KimCnn(CnnConfig config) {
        this(config, false);
    }

    /**
     * An engine; a {@code serving} one computes a single sentence's product X · Fᵀ in plain Java on a transposed copy
     * of the filters (made again after {@link #parametersChanged}) instead of calling BLAS: a few million
     * multiply-adds take about a millisecond that way, while a BLAS call would wait for the training's gemms, which
     * hold the library's threads.
     */
    public KimCnn(CnnConfig config, boolean serving) {
        this.impl = new Impl<>(config, Numbers.of(config.dataType()), serving);
    }

    /** For a serving engine: the parameters it is given have changed since its last call. */
    public void parametersChanged() {
        impl.filtersStale = true;
    }

    public CnnConfig config() {
        return impl.config;
    }

    /** Seconds spent so far per phase (input rows, the gemm, pooling, the output layer, backward, gradients out). */
    public java.util.Map<String, Double> phaseSeconds() {
        java.util.Map<String, Double> seconds = new java.util.LinkedHashMap<>();
        for (int p = 0; p < PHASES.length; p++) {
            seconds.put(PHASES[p], impl.phaseNanos[p] / 1e9);
        }
        return seconds;
    }

    private static final String[] PHASES = {"input", "gemm", "pool", "output", "backward", "gradients"};

    /**
     * Forward and backward over {@code sentences} (word ids, each id with a base row and, for a trained variant, an
     * offset row in {@code params}) labelled {@code labels}, with dropout from {@code random}. Writes the gradient of
     * the mean loss into {@code gradients}, shaped like {@code params}, whose word offsets must be zero on entry
     * (only the batch's words' rows are written); its other tensors are overwritten.
     */
    public Step train(CnnParams params, BaseRows base, int[][] sentences, int[] labels, CnnParams gradients,
                      Random random) {
        return impl.train(params, base, sentences, labels, gradients, random);
    }

    /**
     * The class probabilities of one sentence, without dropout. Word id −1 (a word the model has no row for) is a
     * zero row; an id the offsets do not cover yet has its base row alone. With {@code explain}, each token's weight
     * in the decision: every map whose ReLU'd maximum is positive adds (w[c] − mean over classes of w)[map] ·
     * pooled[map] to the predicted class c's margin over the mean logit, and that contribution is shared equally by
     * the h positions of its winning window; a token's weight is the sum of its shares (padding's shares are
     * dropped).
     */
    public Classification classify(CnnParams params, BaseRows base, int[] ids, boolean explain) {
        return impl.classify(params, base, ids, explain);
    }

    /** Scores labelled sentences without dropout, {@code chunk} at a time. */
    public Evaluation evaluate(CnnParams params, BaseRows base, int[][] sentences, int[] labels, int chunk) {
        return impl.evaluate(params, base, sentences, labels, chunk);
    }

    private static final class Impl<A> {

        private final CnnConfig config;
        private final Numbers<A> ops;
        private final int k;
        private final int in;
        private final int taps;
        private final int pooledSize;
        private final int maps;
        private final int padding;
        private final boolean trained;
        private final boolean fixed;
        final long[] phaseNanos = new long[PHASES.length];
        private long mark;

        private int sentenceCapacity;
        private int rowCapacity;
        private int[] rowStart = new int[0];
        private int[] lengths = new int[0];
        private A x;
        private INDArray xArray;
        private Buffer xMemory;
        private INDArray zArray;
        private Buffer zMemory;
        private A z;
        private A best;
        private int[] arg = new int[0];
        private A pooled;
        private A mask;
        private A dropped;
        private A dPooled;
        private A dx;
        private final A acc;
        private final A bias;
        private final A filters;
        private final A dFilters;
        private final A dBias;
        private A outWeights;
        private A outBias;
        private A dOutWeights;
        private A dOutBias;
        private double[] logits = new double[0];
        private final float[] baseRow;
        private int[] slotOfId = new int[0];
        private int[] uniqueIds = new int[0];
        private A dRows;

        private final boolean serving;
        private A filtersT;
        boolean filtersStale = true;

        Impl(CnnConfig config, Numbers<A> ops, boolean serving) {
            this.config = config;
            this.ops = ops;
            this.serving = serving;
            this.k = config.dimension();
            this.in = config.inputWidth();
            this.taps = config.taps();
            this.pooledSize = config.pooledSize();
            this.maps = config.maps();
            this.padding = config.padding();
            this.trained = config.variant().trained();
            this.fixed = config.variant().fixedChannel();
            this.acc = ops.allocate(maps);
            this.bias = ops.allocate(pooledSize);
            this.filters = ops.allocate(taps * in);
            this.dFilters = ops.allocate(taps * in);
            this.dBias = ops.allocate(pooledSize);
            this.baseRow = new float[k];
            this.dRows = ops.allocate(0);
            this.outWeights = ops.allocate(0);
            this.outBias = ops.allocate(0);
            this.dOutWeights = ops.allocate(0);
            this.dOutBias = ops.allocate(0);
        }

        Step train(CnnParams params, BaseRows base, int[][] sentences, int[] labels, CnnParams gradients,
                   Random random) {
            int count = sentences.length;
            int classes = params.classes();
            if (labels.length != count || count == 0) {
                throw new IllegalArgumentException(count + " sentences, " + labels.length + " labels");
            }
            for (int label : labels) {
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException("label " + label + " outside the " + classes + " classes");
                }
            }
            forward(params, base, sentences);
            readOutput(params, classes);
            int[] predicted = new int[count];
            outputLogits(pooled, count, classes);
            for (int s = 0; s < count; s++) {
                predicted[s] = argmax(logits, s * classes, classes);
            }

            // Dropout on the pooled vector (inverted: the kept values are scaled so that inference needs nothing).
            double rate = config.dropout();
            A input = pooled;
            if (rate > 0) {
                double keep = 1 / (1 - rate);
                for (int e = 0, n = count * pooledSize; e < n; e++) {
                    double m = random.nextDouble() < rate ? 0 : keep;
                    ops.set(mask, e, m);
                    ops.set(dropped, e, ops.get(pooled, e) * m);
                }
                input = dropped;
            }
            outputLogits(input, count, classes);

            // Softmax cross-entropy, mean over the batch: logits become dL/dlogits.
            double loss = 0;
            for (int s = 0; s < count; s++) {
                int o = s * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, logits[o + c]);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(logits[o + c] - max);
                }
                loss += max + Math.log(sum) - logits[o + labels[s]];
                for (int c = 0; c < classes; c++) {
                    logits[o + c] = Math.exp(logits[o + c] - max) / sum / count;
                }
                logits[o + labels[s]] -= 1.0 / count;
            }

            // The output layer: dW = dlogitsᵀ · input, dc = Σ dlogits, d(input) = dlogits · W, then through the mask.
            ops.fill(dOutWeights, 0, classes * pooledSize, 0);
            ops.fill(dOutBias, 0, classes, 0);
            ops.fill(dPooled, 0, count * pooledSize, 0);
            for (int s = 0; s < count; s++) {
                for (int c = 0; c < classes; c++) {
                    double g = logits[s * classes + c];
                    ops.axpy(g, input, s * pooledSize, dOutWeights, c * pooledSize, pooledSize);
                    ops.set(dOutBias, c, ops.get(dOutBias, c) + g);
                    ops.axpy(g, outWeights, c * pooledSize, dPooled, s * pooledSize, pooledSize);
                }
            }
            if (rate > 0) {
                for (int e = 0, n = count * pooledSize; e < n; e++) {
                    ops.set(dPooled, e, ops.get(dPooled, e) * ops.get(mask, e));
                }
            }
            lap(3);
            convolutionBackward(sentences, count);
            lap(4);
            int[] wordIds = writeGradients(params, sentences, count, gradients, classes);
            lap(5);
            return new Step(loss / count, predicted, wordIds);
        }

        Classification classify(CnnParams params, BaseRows base, int[] ids, boolean explain) {
            int[][] one = {ids};
            int classes = params.classes();
            forward(params, base, one);
            readOutput(params, classes);
            outputLogits(pooled, 1, classes);
            double[] probabilities = softmax(logits, 0, classes);
            if (!explain) {
                return new Classification(probabilities, null);
            }
            int c = argmax(logits, 0, classes);
            double[] weights = new double[ids.length];
            int n = ids.length;
            for (int w = 0; w < config.widthCount(); w++) {
                int h = config.width(w);
                for (int f = 0; f < maps; f++) {
                    int u = w * maps + f;
                    double value = ops.get(pooled, u);
                    if (value <= 0) {
                        continue;
                    }
                    double mean = 0;
                    for (int j = 0; j < classes; j++) {
                        mean += ops.get(outWeights, j * pooledSize + u);
                    }
                    mean /= classes;
                    double share = (ops.get(outWeights, c * pooledSize + u) - mean) * value / h;
                    for (int j = 0; j < h; j++) {
                        int token = arg[u] + j - padding;
                        if (token >= 0 && token < n) {
                            weights[token] += share;
                        }
                    }
                }
            }
            return new Classification(probabilities, weights);
        }

        Evaluation evaluate(CnnParams params, BaseRows base, int[][] sentences, int[] labels, int chunk) {
            int classes = params.classes();
            readOutput(params, classes);
            int correct = 0;
            int scored = 0;
            double lossSum = 0;
            for (int from = 0; from < sentences.length; from += chunk) {
                int to = Math.min(sentences.length, from + chunk);
                int[][] part = Arrays.copyOfRange(sentences, from, to);
                forward(params, base, part);
                outputLogits(pooled, part.length, classes);
                for (int s = 0; s < part.length; s++) {
                    int label = labels[from + s];
                    scored++;
                    if (label < 0 || label >= classes) {
                        continue; // a class the parameters do not have yet: wrong, and no loss to speak of
                    }
                    if (argmax(logits, s * classes, classes) == label) {
                        correct++;
                    }
                    double[] p = softmax(logits, s * classes, classes);
                    lossSum += -Math.log(Math.max(p[label], 1e-300));
                }
            }
            return new Evaluation(correct, lossSum, scored);
        }

        /** X, Z = X · Fᵀ, and the pooled maps (with the winning windows in {@code arg}) of every sentence. */
        private void forward(CnnParams params, BaseRows base, int[][] sentences) {
            int count = sentences.length;
            int rows = 0;
            ensureSentences(count);
            for (int s = 0; s < count; s++) {
                rowStart[s] = rows;
                lengths[s] = sentences[s].length;
                rows += lengths[s];
            }
            ensureRows(rows);
            lap(-1);
            buildInput(params, base, sentences, count);
            lap(0);
            if (rows > 0 && serving && count == 1) {
                convolveInJava(params, rows);
            } else if (rows > 0) {
                ops.write(x, 0, xMemory, 0, rows * in);
                INDArray xs = rows == rowCapacity ? xArray
                        : xArray.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
                INDArray zs = rows == rowCapacity ? zArray
                        : zArray.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
                Nd4j.gemm(xs, params.filters(), zs, false, true, 1.0, 0.0);
                ops.read(zMemory, 0, z, 0, rows * taps);
            }
            lap(1);
            ops.read(params.filterBias(), bias);
            for (int s = 0; s < count; s++) {
                pool(s);
            }
            lap(2);
        }

        /** Z = X · Fᵀ by rows of Fᵀ (one axpy of T per input entry), for a serving engine's single sentence. */
        private void convolveInJava(CnnParams params, int rows) {
            if (filtersStale || filtersT == null) {
                ops.read(params.filters(), filters);
                if (filtersT == null) {
                    filtersT = ops.allocate(in * taps);
                }
                for (int t = 0; t < taps; t++) {
                    for (int c = 0; c < in; c++) {
                        ops.set(filtersT, c * taps + t, ops.get(filters, t * in + c));
                    }
                }
                filtersStale = false;
            }
            ops.fill(z, 0, rows * taps, 0);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < in; c++) {
                    double v = ops.get(x, r * in + c);
                    if (v != 0) {
                        ops.axpy(v, filtersT, c * taps, z, r * taps, taps);
                    }
                }
            }
        }

        /** Adds the time since the last lap to phase {@code phase} (−1: just start the clock). */
        private void lap(int phase) {
            long now = System.nanoTime();
            if (phase >= 0) {
                phaseNanos[phase] += now - mark;
            }
            mark = now;
        }

        private void buildInput(CnnParams params, BaseRows base, int[][] sentences, int count) {
            Buffer offsets = trained ? ops.memory(params.wordOffsets()) : null;
            int offsetRows = params.wordRows();
            for (int s = 0; s < count; s++) {
                int[] ids = sentences[s];
                for (int i = 0; i < ids.length; i++) {
                    int at = (rowStart[s] + i) * in;
                    int id = ids[i];
                    if (id < 0 || id >= base.size()) {
                        ops.fill(x, at, in, 0);
                        continue;
                    }
                    base.read(id, baseRow, 0);
                    int channel = 0;
                    if (trained) {
                        if (id < offsetRows) {
                            ops.read(offsets, id * k, x, at, k);
                            ops.addFloats(baseRow, 0, x, at, k);
                        } else {
                            ops.copyFloats(baseRow, 0, x, at, k);
                        }
                        channel = k;
                    }
                    if (fixed) {
                        ops.copyFloats(baseRow, 0, x, at + channel, k);
                    }
                }
            }
        }

        /** Max-over-time of every width and map of sentence s: best (before ReLU), arg (its window), pooled. */
        private void pool(int s) {
            int n = lengths[s];
            int m = config.paddedLength(n);
            int first = rowStart[s];
            for (int w = 0; w < config.widthCount(); w++) {
                int h = config.width(w);
                int tap0 = config.tapOffset(w);
                int bo = s * pooledSize + w * maps;
                ops.fill(best, bo, maps, Double.NEGATIVE_INFINITY);
                for (int t = 0; t + h <= m; t++) {
                    ops.copy(bias, w * maps, acc, 0, maps);
                    for (int j = 0; j < h; j++) {
                        int token = t + j - padding;
                        if (token >= 0 && token < n) {
                            ops.add(z, (first + token) * taps + tap0 + j * maps, acc, 0, maps);
                        }
                    }
                    ops.maxUpdate(acc, 0, best, bo, arg, bo, t, maps);
                }
                for (int f = 0; f < maps; f++) {
                    ops.set(pooled, bo + f, Math.max(0, ops.get(best, bo + f)));
                }
            }
        }

        /** Sends each positive map's gradient to the taps of its winning window: dF, d(bias) and the input's dX. */
        private void convolutionBackward(int[][] sentences, int count) {
            ops.fill(dFilters, 0, taps * in, 0);
            ops.fill(dBias, 0, pooledSize, 0);
            int rows = rowStart[count - 1] + lengths[count - 1];
            if (trained) {
                ops.fill(dx, 0, rows * k, 0);
            }
            for (int s = 0; s < count; s++) {
                int n = lengths[s];
                int first = rowStart[s];
                for (int w = 0; w < config.widthCount(); w++) {
                    int h = config.width(w);
                    int tap0 = config.tapOffset(w);
                    for (int f = 0; f < maps; f++) {
                        int u = w * maps + f;
                        int e = s * pooledSize + u;
                        double g = ops.get(dPooled, e);
                        if (g == 0 || ops.get(best, e) <= 0) {
                            continue;
                        }
                        ops.set(dBias, u, ops.get(dBias, u) + g);
                        int t = arg[e];
                        for (int j = 0; j < h; j++) {
                            int token = t + j - padding;
                            if (token < 0 || token >= n) {
                                continue;
                            }
                            int row = first + token;
                            int tap = tap0 + j * maps + f;
                            ops.axpy(g, x, row * in, dFilters, tap * in, in);
                            if (trained) {
                                ops.axpy(g, filters, tap * in, dx, row * k, k); // the trained channel comes first
                            }
                        }
                    }
                }
            }
        }

        private int[] writeGradients(CnnParams params, int[][] sentences, int count, CnnParams gradients,
                                     int classes) {
            ops.write(dFilters, gradients.filters());
            ops.write(dBias, gradients.filterBias());
            ops.write(dOutWeights, 0, ops.memory(gradients.outputWeights()), 0, classes * pooledSize);
            ops.write(dOutBias, 0, ops.memory(gradients.outputBias()), 0, classes);
            if (!trained) {
                return new int[0];
            }
            int words = params.wordRows();
            if (slotOfId.length < words) {
                slotOfId = new int[Math.max(words, slotOfId.length * 2)];
                Arrays.fill(slotOfId, -1);
            }
            int rows = rowStart[count - 1] + lengths[count - 1];
            if (uniqueIds.length < rows) {
                uniqueIds = new int[rows];
                dRows = ops.allocate(rows * k);
            }
            int unique = 0;
            for (int s = 0; s < count; s++) {
                for (int i = 0; i < lengths[s]; i++) {
                    int id = sentences[s][i];
                    int slot = slotOfId[id];
                    if (slot < 0) {
                        slot = unique++;
                        slotOfId[id] = slot;
                        uniqueIds[slot] = id;
                        ops.fill(dRows, slot * k, k, 0);
                    }
                    ops.add(dx, (rowStart[s] + i) * k, dRows, slot * k, k);
                }
            }
            Buffer memory = ops.memory(gradients.wordOffsets());
            for (int slot = 0; slot < unique; slot++) {
                ops.write(dRows, slot * k, memory, uniqueIds[slot] * k, k);
                slotOfId[uniqueIds[slot]] = -1;
            }
            return Arrays.copyOf(uniqueIds, unique);
        }

        private void readOutput(CnnParams params, int classes) {
            if (ops.length(outWeights) < classes * pooledSize) {
                outWeights = ops.allocate(classes * pooledSize);
                dOutWeights = ops.allocate(classes * pooledSize);
                outBias = ops.allocate(classes);
                dOutBias = ops.allocate(classes);
            }
            ops.read(ops.memory(params.outputWeights()), 0, outWeights, 0, classes * pooledSize);
            ops.read(ops.memory(params.outputBias()), 0, outBias, 0, classes);
            if (trained) {
                ops.read(params.filters(), filters);
            }
        }

        /** logits[s][c] = c-bias + W[c] · input[s], for the first {@code count} sentences. */
        private void outputLogits(A input, int count, int classes) {
            if (logits.length < count * classes) {
                logits = new double[count * classes];
            }
            for (int s = 0; s < count; s++) {
                for (int c = 0; c < classes; c++) {
                    logits[s * classes + c] = ops.get(outBias, c)
                            + ops.dot(outWeights, c * pooledSize, input, s * pooledSize, pooledSize);
                }
            }
        }

        private void ensureSentences(int count) {
            if (count <= sentenceCapacity) {
                return;
            }
            sentenceCapacity = Math.max(count, sentenceCapacity * 3 / 2);
            rowStart = new int[sentenceCapacity];
            lengths = new int[sentenceCapacity];
            int n = sentenceCapacity * pooledSize;
            best = ops.allocate(n);
            arg = new int[n];
            pooled = ops.allocate(n);
            mask = ops.allocate(n);
            dropped = ops.allocate(n);
            dPooled = ops.allocate(n);
        }

        private void ensureRows(int rows) {
            if (rows <= rowCapacity) {
                return;
            }
            rowCapacity = Math.max(rows, rowCapacity * 3 / 2);
            x = ops.allocate(rowCapacity * in);
            z = ops.allocate(rowCapacity * taps);
            dx = ops.allocate(rowCapacity * k);
            xArray = Nd4j.create(config.dataType(), rowCapacity, in);
            zArray = Nd4j.create(config.dataType(), rowCapacity, taps);
            xMemory = ops.memory(xArray);
            zMemory = ops.memory(zArray);
        }

        private static int argmax(double[] values, int from, int n) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (values[from + i] > values[from + best]) {
                    best = i;
                }
            }
            return best;
        }

        private static double[] softmax(double[] values, int from, int n) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, values[from + i]);
            }
            double sum = 0;
            double[] p = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = Math.exp(values[from + i] - max);
                sum += p[i];
            }
            for (int i = 0; i < n; i++) {
                p[i] /= sum;
            }
            return p;
        }
    }
}
