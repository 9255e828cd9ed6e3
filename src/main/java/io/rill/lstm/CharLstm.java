package io.rill.lstm;

import io.rill.nn.PhaseTimes;
import io.rill.nn.RecurrentCell;
import io.rill.nn.RecurrentLayer;
import io.rill.nn.Softmax;
import io.rill.nn.Vec;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a character model: embedding → recurrent layers → softmax, forward and backward over a chunk of T steps of
 * B parallel streams (truncated backpropagation through time), plus single steps for sampling.
 *
 * <pre>
 *   x_t      = E[id_t]                                  embedding lookup
 *   z_t      = [h_{t-1}, x_t] · W = h_{t-1}·W_h + x_t·W_x   all gates, whole batch
 *   h_t, c_t = cell(z_t + b, c_{t-1})                   an LSTM or a vanilla RNN cell
 *   y_t      = dropout(h_t)                             input of the next layer, or of the softmax
 *   logits   = Y · W_out + b_out                        one gemm for the whole chunk
 *   loss     = mean over the chunk of −log softmax(logits)[target]
 * </pre>
 *
 * Each recurrent layer is a {@link RecurrentLayer} run over the whole chunk: the four gates' weights are one
 * (H + In) × 4H matrix W, the input half X · W_x is one large gemm over the chunk and each time step one gemm
 * h_{t-1} · W_h for all gates and all streams, which is all the recurrence forces; backward likewise. This class
 * adds what is the character model's own: the embedding lookup and its gradient, inverted dropout between layers,
 * the softmax layer ({@link Softmax}) and the chunk's bookkeeping. Everything elementwise happens in fused Java loops
 * over preallocated buffers, because a small ND4J op costs more in dispatch than the arithmetic it does.
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
  private final SplittableRandom dropoutRandom;
  private final PhaseTimes times = new PhaseTimes();
  private Workspace workspace;

  /** An engine for models of {@code config}; {@code seed} seeds the dropout masks. */
  public CharLstm(LstmConfig config, long seed) {
    this.config = config;
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
    Vec x0 = Vec.of(ws.layers[0].input());
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
    times.lap(PhaseTimes.Phase.COPY, now);

    for (int l = 0; l < config.layers(); l++) {
      RecurrentLayer layer = ws.layers[l];
      layer.start(initial.hidden(l), initial.cell(l));
      layer.forward(params.weights(l), params.bias(l));
      now = System.nanoTime();

      // y_t = dropout(h_t): inverted dropout, so nothing needs rescaling at inference.
      Vec h = ws.outputs[l];
      Vec out = ws.droppedVecs[l];
      if (training && config.dropout() > 0) {
        Vec mask = ws.masks[l];
        double keep = 1 - config.dropout();
        for (int i = 0; i < rows * hidden; i++) {
          double m = dropoutRandom.nextDouble() < keep ? 1 / keep : 0;
          mask.set(i, m);
          out.set(i, h.get(i) * m);
        }
      } else {
        Vec.copy(h, 0, out, 0, rows * hidden);
      }
      times.lap(PhaseTimes.Phase.COPY, now);
    }
    now = System.nanoTime();
    Nd4j.gemm(ws.dropped[config.layers() - 1], params.outputWeights(), ws.logits, false, false, 1.0, 0.0);
    times.lap(PhaseTimes.Phase.OUTPUT_GEMM, now);
  }

  /**
   * Mean cross-entropy of the logits (bias added here) against {@code targets}. With {@code gradient}, leaves
   * dL/dlogits = (softmax − onehot(target)) / N in the logits buffer.
   */
  private double softmaxCrossEntropy(LstmParams params, Workspace ws, int[][] targets, boolean gradient) {
    long now = System.nanoTime();
    int batch = ws.batch;
    int rows = batch * ws.steps;
    int[] rowTargets = new int[rows];
    for (int r = 0; r < rows; r++) {
      rowTargets[r] = targets[r % batch][r / batch];
    }
    double total = Softmax.crossEntropy(ws.logitsVec, Vec.of(params.outputBias()), rowTargets, rows,
        ws.vocabulary, gradient, rows);
    times.lap(PhaseTimes.Phase.SOFTMAX, now);
    return total / rows;
  }

  private void backward(LstmParams params, Workspace ws, int[][] inputs, LstmGradients gradients) {
    int batch = ws.batch;
    int steps = ws.steps;
    int rows = batch * steps;
    int hidden = config.hiddenSize();
    long now = System.nanoTime();

    // Softmax layer: dW_out = Yᵀ · dlogits, db_out = Σ_rows dlogits, dY = dlogits · W_outᵀ.
    RecurrentLayer top = ws.layers[config.layers() - 1];
    Nd4j.gemm(ws.dropped[config.layers() - 1], ws.logits, gradients.outputWeights(), true, false, 1.0, 0.0);
    Nd4j.gemm(ws.logits, params.outputWeights(), top.outputGradient(), false, true, 1.0, 0.0);
    now = times.lap(PhaseTimes.Phase.OUTPUT_GEMM, now);
    columnSums(ws.logitsVec, rows, ws.vocabulary, Vec.of(gradients.outputBias()));
    times.lap(PhaseTimes.Phase.SOFTMAX, now);

    for (int l = config.layers() - 1; l >= 0; l--) {
      RecurrentLayer layer = ws.layers[l];
      // The gradient arrived at the dropout's output; through the mask it is the gradient at h_t.
      if (ws.masks[l] != null) {
        now = System.nanoTime();
        Vec dOut = ws.outputGradients[l];
        Vec mask = ws.masks[l];
        for (int i = 0; i < rows * hidden; i++) {
          dOut.set(i, dOut.get(i) * mask.get(i));
        }
        times.lap(PhaseTimes.Phase.COPY, now);
      }
      // Through time, then dW, db and dX (into the layer below's output gradient) over the whole chunk.
      layer.backward(params.weights(l), gradients.weights(l), gradients.bias(l));
    }

    // The first layer's dX flows into the embedding rows of the ids that were looked up.
    now = System.nanoTime();
    Vec embedding = Vec.of(gradients.embedding());
    embedding.fill(0);
    Vec dx = Vec.of(ws.layers[0].inputGradient());
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
    int size = ws.batch * config.hiddenSize();
    INDArray[] h = new INDArray[config.layers()];
    INDArray[] c = new INDArray[config.layers()];
    for (int l = 0; l < config.layers(); l++) {
      RecurrentLayer layer = ws.layers[l];
      h[l] = Nd4j.zeros(config.dataType(), ws.batch, config.hiddenSize());
      Vec.copy(Vec.of(layer.finalHidden()), 0, Vec.of(h[l]), 0, size);
      if (layer.cell().hasCellState()) {
        c[l] = Nd4j.zeros(config.dataType(), ws.batch, config.hiddenSize());
        Vec.copy(Vec.of(layer.finalCell()), 0, Vec.of(c[l]), 0, size);
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
      workspace = new Workspace(config, batch, steps, vocabulary, times);
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

  /**
   * Scratch memory for one (B, T, V): the recurrent layers, each layer's output after dropout (the next layer's
   * input, or the softmax layer's) and its dropout mask, and the N × V logits (later their gradient).
   */
  private static final class Workspace {
    final int batch;
    final int steps;
    final int vocabulary;
    final RecurrentLayer[] layers;
    final INDArray[] dropped;
    final Vec[] droppedVecs;
    final Vec[] masks;
    final Vec[] outputs;
    final Vec[] outputGradients;
    final INDArray logits;
    final Vec logitsVec;

    Workspace(LstmConfig config, int batch, int steps, int vocabulary, PhaseTimes times) {
      this.batch = batch;
      this.steps = steps;
      this.vocabulary = vocabulary;
      int layerCount = config.layers();
      int rows = batch * steps;
      int hidden = config.hiddenSize();
      RecurrentCell cell = config.cell().cell();
      layers = new RecurrentLayer[layerCount];
      dropped = new INDArray[layerCount];
      droppedVecs = new Vec[layerCount];
      masks = new Vec[layerCount];
      outputs = new Vec[layerCount];
      outputGradients = new Vec[layerCount];
      for (int l = 0; l < layerCount; l++) {
        // A layer above the first reads the dropout output of the one below and writes its gradient into that
        // layer's output gradient: nothing is copied between layers.
        layers[l] = l == 0
            ? new RecurrentLayer(cell, config.embeddingSize(), hidden, batch, steps, config.dataType(), times)
            : new RecurrentLayer(cell, hidden, batch, steps, dropped[l - 1], layers[l - 1].outputGradient(), times);
        dropped[l] = Nd4j.zeros(config.dataType(), rows, hidden);
        droppedVecs[l] = Vec.of(dropped[l]);
        masks[l] = config.dropout() > 0 ? Vec.of(Nd4j.zeros(config.dataType(), rows, hidden)) : null;
        outputs[l] = Vec.of(layers[l].outputs());
        outputGradients[l] = Vec.of(layers[l].outputGradient());
      }
      logits = Nd4j.zeros(config.dataType(), rows, vocabulary);
      logitsVec = Vec.of(logits);
    }
  }
}
