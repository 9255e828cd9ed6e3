package io.rill.lstm;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs a character model: embedding → recurrent layers → softmax, forward and backward over a chunk of T steps of
 * B parallel streams (truncated backpropagation through time), plus single steps for sampling.
 *
 * <pre>
 *   x_t      = E[id_t]                                  embedding lookup
 *   z_t      = [h_{t-1}, x_t] · W = h_{t-1}·W_h + x_t·W_x   all gates, whole batch
 *   h_t, c_t = cell(z_t + b, c_{t-1})                   {@link LstmCell} or {@link RnnCell}
 *   y_t      = dropout(h_t)                             input of the next layer, or of the softmax
 *   logits   = Y · W_out + b_out                        one gemm for the whole chunk
 *   loss     = mean over the chunk of −log softmax(logits)[target]
 * </pre>
 *
 * The four gates' weights are one (H + In) × 4H matrix W whose row blocks W_h and W_x multiply h and x. Only the
 * h half depends on the previous step, so per layer the input half X · W_x is one large gemm over the whole chunk
 * and each time step is one gemm h_{t-1} · W_h for all gates and all streams, which is all the recurrence forces.
 * Backward walks the steps in reverse with one gemm per step, dL/dh_{t-1} = dz_t · W_hᵀ; the weight gradient
 * dW = Σ_t [h_{t-1}, x_t]ᵀ · dz_t and the input gradient dX = dZ · W_xᵀ are again whole-chunk gemms. Large gemms run
 * near the machine's peak, so this does the same arithmetic as one [h, x] gemm per step, only faster.
 * Everything elementwise happens in fused Java loops over preallocated buffers ({@link LayerBuffers}), because a
 * small ND4J op costs more in dispatch than the arithmetic it does; ND4J does what it is fast at, the products. For
 * float models the LSTM's forward gate math runs in loops the JIT vectorises ({@link FastFloatMath}).
 *
 * <p>This object owns only scratch memory and the dropout random stream; parameters, gradients and state come in as
 * arguments, so one parameter set can be served to many workers, each with its own {@code CharLstm}. Not
 * thread-safe: one instance per thread.
 */
public final class CharLstm {

  /** The result of a training chunk: mean loss, the gradients (the container passed in) and the state to carry. */
  public record ChunkResult(double loss, LstmGradients gradients, LstmState finalState) {
  }

  /** The result of an evaluation chunk: mean loss (nats per character) and the state to carry. */
  public record ChunkLoss(double loss, LstmState finalState) {
  }

  private final LstmConfig config;
  private final RecurrentCell cell;
  private final SplittableRandom dropoutRandom;
  private final PhaseTimes times = new PhaseTimes();
  private Workspace workspace;

  /** An engine for models of {@code config}; {@code seed} seeds the dropout masks. */
  public CharLstm(LstmConfig config, long seed) {
    this.config = config;
    this.cell = config.cell().cell();
    this.dropoutRandom = new SplittableRandom(seed);
  }

  public LstmConfig config() {
    return config;
  }

  /** Cumulative wall time per phase of the computation since this engine was made, for profiling. */
  public PhaseTimes phaseTimes() {
    return times;
  }

  /**
   * Forward and backward over one chunk with dropout on: {@code inputs[b][t]} is the id stream b sees at step t and
   * {@code targets[b][t]} the id it must predict next. Overwrites {@code gradients} with the gradient of the mean
   * loss with respect to every parameter; {@code initial} is only read.
   */
  public ChunkResult trainChunk(LstmParams params, int[][] inputs, int[][] targets, LstmState initial,
                                LstmGradients gradients) {
    params.requireSameShape(gradients);
    Workspace ws = workspace(params, inputs, initial);
    checkIds(targets, ws.batch, ws.steps, ws.vocabulary);
    forward(params, ws, inputs, initial, true);
    double loss = softmaxCrossEntropy(params, ws, targets, true);
    backward(params, ws, inputs, gradients);
    return new ChunkResult(loss, gradients, finalState(ws));
  }

  /** {@link #trainChunk(LstmParams, int[][], int[][], LstmState, LstmGradients)} into fresh gradients. */
  public ChunkResult trainChunk(LstmParams params, int[][] inputs, int[][] targets, LstmState initial) {
    return trainChunk(params, inputs, targets, initial, LstmGradients.zerosLike(params));
  }

  /** Forward only, dropout off: the mean loss of predicting {@code targets} and the state after the chunk. */
  public ChunkLoss evaluateChunk(LstmParams params, int[][] inputs, int[][] targets, LstmState initial) {
    Workspace ws = workspace(params, inputs, initial);
    checkIds(targets, ws.batch, ws.steps, ws.vocabulary);
    forward(params, ws, inputs, initial, false);
    double loss = softmaxCrossEntropy(params, ws, targets, false);
    return new ChunkLoss(loss, finalState(ws));
  }

  /**
   * One step of B streams, dropout off: feeds {@code inputs[b]} to stream b, writes the next-character logits into
   * {@code logits[b]} (length V) and returns the new state.
   */
  public LstmState step(LstmParams params, int[] inputs, LstmState state, double[][] logits) {
    int[][] column = new int[inputs.length][];
    for (int b = 0; b < inputs.length; b++) {
      column[b] = new int[] {inputs[b]};
    }
    Workspace ws = workspace(params, column, state);
    forward(params, ws, column, state, false);
    Vec raw = ws.logitsVec;
    Vec bias = Vec.of(params.outputBias());
    int vocab = ws.vocabulary;
    for (int b = 0; b < inputs.length; b++) {
      for (int v = 0; v < vocab; v++) {
        logits[b][v] = raw.get(b * vocab + v) + bias.get(v);
      }
    }
    return finalState(ws);
  }

  private void forward(LstmParams params, Workspace ws, int[][] inputs, LstmState initial, boolean training) {
    int batch = ws.batch;
    int steps = ws.steps;
    int rows = batch * steps;
    int hidden = config.hiddenSize();
    long now = System.nanoTime();

    // x_t = E[id_t] for the first layer; the layers above read the output buffer of the layer below directly.
    Vec embedding = Vec.of(params.embedding());
    Vec x0 = ws.layers[0].xVec;
    int emb = config.embeddingSize();
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        int from = inputs[b][t] * emb;
        int to = (t * batch + b) * emb;
        for (int k = 0; k < emb; k++) {
          x0.set(to + k, embedding.get(from + k));
        }
      }
    }

    for (int l = 0; l < config.layers(); l++) {
      LayerBuffers layer = ws.layers[l];

      // Carried-in state: h_{-1} into block 0 of h, c_{-1} into block 0 of c.
      copy(Vec.of(initial.hidden(l)), 0, layer.hVec, 0, batch * hidden);
      if (layer.cVec != null) {
        copy(Vec.of(initial.cell(l)), 0, layer.cVec, 0, batch * hidden);
      }
      now = times.lap(PhaseTimes.Phase.COPY, now);

      // z_t = [h_{t-1}, x_t] · W = h_{t-1} · W_h + x_t · W_x. The input half does not depend on the recurrence, so
      // it is done for every step at once (one large gemm); each step then adds its h_{t-1} · W_h.
      INDArray weights = params.weights(l);
      INDArray recurrentWeights = recurrentRows(weights);
      Nd4j.gemm(layer.x, inputRows(weights), layer.z, false, false, 1.0, 0.0);
      now = times.lap(PhaseTimes.Phase.INPUT_GEMM, now);
      Vec bias = Vec.of(params.bias(l));
      for (int t = 0; t < steps; t++) {
        Nd4j.gemm(layer.hStep[t], recurrentWeights, layer.zStep[t], false, false, 1.0, 1.0);
        now = times.lap(PhaseTimes.Phase.STEP_GEMM, now);
        cell.forward(layer, t, bias, 0, batch);
        now = times.lap(PhaseTimes.Phase.CELL, now);
      }

      // y_t = dropout(h_t): inverted dropout, so nothing needs rescaling at inference.
      Vec h = layer.hVec;
      Vec out = layer.outVec;
      if (training && config.dropout() > 0) {
        double keep = 1 - config.dropout();
        for (int i = 0; i < rows * hidden; i++) {
          double m = dropoutRandom.nextDouble() < keep ? 1 / keep : 0;
          layer.maskVec.set(i, m);
          out.set(i, h.get(batch * hidden + i) * m);
        }
      } else {
        copy(h, batch * hidden, out, 0, rows * hidden);
      }
      now = times.lap(PhaseTimes.Phase.COPY, now);
    }
    Nd4j.gemm(ws.layers[config.layers() - 1].out, params.outputWeights(), ws.logits, false, false, 1.0, 0.0);
    times.lap(PhaseTimes.Phase.OUTPUT_GEMM, now);
  }

  /**
   * Mean cross-entropy of the logits (bias added here) against {@code targets}. With {@code gradient}, leaves
   * dL/dlogits = (softmax − onehot(target)) / N in the logits buffer.
   */
  private double softmaxCrossEntropy(LstmParams params, Workspace ws, int[][] targets, boolean gradient) {
    long now = System.nanoTime();
    int rows = ws.batch * ws.steps;
    Vec bias = Vec.of(params.outputBias());
    double total = softmaxRows(ws, bias, targets, gradient, 0, rows);
    times.lap(PhaseTimes.Phase.SOFTMAX, now);
    return total / rows;
  }

  /** Softmax cross-entropy of rows [from, to); returns their summed loss. */
  private static double softmaxRows(Workspace ws, Vec bias, int[][] targets, boolean gradient, int from, int to) {
    int batch = ws.batch;
    int rows = batch * ws.steps;
    int vocab = ws.vocabulary;
    Vec logits = ws.logitsVec;
    double total = 0;
    for (int r = from; r < to; r++) {
      int base = r * vocab;
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < vocab; v++) {
        double logit = logits.get(base + v) + bias.get(v);
        logits.set(base + v, logit);
        max = Math.max(max, logit);
      }
      int target = targets[r % batch][r / batch];
      double targetLogit = logits.get(base + target);
      double sum = 0;
      for (int v = 0; v < vocab; v++) {
        double e = Math.exp(logits.get(base + v) - max);
        sum += e;
        if (gradient) {
          logits.set(base + v, e);
        }
      }
      total += max + Math.log(sum) - targetLogit;
      if (gradient) {
        double scale = 1.0 / (sum * rows);
        for (int v = 0; v < vocab; v++) {
          logits.set(base + v, logits.get(base + v) * scale);
        }
        logits.add(base + target, -1.0 / rows);
      }
    }
    return total;
  }


  private void backward(LstmParams params, Workspace ws, int[][] inputs, LstmGradients gradients) {
    int batch = ws.batch;
    int steps = ws.steps;
    int rows = batch * steps;
    int hidden = config.hiddenSize();
    long now = System.nanoTime();

    // Softmax layer: dW_out = Yᵀ · dlogits, db_out = Σ_rows dlogits, dY = dlogits · W_outᵀ.
    LayerBuffers top = ws.layers[config.layers() - 1];
    Nd4j.gemm(top.out, ws.logits, gradients.outputWeights(), true, false, 1.0, 0.0);
    Nd4j.gemm(ws.logits, params.outputWeights(), top.dOut, false, true, 1.0, 0.0);
    now = times.lap(PhaseTimes.Phase.OUTPUT_GEMM, now);
    columnSums(ws.logitsVec, rows, ws.vocabulary, Vec.of(gradients.outputBias()));
    now = times.lap(PhaseTimes.Phase.SOFTMAX, now);

    for (int l = config.layers() - 1; l >= 0; l--) {
      LayerBuffers layer = ws.layers[l];
      if (layer.maskVec != null) {
        for (int i = 0; i < rows * hidden; i++) {
          layer.dOutVec.set(i, layer.dOutVec.get(i) * layer.maskVec.get(i));
        }
      }
      if (layer.cVec != null) {
        layer.dcVec.fill(0);
      }
      now = times.lap(PhaseTimes.Phase.COPY, now);

      // Through time: dz_t from the cell, then dL/dh_{t-1} = dz_t · W_hᵀ for the step before.
      INDArray weights = params.weights(l);
      INDArray recurrentWeights = recurrentRows(weights);
      for (int t = steps - 1; t >= 0; t--) {
        cell.backward(layer, t, 0, batch);
        now = times.lap(PhaseTimes.Phase.CELL, now);
        if (t > 0) {
          Nd4j.gemm(layer.dzStep[t], recurrentWeights, layer.dhStep[t], false, true, 1.0, 0.0);
          now = times.lap(PhaseTimes.Phase.STEP_GEMM, now);
        }
      }

      // Whole chunk at once: dW = Σ_t [h_{t-1}, x_t]ᵀ · dz_t by row block, db = Σ dz, dX = dz · W_xᵀ.
      INDArray gradient = gradients.weights(l);
      Nd4j.gemm(layer.hPrevious, layer.dz, recurrentRows(gradient), true, false, 1.0, 0.0);
      Nd4j.gemm(layer.x, layer.dz, inputRows(gradient), true, false, 1.0, 0.0);
      Nd4j.gemm(layer.dz, inputRows(weights), layer.dx, false, true, 1.0, 0.0);
      now = times.lap(PhaseTimes.Phase.WEIGHT_GEMM, now);
      columnSums(layer.dzVec, rows, layer.gateWidth, Vec.of(gradients.bias(l)));
      now = times.lap(PhaseTimes.Phase.SOFTMAX, now);
    }

    // The first layer's dX flows into the embedding rows of the ids that were looked up.
    Vec embedding = Vec.of(gradients.embedding());
    embedding.fill(0);
    Vec dx = ws.layers[0].dxVec;
    int emb = config.embeddingSize();
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        int to = inputs[b][t] * emb;
        int from = (t * batch + b) * emb;
        for (int k = 0; k < emb; k++) {
          embedding.add(to + k, dx.get(from + k));
        }
      }
    }
    times.lap(PhaseTimes.Phase.COPY, now);
  }

  /** Rows [0, H) of a layer's weights (or their gradient): the block that multiplies h. */
  private INDArray recurrentRows(INDArray weights) {
    return weights.get(NDArrayIndex.interval(0, config.hiddenSize()), NDArrayIndex.all());
  }

  /** Rows [H, H + In) of a layer's weights (or their gradient): the block that multiplies x. */
  private INDArray inputRows(INDArray weights) {
    return weights.get(NDArrayIndex.interval(config.hiddenSize(), weights.rows()), NDArrayIndex.all());
  }

  private static void copy(Vec from, int fromOffset, Vec to, int toOffset, int length) {
    for (int i = 0; i < length; i++) {
      to.set(toOffset + i, from.get(fromOffset + i));
    }
  }

  /** out[j] = Σ_r m[r, j] for a rows × cols matrix m, summed in double. */
  private static void columnSums(Vec m, int rows, int cols, Vec out) {
    double[] sums = new double[cols];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int j = 0; j < cols; j++) {
        sums[j] += m.get(base + j);
      }
    }
    for (int j = 0; j < cols; j++) {
      out.set(j, sums[j]);
    }
  }


  private LstmState finalState(Workspace ws) {
    int batch = ws.batch;
    int hidden = config.hiddenSize();
    int lastBlock = ws.steps * batch * hidden;
    INDArray[] h = new INDArray[config.layers()];
    INDArray[] c = new INDArray[config.layers()];
    for (int l = 0; l < config.layers(); l++) {
      LayerBuffers layer = ws.layers[l];
      h[l] = Nd4j.zeros(config.dataType(), batch, hidden);
      copy(layer.hVec, lastBlock, Vec.of(h[l]), 0, batch * hidden);
      if (layer.cVec != null) {
        c[l] = Nd4j.zeros(config.dataType(), batch, hidden);
        copy(layer.cVec, lastBlock, Vec.of(c[l]), 0, batch * hidden);
      }
    }
    return new LstmState(h, c);
  }

  private Workspace workspace(LstmParams params, int[][] inputs, LstmState state) {
    if (!params.config().equals(config)) {
      throw new IllegalArgumentException("parameters are for " + params.config() + ", this engine for " + config);
    }
    int batch = inputs.length;
    if (batch == 0 || inputs[0].length == 0) {
      throw new IllegalArgumentException("empty chunk");
    }
    int steps = inputs[0].length;
    int vocabulary = params.vocabularySize();
    checkIds(inputs, batch, steps, vocabulary);
    if (state.layers() != config.layers() || state.batchSize() != batch
        || state.hidden(0).size(1) != config.hiddenSize()) {
      throw new IllegalArgumentException("state has " + state.layers() + " layers of " + state.batchSize() + " × "
          + state.hidden(0).size(1) + "; expected " + config.layers() + " of " + batch + " × " + config.hiddenSize());
    }
    if (workspace == null || workspace.batch != batch || workspace.steps != steps
        || workspace.vocabulary != vocabulary) {
      workspace = new Workspace(config, batch, steps, vocabulary);
    }
    return workspace;
  }

  private static void checkIds(int[][] ids, int batch, int steps, int vocabulary) {
    if (ids.length != batch) {
      throw new IllegalArgumentException("expected " + batch + " streams, got " + ids.length);
    }
    for (int[] row : ids) {
      if (row.length != steps) {
        throw new IllegalArgumentException("expected " + steps + " steps per stream, got " + row.length);
      }
      for (int id : row) {
        if (id < 0 || id >= vocabulary) {
          throw new IllegalArgumentException("id " + id + " outside the vocabulary of " + vocabulary);
        }
      }
    }
  }

  /** Scratch memory for one (B, T, V): the layers' buffers and the N × V logits (later their gradient). */
  private static final class Workspace {
    final int batch;
    final int steps;
    final int vocabulary;
    final LayerBuffers[] layers;
    final INDArray logits;
    final Vec logitsVec;

    Workspace(LstmConfig config, int batch, int steps, int vocabulary) {
      this.batch = batch;
      this.steps = steps;
      this.vocabulary = vocabulary;
      layers = new LayerBuffers[config.layers()];
      for (int l = 0; l < layers.length; l++) {
        layers[l] = new LayerBuffers(config, l, batch, steps, l == 0 ? null : layers[l - 1]);
      }
      logits = Nd4j.zeros(config.dataType(), batch * steps, vocabulary);
      logitsVec = Vec.of(logits);
    }
  }
}
