package io.rill.classify;

import io.rill.nn.Tensors;
import io.rill.nn.Vec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A sentence CNN's view of a {@link Tensors} set shaped like its parameters (or their gradients). The set itself is
 * plain: the generic parameter server holds, grows and updates it without knowing the model.
 * <ul>
 *   <li>{@code words.offset} (V × k, trained variants only): what training has added to each word's base row
 *       ({@link BaseRows}); a word's trained channel is base + offset. Starting at zero, this follows exactly the
 *       path of a row initialised at its base and trained (Adadelta's step depends on the gradient only). Group
 *       {@value #WORDS}, one row per word id;</li>
 *   <li>{@code conv.filters} (taps × channels·k): row {@code tapOffset(w) + j·maps + f} is tap j of map f of width
 *       w, spanning every channel, so one gemm X · Fᵀ gives every tap's response at every token;</li>
 *   <li>{@code conv.bias} (1 × widths·maps);</li>
 *   <li>{@code output.weights} (C × widths·maps) and {@code output.bias} (C × 1): the softmax layer, one row per
 *       class (group {@value #CLASSES}); max-norm applies to the weight rows.</li>
 * </ul>
 */
public final class CnnParams {

    public static final String WORDS = "words";
    public static final String CLASSES = "classes";
    public static final String WORD_OFFSETS = "words.offset";
    public static final String FILTERS = "conv.filters";
    public static final String FILTER_BIAS = "conv.bias";
    public static final String OUTPUT_WEIGHTS = "output.weights";
    public static final String OUTPUT_BIAS = "output.bias";

    private final CnnConfig config;
    private final Tensors tensors;

    private CnnParams(CnnConfig config, Tensors tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    /** A view of {@code tensors}, which must be the tensors of a model of {@code config}. */
    public static CnnParams wrap(CnnConfig config, Tensors tensors) {
        int words = config.variant().trained() ? tensors.groupSize(WORDS) : 1;
        if (tensors.dataType() != config.dataType()
                || !tensors.specs().equals(specs(config, words, tensors.groupSize(CLASSES)))) {
            throw new IllegalArgumentException(tensors + " are not the tensors of a sentence CNN of " + config);
        }
        return new CnnParams(config, tensors);
    }

    /** The tensors of a model of {@code config} with {@code words} word ids and {@code classes} classes (≥ 1 each). */
    public static List<Tensors.Spec> specs(CnnConfig config, long words, long classes) {
        List<Tensors.Spec> specs = new ArrayList<>(5);
        if (config.variant().trained()) {
            specs.add(Tensors.Spec.growing(WORD_OFFSETS, words, config.dimension(), WORDS, Tensors.Axis.ROWS));
        }
        specs.add(Tensors.Spec.fixed(FILTERS, config.taps(), config.inputWidth()));
        specs.add(Tensors.Spec.fixed(FILTER_BIAS, 1, config.pooledSize()));
        specs.add(Tensors.Spec.growing(OUTPUT_WEIGHTS, classes, config.pooledSize(), CLASSES, Tensors.Axis.ROWS));
        specs.add(Tensors.Spec.growing(OUTPUT_BIAS, classes, 1, CLASSES, Tensors.Axis.ROWS));
        return specs;
    }

    /** Zeros, for {@code words} and {@code classes}: gradients, or parameters to fill. */
    public static CnnParams zeros(CnnConfig config, int words, int classes) {
        return new CnnParams(config, Tensors.zeros(config.dataType(), specs(config, Math.max(1, words),
                Math.max(1, classes))));
    }

    /**
     * Fresh parameters as PyTorch initialises its layers (which the reference implementation uses): every width's
     * filters and biases from U[−1/√(channels·k·h), +], the output layer from U[−1/√n, +] with n the pooled size;
     * word offsets zero.
     */
    public static CnnParams initialize(CnnConfig config, int words, int classes, long seed) {
        CnnParams params = zeros(config, words, classes);
        Random random = new Random(seed);
        Vec filters = Vec.of(params.filters());
        Vec bias = Vec.of(params.filterBias());
        int row = 0;
        for (int w = 0; w < config.widthCount(); w++) {
            double bound = 1 / Math.sqrt((double) config.inputWidth() * config.width(w));
            for (int r = 0; r < config.width(w) * config.maps(); r++, row++) {
                for (int c = 0; c < config.inputWidth(); c++) {
                    filters.set(row * config.inputWidth() + c, uniform(random, bound));
                }
            }
            for (int f = 0; f < config.maps(); f++) {
                bias.set(w * config.maps() + f, uniform(random, bound));
            }
        }
        Tensors.Fill output = newClasses(config, random);
        Vec weights = Vec.of(params.outputWeights());
        for (int i = 0; i < weights.length(); i++) {
            weights.set(i, output.next(OUTPUT_WEIGHTS, null));
        }
        Vec outputBias = Vec.of(params.outputBias());
        for (int i = 0; i < outputBias.length(); i++) {
            outputBias.set(i, output.next(OUTPUT_BIAS, null));
        }
        return params;
    }

    /** How a new class's output row and bias start: U[−1/√n, 1/√n], n the pooled size, as PyTorch's Linear. */
    public static Tensors.Fill newClasses(CnnConfig config, Random random) {
        double bound = 1 / Math.sqrt(config.pooledSize());
        return (name, existing) -> uniform(random, bound);
    }

    private static double uniform(Random random, double bound) {
        return (2 * random.nextDouble() - 1) * bound;
    }

    public CnnConfig config() {
        return config;
    }

    /** The plain set this view reads and writes (not a copy). */
    public Tensors tensors() {
        return tensors;
    }

    /** Word ids the offsets cover (0 for a variant whose words do not learn). */
    public int wordRows() {
        return config.variant().trained() ? tensors.groupSize(WORDS) : 0;
    }

    public int classes() {
        return tensors.groupSize(CLASSES);
    }

    /** The word offsets; null for a variant whose words do not learn. */
    public INDArray wordOffsets() {
        return config.variant().trained() ? tensors.get(WORD_OFFSETS) : null;
    }

    public INDArray filters() {
        return tensors.get(FILTERS);
    }

    public INDArray filterBias() {
        return tensors.get(FILTER_BIAS);
    }

    public INDArray outputWeights() {
        return tensors.get(OUTPUT_WEIGHTS);
    }

    public INDArray outputBias() {
        return tensors.get(OUTPUT_BIAS);
    }

    /**
     * Makes a gradient these parameters wrote ready for the next step: zeroes the word-offset rows of {@code wordIds}
     * (the rows {@link KimCnn#train} wrote); the other tensors are overwritten by every step. Clearing a few rows of a
     * large gradient costs nothing next to allocating it afresh, which ND4J does slowly (fresh native pages).
     */
    public void clearWordRows(int[] wordIds) {
        if (wordIds.length == 0) {
            return;
        }
        java.nio.FloatBuffer floats = config.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT
                ? wordOffsets().data().asNioFloat() : null;
        Vec rows = floats == null ? Vec.of(wordOffsets()) : null;
        int k = config.dimension();
        float[] zeros = new float[k];
        for (int id : wordIds) {
            if (floats != null) {
                floats.put(id * k, zeros, 0, k);
            } else {
                for (int i = 0; i < k; i++) {
                    rows.set(id * k + i, 0);
                }
            }
        }
    }

    /** Zero tensors of the same shapes (a gradient for these parameters). */
    public CnnParams zerosLike() {
        return new CnnParams(config, tensors.zerosLike());
    }

    public CnnParams copy() {
        return new CnnParams(config, tensors.copy());
    }
}
