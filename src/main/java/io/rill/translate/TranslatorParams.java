package io.rill.translate;

import io.rill.nn.Tensors;
import io.rill.nn.Tensors.Axis;
import io.rill.nn.Tensors.Spec;
import io.rill.nn.Vec;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A translator's view of a {@link Tensors} set shaped like its parameters (or their gradients): the set itself is
 * plain, so that the generic parameter server holds, updates and grows it without knowing the model. With E the
 * embedding size, H the encoder's units each way, D = 2H, A the attention units, G the cell's gates, V_s and V_t
 * the vocabulary sizes:
 *
 * <ul>
 *   <li>{@code source.embedding} V_s × E (grows with group {@value #SOURCE});</li>
 *   <li>{@code encoder.forward.*} and {@code encoder.backward.*}: (H + E) × G·H weights and 1 × G·H bias of the two
 *       directions (rows [0, H) multiply the state, as {@link io.rill.nn.RecurrentLayer} wants);</li>
 *   <li>{@code bridge.*}: D × D and 1 × D, the decoder's first state s₀ = tanh(mean_j h_j · W + b);</li>
 *   <li>{@code attention.query} D × A (W_s), {@code attention.key} D × A (W_h), {@code attention.bias} 1 × A (with
 *       the keys) and {@code attention.v} 1 × A: e_j = vᵀ tanh(W_s s + W_h h_j + b);</li>
 *   <li>{@code target.embedding} V_t × E (grows with group {@value #TARGET});</li>
 *   <li>{@code decoder.*}: (D + E + D) × G·D and 1 × G·D; the decoder's input is [previous word, context];</li>
 *   <li>{@code output.weights} 2D × V_t and {@code output.bias} 1 × V_t (columns grow with {@value #TARGET}): the
 *       next word's logits from [s, context].</li>
 * </ul>
 *
 * <p>Initialisation, from a seeded {@link Random} in this order: embeddings N(0, 1); the recurrent weights
 * U(±1/√units); the other matrices U(±1/√fan-in); biases 0. A word added later gets an embedding row N(0, 1), output
 * weights drawn like the initial ones and the smallest output bias there is, so it starts as unlikely as the rarest
 * known word.
 */
public final class TranslatorParams {

    /** The growth group of the source vocabulary and of the target vocabulary. */
    public static final String SOURCE = "source";
    public static final String TARGET = "target";

    public static final String SOURCE_EMBEDDING = "source.embedding";
    public static final String ENCODER_FORWARD_WEIGHTS = "encoder.forward.weights";
    public static final String ENCODER_FORWARD_BIAS = "encoder.forward.bias";
    public static final String ENCODER_BACKWARD_WEIGHTS = "encoder.backward.weights";
    public static final String ENCODER_BACKWARD_BIAS = "encoder.backward.bias";
    public static final String BRIDGE_WEIGHTS = "bridge.weights";
    public static final String BRIDGE_BIAS = "bridge.bias";
    public static final String ATTENTION_QUERY = "attention.query";
    public static final String ATTENTION_KEY = "attention.key";
    public static final String ATTENTION_BIAS = "attention.bias";
    public static final String ATTENTION_V = "attention.v";
    public static final String TARGET_EMBEDDING = "target.embedding";
    public static final String DECODER_WEIGHTS = "decoder.weights";
    public static final String DECODER_BIAS = "decoder.bias";
    public static final String OUTPUT_WEIGHTS = "output.weights";
    public static final String OUTPUT_BIAS = "output.bias";

    private final TranslatorConfig config;
    private final Tensors tensors;

    private TranslatorParams(TranslatorConfig config, Tensors tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    /**
     * A view of {@code tensors} (not a copy) as the parameters, or gradients, of a translator of {@code config};
     * fails unless they have its names and shapes.
     */
    public static TranslatorParams wrap(TranslatorConfig config, Tensors tensors) {
        List<Spec> expected = specs(config, tensors.groupSize(SOURCE), tensors.groupSize(TARGET));
        if (tensors.dataType() != config.dataType() || !tensors.specs().equals(expected)) {
            throw new IllegalArgumentException(tensors + " are not the tensors of a translator of " + config);
        }
        return new TranslatorParams(config, tensors);
    }

    /** The tensors of a translator of {@code config} with vocabularies of the given sizes, in order. */
    public static List<Spec> specs(TranslatorConfig config, long sourceSize, long targetSize) {
        int e = config.embeddingSize();
        int h = config.hiddenSize();
        int d = config.stateSize();
        int a = config.attentionSize();
        int g = config.cell().cell().gates();
        return List.of(
                Spec.growing(SOURCE_EMBEDDING, sourceSize, e, SOURCE, Axis.ROWS),
                Spec.fixed(ENCODER_FORWARD_WEIGHTS, h + e, (long) g * h),
                Spec.fixed(ENCODER_FORWARD_BIAS, 1, (long) g * h),
                Spec.fixed(ENCODER_BACKWARD_WEIGHTS, h + e, (long) g * h),
                Spec.fixed(ENCODER_BACKWARD_BIAS, 1, (long) g * h),
                Spec.fixed(BRIDGE_WEIGHTS, d, d),
                Spec.fixed(BRIDGE_BIAS, 1, d),
                Spec.fixed(ATTENTION_QUERY, d, a),
                Spec.fixed(ATTENTION_KEY, d, a),
                Spec.fixed(ATTENTION_BIAS, 1, a),
                Spec.fixed(ATTENTION_V, 1, a),
                Spec.growing(TARGET_EMBEDDING, targetSize, e, TARGET, Axis.ROWS),
                Spec.fixed(DECODER_WEIGHTS, d + config.decoderInputSize(), (long) g * d),
                Spec.fixed(DECODER_BIAS, 1, (long) g * d),
                Spec.growing(OUTPUT_WEIGHTS, config.outputInputSize(), targetSize, TARGET, Axis.COLUMNS),
                Spec.growing(OUTPUT_BIAS, 1, targetSize, TARGET, Axis.COLUMNS));
    }

    /** Zeros shaped like the parameters: a gradient buffer. */
    public static TranslatorParams zeros(TranslatorConfig config, int sourceSize, int targetSize) {
        return new TranslatorParams(config, Tensors.zeros(config.dataType(), specs(config, sourceSize, targetSize)));
    }

    /** Freshly initialised parameters for vocabularies of the given sizes. */
    public static TranslatorParams initialize(TranslatorConfig config, int sourceSize, int targetSize, long seed) {
        TranslatorParams params = zeros(config, sourceSize, targetSize);
        Random random = new Random(seed);
        int d = config.stateSize();
        gaussian(params.get(SOURCE_EMBEDDING), random);
        uniform(params.get(ENCODER_FORWARD_WEIGHTS), 1 / Math.sqrt(config.hiddenSize()), random);
        uniform(params.get(ENCODER_BACKWARD_WEIGHTS), 1 / Math.sqrt(config.hiddenSize()), random);
        uniform(params.get(BRIDGE_WEIGHTS), 1 / Math.sqrt(d), random);
        uniform(params.get(ATTENTION_QUERY), 1 / Math.sqrt(d), random);
        uniform(params.get(ATTENTION_KEY), 1 / Math.sqrt(d), random);
        uniform(params.get(ATTENTION_V), 1 / Math.sqrt(config.attentionSize()), random);
        gaussian(params.get(TARGET_EMBEDDING), random);
        uniform(params.get(DECODER_WEIGHTS), 1 / Math.sqrt(d), random);
        uniform(params.get(OUTPUT_WEIGHTS), 1 / Math.sqrt(config.outputInputSize()), random);
        return params;
    }

    /** How the entries of a new word start, for the parameter server's growth of either group. */
    public static Tensors.Fill newWords(TranslatorConfig config, Random random) {
        double outputRange = 1 / Math.sqrt(config.outputInputSize());
        return (name, existing) -> switch (name) {
            case SOURCE_EMBEDDING, TARGET_EMBEDDING -> random.nextGaussian();
            case OUTPUT_WEIGHTS -> (2 * random.nextDouble() - 1) * outputRange;
            case OUTPUT_BIAS -> {
                double min = 0;
                for (int v = WordVocabulary.SPECIALS; v < existing.length(); v++) {
                    min = Math.min(min, existing.get(v));
                }
                yield min;
            }
            default -> throw new IllegalArgumentException("tensor " + name + " does not grow with a vocabulary");
        };
    }

    private static void gaussian(INDArray array, Random random) {
        Vec vec = Vec.of(array);
        for (int i = 0; i < vec.length(); i++) {
            vec.set(i, random.nextGaussian());
        }
    }

    private static void uniform(INDArray array, double range, Random random) {
        Vec vec = Vec.of(array);
        for (int i = 0; i < vec.length(); i++) {
            vec.set(i, (2 * random.nextDouble() - 1) * range);
        }
    }

    public TranslatorConfig config() {
        return config;
    }

    /** The plain set. */
    public Tensors tensors() {
        return tensors;
    }

    public INDArray get(String name) {
        return tensors.get(name);
    }

    public int sourceSize() {
        return tensors.groupSize(SOURCE);
    }

    public int targetSize() {
        return tensors.groupSize(TARGET);
    }

    /** An independent deep copy. */
    public TranslatorParams copy() {
        return new TranslatorParams(config, tensors.copy());
    }
}
