package io.rill.translate;

import io.rill.nn.PhaseTimes;
import io.rill.nn.PhaseTimes.Phase;
import io.rill.nn.RecurrentLayer;
import io.rill.nn.Vec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The translator's encoder over a batch of B source sentences padded to S words, forward and backward:
 *
 * <pre>
 *   →h_j = LSTM→(x_j, →h_{j-1})          over each sentence's n_b words       (a {@link RecurrentLayer})
 *   ←h_j = LSTM←(x_j, ←h_{j+1})          the same words reversed, a second layer
 *   h_j  = [→h_j, ←h_j]                  the source states, D = 2H wide
 *   k_j  = h_j · W_h + b                 the attention keys, computed once per batch (one gemm)
 *   s₀   = tanh(mean_j h_j · W_b + b_b)  the decoder's first state
 * </pre>
 *
 * Masks give each row its own length: a padded step neither moves a row's state nor gets a gradient, and a padded
 * position's state is 0. What the decoder reads is in {@link Encoding}; its gradients come back into the same
 * object ({@link Encoding#stateGradient()}, {@link Encoding#keyGradient()}, {@link Encoding#initialGradient()}).
 * Buffers are kept per batch shape (a few recent shapes), so training allocates nothing once the shapes repeat. Not
 * thread-safe.
 */
final class Encoder {

    /** Batch shapes whose buffers are kept. */
    private static final int CACHED_SHAPES = 16;

    private final TranslatorConfig config;
    private final PhaseTimes times;
    private final Map<Long, Encoding> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Encoding> eldest) {
            return size() > CACHED_SHAPES;
        }
    };

    Encoder(TranslatorConfig config, PhaseTimes times) {
        this.config = config;
        this.times = times;
    }

    /** The encoder's buffers and results for one batch shape; rows of the N × · arrays are b·S + j. */
    static final class Encoding {
        final int batch;
        final int steps;
        final RecurrentLayer forward;
        final RecurrentLayer backward;
        /** h_j: (B·S) × D. */
        final INDArray states;
        /** k_j = h_j · W_h + b: (B·S) × A. */
        final INDArray keys;
        /** mean_j h_j: B × D. */
        final INDArray mean;
        /** s₀: B × D. */
        final INDArray initial;
        final INDArray stateGradient;
        final INDArray keyGradient;
        final INDArray initialGradient;
        final INDArray meanGradient;
        final Vec statesVec;
        final Vec keysVec;
        final Vec meanVec;
        final Vec initialVec;
        final Vec stateGradientVec;
        final Vec keyGradientVec;
        final Vec initialGradientVec;
        final Vec meanGradientVec;
        int[] lengths;
        int[][] sources;

        private Encoding(TranslatorConfig config, int batch, int steps, PhaseTimes times) {
            this.batch = batch;
            this.steps = steps;
            DataType type = config.dataType();
            int h = config.hiddenSize();
            int d = config.stateSize();
            int a = config.attentionSize();
            forward = new RecurrentLayer(config.cell().cell(), config.embeddingSize(), h, batch, steps, type, times);
            backward = new RecurrentLayer(config.cell().cell(), config.embeddingSize(), h, batch, steps, type, times);
            states = Nd4j.zeros(type, (long) batch * steps, d);
            keys = Nd4j.zeros(type, (long) batch * steps, a);
            mean = Nd4j.zeros(type, batch, d);
            initial = Nd4j.zeros(type, batch, d);
            stateGradient = Nd4j.zeros(type, (long) batch * steps, d);
            keyGradient = Nd4j.zeros(type, (long) batch * steps, a);
            initialGradient = Nd4j.zeros(type, batch, d);
            meanGradient = Nd4j.zeros(type, batch, d);
            statesVec = Vec.of(states);
            keysVec = Vec.of(keys);
            meanVec = Vec.of(mean);
            initialVec = Vec.of(initial);
            stateGradientVec = Vec.of(stateGradient);
            keyGradientVec = Vec.of(keyGradient);
            initialGradientVec = Vec.of(initialGradient);
            meanGradientVec = Vec.of(meanGradient);
        }

        int length(int b) {
            return lengths[b];
        }

        /** dL/dh_j, to be filled by the decoder (cleared by {@link Encoder#forward}). */
        INDArray stateGradient() {
            return stateGradient;
        }

        /** dL/dk_j, to be filled by the decoder (cleared by {@link Encoder#forward}). */
        INDArray keyGradient() {
            return keyGradient;
        }

        /** dL/ds₀, to be filled by the decoder (cleared by {@link Encoder#forward}). */
        INDArray initialGradient() {
            return initialGradient;
        }
    }

    /**
     * Encodes {@code sources} (word ids, each sentence at least one word long) with {@code params}; with
     * {@code training} the gradient buffers are cleared for the decoder to fill.
     */
    Encoding forward(TranslatorParams params, int[][] sources, boolean training) {
        long now = System.nanoTime();
        int batch = sources.length;
        int steps = 0;
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            if (sources[b].length == 0) {
                throw new IllegalArgumentException("source sentence " + b + " is empty");
            }
            lengths[b] = sources[b].length;
            steps = Math.max(steps, lengths[b]);
        }
        Encoding enc = encoding(batch, steps);
        enc.lengths = lengths;
        enc.sources = sources;
        int e = config.embeddingSize();
        int h = config.hiddenSize();
        int d = config.stateSize();
        int a = config.attentionSize();

        // Inputs: the forward layer reads each sentence in order, the backward layer reversed.
        Vec embedding = Vec.of(params.get(TranslatorParams.SOURCE_EMBEDDING));
        Vec forwardInput = Vec.of(enc.forward.input());
        Vec backwardInput = Vec.of(enc.backward.input());
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = (t * batch + b) * e;
                if (t < lengths[b]) {
                    Vec.copy(embedding, sources[b][t] * e, forwardInput, row, e);
                    Vec.copy(embedding, sources[b][lengths[b] - 1 - t] * e, backwardInput, row, e);
                } else {
                    fill(forwardInput, row, e, 0);
                    fill(backwardInput, row, e, 0);
                }
            }
        }
        now = times.lap(Phase.COPY, now);
        enc.forward.maskLengths(lengths);
        enc.backward.maskLengths(lengths);
        enc.forward.start(null, null);
        enc.backward.start(null, null);
        enc.forward.forward(params.get(TranslatorParams.ENCODER_FORWARD_WEIGHTS),
                params.get(TranslatorParams.ENCODER_FORWARD_BIAS));
        enc.backward.forward(params.get(TranslatorParams.ENCODER_BACKWARD_WEIGHTS),
                params.get(TranslatorParams.ENCODER_BACKWARD_BIAS));
        now = System.nanoTime();

        // h_j = [→h_j, ←h_j], mean_j h_j.
        Vec forwardOut = Vec.of(enc.forward.outputs());
        Vec backwardOut = Vec.of(enc.backward.outputs());
        Vec states = enc.statesVec;
        Vec mean = enc.meanVec;
        double[] sum = new double[d];
        for (int b = 0; b < batch; b++) {
            java.util.Arrays.fill(sum, 0);
            int n = lengths[b];
            for (int j = 0; j < steps; j++) {
                int row = (b * steps + j) * d;
                if (j >= n) {
                    fill(states, row, d, 0);
                    continue;
                }
                Vec.copy(forwardOut, (j * batch + b) * h, states, row, h);
                Vec.copy(backwardOut, ((n - 1 - j) * batch + b) * h, states, row + h, h);
                for (int k = 0; k < d; k++) {
                    sum[k] += states.get(row + k);
                }
            }
            for (int k = 0; k < d; k++) {
                mean.set(b * d + k, sum[k] / n);
            }
        }
        now = times.lap(Phase.COPY, now);

        // Keys for every position at once, and s₀.
        Nd4j.gemm(enc.states, params.get(TranslatorParams.ATTENTION_KEY), enc.keys, false, false, 1.0, 0.0);
        Nd4j.gemm(enc.mean, params.get(TranslatorParams.BRIDGE_WEIGHTS), enc.initial, false, false, 1.0, 0.0);
        now = times.lap(Phase.INPUT_GEMM, now);
        addRowVector(enc.keysVec, batch * steps, a, Vec.of(params.get(TranslatorParams.ATTENTION_BIAS)));
        Vec bridgeBias = Vec.of(params.get(TranslatorParams.BRIDGE_BIAS));
        Vec initial = enc.initialVec;
        for (int b = 0; b < batch; b++) {
            for (int k = 0; k < d; k++) {
                initial.set(b * d + k, Math.tanh(initial.get(b * d + k) + bridgeBias.get(k)));
            }
        }
        if (training) {
            enc.stateGradientVec.fill(0);
            enc.keyGradientVec.fill(0);
            enc.initialGradientVec.fill(0);
        }
        times.lap(Phase.CELL, now);
        return enc;
    }

    /**
     * The encoder's part of the backward pass, once the decoder has filled the gradients of the states, keys and
     * s₀: adds the gradients of the encoder's parameters, the bridge, the keys' weights and bias and the source
     * embedding to {@code gradients}.
     */
    void backward(TranslatorParams params, Encoding enc, TranslatorParams gradients) {
        long now = System.nanoTime();
        int batch = enc.batch;
        int steps = enc.steps;
        int h = config.hiddenSize();
        int d = config.stateSize();
        int a = config.attentionSize();
        int e = config.embeddingSize();

        // s₀ = tanh(pre): dpre = ds₀ ∗ (1 − s₀²), then the bridge's weights, bias and dL/dmean.
        Vec initial = enc.initialVec;
        Vec dInitial = enc.initialGradientVec;
        for (int i = 0; i < batch * d; i++) {
            double s = initial.get(i);
            dInitial.set(i, dInitial.get(i) * (1 - s * s));
        }
        Vec bridgeBiasGradient = Vec.of(gradients.get(TranslatorParams.BRIDGE_BIAS));
        columnSums(dInitial, batch, d, bridgeBiasGradient);
        now = times.lap(Phase.CELL, now);
        Nd4j.gemm(enc.mean, enc.initialGradient, gradients.get(TranslatorParams.BRIDGE_WEIGHTS), true, false, 1.0,
                1.0);
        Nd4j.gemm(enc.initialGradient, params.get(TranslatorParams.BRIDGE_WEIGHTS), enc.meanGradient, false, true,
                1.0, 0.0);
        // The keys: dW_h = Hᵀ · dK, db = Σ dK, dH += dK · W_hᵀ.
        Nd4j.gemm(enc.states, enc.keyGradient, gradients.get(TranslatorParams.ATTENTION_KEY), true, false, 1.0, 1.0);
        Nd4j.gemm(enc.keyGradient, params.get(TranslatorParams.ATTENTION_KEY), enc.stateGradient, false, true, 1.0,
                1.0);
        now = times.lap(Phase.WEIGHT_GEMM, now);
        columnSums(enc.keyGradientVec, batch * steps, a, Vec.of(gradients.get(TranslatorParams.ATTENTION_BIAS)));

        // dL/dh_j: the mean's share, then split into the two directions' output gradients.
        Vec dStates = enc.stateGradientVec;
        Vec dMean = enc.meanGradientVec;
        Vec forwardGradient = Vec.of(enc.forward.outputGradient());
        Vec backwardGradient = Vec.of(enc.backward.outputGradient());
        for (int b = 0; b < batch; b++) {
            int n = enc.lengths[b];
            for (int j = 0; j < steps; j++) {
                int forwardRow = (j * batch + b) * h;
                if (j >= n) {
                    fill(forwardGradient, forwardRow, h, 0);
                    continue;
                }
                int row = (b * steps + j) * d;
                int backwardRow = ((n - 1 - j) * batch + b) * h;
                for (int k = 0; k < h; k++) {
                    forwardGradient.set(forwardRow + k, dStates.get(row + k) + dMean.get(b * d + k) / n);
                    backwardGradient.set(backwardRow + k, dStates.get(row + h + k) + dMean.get(b * d + h + k) / n);
                }
            }
            for (int t = n; t < steps; t++) {
                fill(backwardGradient, (t * batch + b) * h, h, 0);
            }
        }
        times.lap(Phase.COPY, now);

        enc.forward.backward(params.get(TranslatorParams.ENCODER_FORWARD_WEIGHTS),
                gradients.get(TranslatorParams.ENCODER_FORWARD_WEIGHTS),
                gradients.get(TranslatorParams.ENCODER_FORWARD_BIAS));
        enc.backward.backward(params.get(TranslatorParams.ENCODER_BACKWARD_WEIGHTS),
                gradients.get(TranslatorParams.ENCODER_BACKWARD_WEIGHTS),
                gradients.get(TranslatorParams.ENCODER_BACKWARD_BIAS));

        // The embedding rows of the words read, from both directions' input gradients.
        now = System.nanoTime();
        Vec dEmbedding = Vec.of(gradients.get(TranslatorParams.SOURCE_EMBEDDING));
        Vec forwardInputGradient = Vec.of(enc.forward.inputGradient());
        Vec backwardInputGradient = Vec.of(enc.backward.inputGradient());
        for (int b = 0; b < batch; b++) {
            int n = enc.lengths[b];
            for (int t = 0; t < n; t++) {
                int row = (t * batch + b) * e;
                addRow(forwardInputGradient, row, dEmbedding, enc.sources[b][t] * e, e);
                addRow(backwardInputGradient, row, dEmbedding, enc.sources[b][n - 1 - t] * e, e);
            }
        }
        times.lap(Phase.COPY, now);
    }

    private Encoding encoding(int batch, int steps) {
        long key = (long) batch << 32 | steps;
        return cache.computeIfAbsent(key, k -> new Encoding(config, batch, steps, times));
    }

    static void fill(Vec vec, int from, int length, double value) {
        for (int i = 0; i < length; i++) {
            vec.set(from + i, value);
        }
    }

    static void addRow(Vec from, int fromOffset, Vec to, int toOffset, int length) {
        for (int i = 0; i < length; i++) {
            to.add(toOffset + i, from.get(fromOffset + i));
        }
    }

    /** Adds {@code row} (1 × cols) to each of the rows × cols entries of {@code m}. */
    static void addRowVector(Vec m, int rows, int cols, Vec row) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int j = 0; j < cols; j++) {
                m.add(base + j, row.get(j));
            }
        }
    }

    /** Adds the column sums of the rows × cols entries of {@code m} (summed in double) to {@code out}. */
    static void columnSums(Vec m, int rows, int cols, Vec out) {
        double[] sums = new double[cols];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int j = 0; j < cols; j++) {
                sums[j] += m.get(base + j);
            }
        }
        for (int j = 0; j < cols; j++) {
            out.add(j, sums[j]);
        }
    }
}
