package io.rill.ps;

import io.rill.nn.Optimizer;
import io.rill.nn.Tensors;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a model's parameter server holds and how it learns, given by the model's kind when it places its servers (it
 * is code, not data: every node that may host the server builds the same design from the same configuration).
 *
 * @param dense        the dense blocks as initialised (LSTM, CNN, attention weights), or null for none
 * @param optimizer    the optimizer of the dense blocks, for the parameters it will update
 * @param growth       per growth group of the dense blocks (a vocabulary), how the entries it adds start
 * @param clipNorm     the global norm every dense gradient is clipped to before the update; 0 for none
 * @param constraints  applied to the dense blocks after every update (max-norm)
 * @param rows         the row-sparse blocks (embeddings, updated by row deltas), or null for none
 * @param maxStaleness updates computed on parameters older than this many versions are refused
 * @param publishEvery every this many updates subscribers get a copy of the parameters (0: never)
 */
public record ServerDesign(Supplier<Tensors> dense, Function<Tensors, Optimizer> optimizer,
                           Map<String, Tensors.Fill> growth, double clipNorm, List<Consumer<Tensors>> constraints,
                           Supplier<RowBlocks> rows, int maxStaleness, int publishEvery) {

    /** A server of dense blocks only. */
    public static ServerDesign dense(Supplier<Tensors> dense, Function<Tensors, Optimizer> optimizer,
                                     Map<String, Tensors.Fill> growth, double clipNorm,
                                     List<Consumer<Tensors>> constraints, int maxStaleness, int publishEvery) {
        return new ServerDesign(dense, optimizer, growth, clipNorm, constraints, null, maxStaleness, publishEvery);
    }

    /** A server of row-sparse blocks only. */
    public static ServerDesign rows(Supplier<RowBlocks> rows, int maxStaleness) {
        return new ServerDesign(null, null, Map.of(), 0, List.of(), rows, maxStaleness, 0);
    }
}
