package io.rill.translate;

import io.rill.nn.PhaseTimes;
import io.rill.nn.PhaseTimes.Phase;
import io.rill.nn.RecurrentLayer;
import io.rill.nn.Softmax;
import io.rill.nn.Vec;
import java.lang.ref.Reference;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One training step of the attention translator over a mini-batch of sentence pairs, forward and backward, with
 * teacher forcing: the decoder reads the reference's previous word. With the {@link Encoder}'s source states h_j,
 * keys k_j and first state s₀, for every target step t of the batch at once:
 *
 * <pre>
 *   q_t = s_{t-1} · W_s                            one gemm for the batch
 *   α_t = softmax_j(vᵀ tanh(q_t + k_j))            over each sentence's own words  ({@link AdditiveAttention})
 *   c_t = Σ_j α_tj h_j
 *   s_t = LSTM([emb(y_{t-1}), c_t], s_{t-1})      step t of a {@link RecurrentLayer} (y_{-1} = &lt;s&gt;)
 *   p(y_t) = softmax([s_t, c_t] · W_o + b_o)       one gemm over every real target position of the batch
 * </pre>
 *
 * The loss is the mean cross-entropy per target word (end-of-sentence included) of the batch. Backward runs the
 * steps in reverse: after the layer's step t has left dL/dx_t, the context's share goes back through the attention
 * to the keys, the source states and q_t, and dL/dq_t · W_sᵀ joins dL/ds_{t-1} before step t − 1 — the layer's
 * step-by-step protocol. The weight gradients of W_s, W_o and the encoder are whole-batch gemms afterwards.
 *
 * <p>Gradients are added to the buffer given. Buffers are kept per batch shape. Not thread-safe:
 * one per worker.
 */
public final class AttentionNet {

    private static final int CACHED_SHAPES = 24;

    private final TranslatorConfig config;
    private final PhaseTimes times = new PhaseTimes();
    private final Encoder encoder;
    private final boolean exact;
    private final Map<Long, Steps> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Steps> eldest) {
            return size() > CACHED_SHAPES;
        }
    };
    private double[] u = new double[0];
    /** The last batch's attention weights, per step (rows × S), for tests. */
    private Vec[] lastAttention;
    private INDArray[] lastAttentionArrays;
    private int lastSourceSteps;
    private double[] dv = new double[0];

    public AttentionNet(TranslatorConfig config) {
        this.config = config;
        this.encoder = new Encoder(config, times);
        this.exact = config.dataType() == DataType.DOUBLE;
    }

    public TranslatorConfig config() {
        return config;
    }

    /** Where the time went, for benchmarks. */
    public PhaseTimes phaseTimes() {
        return times;
    }

    /** A mini-batch: source word ids, and target word ids without the end-of-sentence symbol. */
    public record Batch(int[][] sources, int[][] targets) {
        public Batch {
            if (sources.length != targets.length || sources.length == 0) {
                throw new IllegalArgumentException(sources.length + " sources and " + targets.length + " targets");
            }
        }

        public int size() {
            return sources.length;
        }
    }

    /** The decoder's buffers for B rows and T steps; rows of the (T·B) × · arrays are t·B + b. */
    private static final class Steps {
        final RecurrentLayer layer;
        /** s_{t-1} of every step: block t is the state that step t's attention reads. */
        final INDArray previous;
        final INDArray[] previousStep;
        final INDArray queries;
        final INDArray[] queryStep;
        final INDArray queryGradient;
        final INDArray[] queryGradientStep;
        final INDArray contexts;
        /** dL/ds_{t-1} from the attention of one step, B × D. */
        final INDArray stateFromQuery;
        final Vec previousVec;
        final Vec queriesVec;
        final Vec queryGradientVec;
        final Vec contextsVec;
        final Vec stateFromQueryVec;
        final Vec inputVec;
        final Vec outputsVec;
        final Vec outputGradientVec;
        final Vec inputGradientVec;

        Steps(TranslatorConfig config, int batch, int steps, PhaseTimes times) {
            DataType type = config.dataType();
            int d = config.stateSize();
            int a = config.attentionSize();
            layer = new RecurrentLayer(config.cell().cell(), config.decoderInputSize(), d, batch, steps, type, times);
            previous = Nd4j.zeros(type, (long) steps * batch, d);
            queries = Nd4j.zeros(type, (long) steps * batch, a);
            queryGradient = Nd4j.zeros(type, (long) steps * batch, a);
            contexts = Nd4j.zeros(type, (long) steps * batch, d);
            stateFromQuery = Nd4j.zeros(type, batch, d);
            previousStep = blocks(previous, steps, batch);
            queryStep = blocks(queries, steps, batch);
            queryGradientStep = blocks(queryGradient, steps, batch);
            previousVec = Vec.of(previous);
            queriesVec = Vec.of(queries);
            queryGradientVec = Vec.of(queryGradient);
            contextsVec = Vec.of(contexts);
            stateFromQueryVec = Vec.of(stateFromQuery);
            inputVec = Vec.of(layer.input());
            outputsVec = Vec.of(layer.outputs());
            outputGradientVec = Vec.of(layer.outputGradient());
            inputGradientVec = Vec.of(layer.inputGradient());
        }
    }

    /**
     * Mean cross-entropy per target word of {@code batch}; its gradient is added to {@code gradients} (zeros for the
     * gradient alone: a fresh buffer, as a worker pushes each one away).
     */
    public double train(TranslatorParams params, Batch batch, TranslatorParams gradients) {
        return run(params, batch, gradients);
    }

    /** Mean cross-entropy per target word of {@code batch}, forward only. */
    public double loss(TranslatorParams params, Batch batch) {
        return run(params, batch, null);
    }

    /** The summed cross-entropy and the number of target words of {@code batch}, forward only. */
    public double[] lossSum(TranslatorParams params, Batch batch) {
        double mean = run(params, batch, null);
        int words = 0;
        for (int[] target : batch.targets()) {
            words += target.length + 1;
        }
        return new double[] {mean * words, words};
    }

    private double run(TranslatorParams params, Batch batch, TranslatorParams gradients) {
        boolean training = gradients != null;
        Encoder.Encoding enc = encoder.forward(params, batch.sources(), training);
        long now = System.nanoTime();
        int rows = batch.size();
        int e = config.embeddingSize();
        int d = config.stateSize();
        int a = config.attentionSize();
        int in = config.decoderInputSize();
        int sourceSteps = enc.steps;
        int[] lengths = new int[rows];
        int steps = 0;
        int outputs = 0;
        for (int b = 0; b < rows; b++) {
            lengths[b] = batch.targets()[b].length + 1;
            steps = Math.max(steps, lengths[b]);
            outputs += lengths[b];
        }
        Steps st = steps(rows, steps);
        RecurrentLayer layer = st.layer;
        layer.maskLengths(lengths);
        layer.start(enc.initial, null);
        // α of each step in an array of its own (a 1 × 1 view would not read as C order). The arrays are kept in a
        // field: a Vec reads native memory that is freed once its array is collected.
        INDArray[] alphaArrays = new INDArray[steps];
        Vec[] alphaVec = new Vec[steps];
        int uSize = steps * rows * sourceSteps * a;
        if (u.length < uSize) {
            u = new double[uSize];
        }
        Vec embedding = Vec.of(params.get(TranslatorParams.TARGET_EMBEDDING));
        Vec v = Vec.of(params.get(TranslatorParams.ATTENTION_V));
        INDArray queryWeights = params.get(TranslatorParams.ATTENTION_QUERY);
        INDArray decoderWeights = params.get(TranslatorParams.DECODER_WEIGHTS);
        INDArray decoderBias = params.get(TranslatorParams.DECODER_BIAS);
        int[] validColumns = enc.lengths;
        times.lap(Phase.COPY, now);

        for (int t = 0; t < steps; t++) {
            now = System.nanoTime();
            Vec.copy(t == 0 ? enc.initialVec : st.outputsVec, t == 0 ? 0 : (t - 1) * rows * d, st.previousVec,
                    t * rows * d, rows * d);
            now = times.lap(Phase.COPY, now);
            Nd4j.gemm(st.previousStep[t], queryWeights, st.queryStep[t], false, false, 1.0, 0.0);
            now = times.lap(Phase.STEP_GEMM, now);
            alphaArrays[t] = Nd4j.zeros(config.dataType(), rows, sourceSteps);
            alphaVec[t] = Vec.of(alphaArrays[t]);
            for (int b = 0; b < rows; b++) {
                if (t < lengths[b]) {
                    AdditiveAttention.scores(st.queriesVec, (t * rows + b) * a, enc.keysVec, b * sourceSteps,
                            enc.lengths[b], v, a, u, ((t * rows + b) * sourceSteps) * a, alphaVec[t],
                            b * sourceSteps, exact);
                }
            }
            Softmax.rows(alphaVec[t], rows, sourceSteps, validColumns);
            for (int b = 0; b < rows; b++) {
                int row = t * rows + b;
                if (t < lengths[b]) {
                    AdditiveAttention.context(alphaVec[t], b * sourceSteps, enc.statesVec, b * sourceSteps,
                            enc.lengths[b], d, st.contextsVec, row * d);
                    int previousWord = t == 0 ? WordVocabulary.BOS : batch.targets()[b][t - 1];
                    Vec.copy(embedding, previousWord * e, st.inputVec, row * in, e);
                    Vec.copy(st.contextsVec, row * d, st.inputVec, row * in + e, d);
                } else {
                    Encoder.fill(st.contextsVec, row * d, d, 0);
                    Encoder.fill(st.inputVec, row * in, in, 0);
                }
            }
            times.lap(Phase.SOFTMAX, now);
            layer.forwardStep(t, decoderWeights, decoderBias);
        }

        lastAttention = alphaVec;
        lastAttentionArrays = alphaArrays;
        lastSourceSteps = sourceSteps;

        // The output layer over every real target position at once: rows r of [s_t, c_t].
        now = System.nanoTime();
        int width = config.outputInputSize();
        int vocabulary = params.targetSize();
        INDArray features = Nd4j.zeros(config.dataType(), outputs, width);
        Vec featuresVec = Vec.of(features);
        int[] targets = new int[outputs];
        int[] rowOf = new int[outputs];
        int r = 0;
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < rows; b++) {
                if (t < lengths[b]) {
                    int row = t * rows + b;
                    Vec.copy(st.outputsVec, row * d, featuresVec, r * width, d);
                    Vec.copy(st.contextsVec, row * d, featuresVec, r * width + d, d);
                    targets[r] = t < lengths[b] - 1 ? batch.targets()[b][t] : WordVocabulary.EOS;
                    rowOf[r] = row;
                    r++;
                }
            }
        }
        now = times.lap(Phase.COPY, now);
        INDArray logits = Nd4j.zeros(config.dataType(), outputs, vocabulary);
        Nd4j.gemm(features, params.get(TranslatorParams.OUTPUT_WEIGHTS), logits, false, false, 1.0, 0.0);
        now = times.lap(Phase.OUTPUT_GEMM, now);
        Vec logitsVec = Vec.of(logits);
        double total = Softmax.crossEntropy(logitsVec, Vec.of(params.get(TranslatorParams.OUTPUT_BIAS)), targets,
                outputs, vocabulary, training, outputs);
        times.lap(Phase.SOFTMAX, now);
        if (!training) {
            Reference.reachabilityFence(features);
            Reference.reachabilityFence(logits);
            return total / outputs;
        }

        // ---- backward ----
        now = System.nanoTime();
        Encoder.columnSums(logitsVec, outputs, vocabulary, Vec.of(gradients.get(TranslatorParams.OUTPUT_BIAS)));
        now = times.lap(Phase.SOFTMAX, now);
        Nd4j.gemm(features, logits, gradients.get(TranslatorParams.OUTPUT_WEIGHTS), true, false, 1.0, 1.0);
        INDArray featureGradient = Nd4j.zeros(config.dataType(), outputs, width);
        Nd4j.gemm(logits, params.get(TranslatorParams.OUTPUT_WEIGHTS), featureGradient, false, true, 1.0, 0.0);
        now = times.lap(Phase.OUTPUT_GEMM, now);
        Vec featureGradientVec = Vec.of(featureGradient);
        st.outputGradientVec.fill(0);
        double[] dContexts = new double[steps * rows * d];
        for (int k = 0; k < outputs; k++) {
            int row = rowOf[k];
            Vec.copy(featureGradientVec, k * width, st.outputGradientVec, row * d, d);
            for (int j = 0; j < d; j++) {
                dContexts[row * d + j] = featureGradientVec.get(k * width + d + j);
            }
        }
        if (dv.length < a) {
            dv = new double[a];
        }
        java.util.Arrays.fill(dv, 0, a, 0);
        INDArray dAlpha = Nd4j.zeros(config.dataType(), rows, sourceSteps);
        Vec dAlphaVec = Vec.of(dAlpha);
        Vec dEmbedding = Vec.of(gradients.get(TranslatorParams.TARGET_EMBEDDING));
        double[] dContext = new double[d];
        times.lap(Phase.COPY, now);

        layer.startBackward(true);
        for (int t = steps - 1; t >= 0; t--) {
            layer.backwardStep(t, decoderWeights);
            now = System.nanoTime();
            dAlphaVec.fill(0);
            for (int b = 0; b < rows; b++) {
                int row = t * rows + b;
                if (t >= lengths[b]) {
                    Encoder.fill(st.queryGradientVec, row * a, a, 0);
                    continue;
                }
                int previousWord = t == 0 ? WordVocabulary.BOS : batch.targets()[b][t - 1];
                Encoder.addRow(st.inputGradientVec, row * in, dEmbedding, previousWord * e, e);
                for (int j = 0; j < d; j++) {
                    dContext[j] = dContexts[row * d + j] + st.inputGradientVec.get(row * in + e + j);
                }
                AdditiveAttention.contextBackward(dContext, alphaVec[t], b * sourceSteps, enc.statesVec,
                        enc.stateGradientVec, b * sourceSteps, enc.lengths[b], d, dAlphaVec);
            }
            Softmax.rowsBackward(alphaVec[t], dAlphaVec, rows, sourceSteps);
            for (int b = 0; b < rows; b++) {
                if (t < lengths[b]) {
                    int row = t * rows + b;
                    AdditiveAttention.scoresBackward(dAlphaVec, b * sourceSteps, u, row * sourceSteps * a, v, a,
                            enc.lengths[b], enc.keyGradientVec, b * sourceSteps, dv, st.queryGradientVec, row * a);
                }
            }
            now = times.lap(Phase.SOFTMAX, now);
            // dL/ds_{t-1} += dq_t · W_sᵀ, before the layer's step t − 1 (or into dL/ds₀).
            Nd4j.gemm(st.queryGradientStep[t], queryWeights, st.stateFromQuery, false, true, 1.0, 0.0);
            now = times.lap(Phase.STEP_GEMM, now);
            if (t > 0) {
                Encoder.addRow(st.stateFromQueryVec, 0, st.outputGradientVec, (t - 1) * rows * d, rows * d);
            } else {
                Encoder.addRow(st.stateFromQueryVec, 0, enc.initialGradientVec, 0, rows * d);
            }
            times.lap(Phase.COPY, now);
        }
        layer.parameterGradients(decoderWeights, gradients.get(TranslatorParams.DECODER_WEIGHTS),
                gradients.get(TranslatorParams.DECODER_BIAS), false, true);
        now = System.nanoTime();
        Encoder.addRow(Vec.of(layer.initialHiddenGradient()), 0, enc.initialGradientVec, 0, rows * d);
        Vec dV = Vec.of(gradients.get(TranslatorParams.ATTENTION_V));
        for (int k = 0; k < a; k++) {
            dV.add(k, dv[k]);
        }
        now = times.lap(Phase.COPY, now);
        Nd4j.gemm(st.previous, st.queryGradient, gradients.get(TranslatorParams.ATTENTION_QUERY), true, false, 1.0,
                1.0);
        times.lap(Phase.WEIGHT_GEMM, now);
        encoder.backward(params, enc, gradients);
        // Vecs read these arrays' native memory, which their collection would free.
        Reference.reachabilityFence(features);
        Reference.reachabilityFence(logits);
        Reference.reachabilityFence(featureGradient);
        Reference.reachabilityFence(dAlpha);
        return total / outputs;
    }

    /** The last batch's weight of target step t of row b on source position j (padding included). */
    double attentionWeight(int t, int b, int j) {
        return lastAttention[t].get(b * lastSourceSteps + j);
    }

    private Steps steps(int batch, int steps) {
        long key = (long) batch << 32 | steps;
        return cache.computeIfAbsent(key, k -> new Steps(config, batch, steps, times));
    }

    static INDArray[] blocks(INDArray array, int blocks, int rowsPerBlock) {
        INDArray[] views = new INDArray[blocks];
        for (int t = 0; t < blocks; t++) {
            views[t] = array.get(NDArrayIndex.interval((long) t * rowsPerBlock, (long) (t + 1) * rowsPerBlock),
                    NDArrayIndex.all());
        }
        return views;
    }
}
