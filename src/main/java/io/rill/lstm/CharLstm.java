package io.rill.lstm;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a character model: embedding → recurrent layers → softmax, forward and backward over a chunk of T steps of
 * B parallel streams (truncated backpropagation through time), plus single steps for sampling.
 *
 * <pre>
 *   x_t      = E[id_t]                                  embedding lookup
 *   z_t      = [h_{t-1}, x_t] · W                       one gemm per layer and step, all gates, whole batch
 *   h_t, c_t = cell(z_t + b, c_{t-1})                   {@link LstmCell} or {@link RnnCell}
 *   y_t      = dropout(h_t)                             input of the next layer, or of the softmax
 *   logits   = Y · W_out + b_out                        one gemm for the whole chunk
 *   loss     = mean over the chunk of −log softmax(logits)[target]
 * </pre>
 *
 * Backward walks the same steps in reverse: one gemm per layer and step for [dh_{t-1}, dx_t] = dz_t · Wᵀ, and one
 * gemm per layer for the whole chunk's dW = Σ_t [h_{t-1}, x_t]ᵀ · dz_t. Everything elementwise happens in fused Java
 * loops over preallocated buffers ({@link LayerBuffers}), because a small ND4J op costs more in dispatch than the
 * arithmetic it does; ND4J does what it is fast at, the matrix products.
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
    for (int l = 0; l < config.layers(); l++) {
      LayerBuffers layer = ws.layers[l];
      int width = layer.hxWidth;
      Vec hx = layer.hxVec;

      // Carried-in state: h_{-1} into block 0 of hx, c_{-1} into block 0 of c.
      Vec h0 = Vec.of(initial.hidden(l));
      for (int b = 0; b < batch; b++) {
        for (int j = 0; j < hidden; j++) {
          hx.set(b * width + j, h0.get(b * hidden + j));
        }
      }
      if (layer.cVec != null) {
        Vec c0 = Vec.of(initial.cell(l));
        for (int i = 0; i < batch * hidden; i++) {
          layer.cVec.set(i, c0.get(i));
        }
      }

      // Inputs x_t: embedding rows for the first layer, the output of the layer below otherwise.
      if (l == 0) {
        Vec embedding = Vec.of(params.embedding());
        int emb = config.embeddingSize();
        for (int t = 0; t < steps; t++) {
          for (int b = 0; b < batch; b++) {
            int from = inputs[b][t] * emb;
            int to = (t * batch + b) * width + hidden;
            for (int k = 0; k < emb; k++) {
              hx.set(to + k, embedding.get(from + k));
            }
          }
        }
      } else {
        Vec below = ws.layers[l - 1].outVec;
        for (int r = 0; r < rows; r++) {
          for (int k = 0; k < hidden; k++) {
            hx.set(r * width + hidden + k, below.get(r * hidden + k));
          }
        }
      }
      now = times.lap(PhaseTimes.Phase.COPY, now);

      INDArray weights = params.weights(l);
      Vec bias = Vec.of(params.bias(l));
      for (int t = 0; t < steps; t++) {
        Nd4j.gemm(layer.hxStep[t], weights, layer.zStep[t], false, false, 1.0, 0.0);
        now = times.lap(PhaseTimes.Phase.STEP_GEMM, now);
        cell.forward(layer, t, bias);
        now = times.lap(PhaseTimes.Phase.CELL, now);
      }

      // y_t = dropout(h_t): inverted dropout, so nothing needs rescaling at inference.
      Vec out = layer.outVec;
      boolean drop = training && config.dropout() > 0;
      double keep = 1 - config.dropout();
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < hidden; j++) {
          double h = hx.get((r + batch) * width + j);
          if (drop) {
            double m = dropoutRandom.nextDouble() < keep ? 1 / keep : 0;
            layer.maskVec.set(r * hidden + j, m);
            h *= m;
          }
          out.set(r * hidden + j, h);
        }
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
    int batch = ws.batch;
    int rows = batch * ws.steps;
    int vocab = ws.vocabulary;
    Vec logits = ws.logitsVec;
    Vec bias = Vec.of(params.outputBias());
    double total = 0;
    for (int r = 0; r < rows; r++) {
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
    LayerBuffers top = ws.layers[config.layers() - 1];
    Nd4j.gemm(top.out, ws.logits, gradients.outputWeights(), true, false, 1.0, 0.0);
    Nd4j.gemm(ws.logits, params.outputWeights(), top.dOut, false, true, 1.0, 0.0);
    now = times.lap(PhaseTimes.Phase.OUTPUT_GEMM, now);
    columnSums(ws.logitsVec, rows, ws.vocabulary, Vec.of(gradients.outputBias()));
    now = times.lap(PhaseTimes.Phase.SOFTMAX, now);

    for (int l = config.layers() - 1; l >= 0; l--) {
      LayerBuffers layer = ws.layers[l];
      int width = layer.hxWidth;
      if (layer.maskVec != null) {
        for (int i = 0; i < rows * hidden; i++) {
          layer.dOutVec.set(i, layer.dOutVec.get(i) * layer.maskVec.get(i));
        }
      }
      if (layer.cVec != null) {
        layer.dcVec.fill(0);
      }
      now = times.lap(PhaseTimes.Phase.COPY, now);

      INDArray weights = params.weights(l);
      for (int t = steps - 1; t >= 0; t--) {
        cell.backward(layer, t);
        now = times.lap(PhaseTimes.Phase.CELL, now);
        Nd4j.gemm(layer.dzStep[t], weights, layer.dhxStep[t], false, true, 1.0, 0.0);
        now = times.lap(PhaseTimes.Phase.STEP_GEMM, now);
      }
      Nd4j.gemm(layer.hxInputs, layer.dz, gradients.weights(l), true, false, 1.0, 0.0);
      now = times.lap(PhaseTimes.Phase.WEIGHT_GEMM, now);
      columnSums(layer.dzVec, rows, layer.gateWidth, Vec.of(gradients.bias(l)));

      // dL/dx_t is the right part of dhx: the output gradient of the layer below, or the embedding rows' gradient.
      if (l > 0) {
        Vec below = ws.layers[l - 1].dOutVec;
        for (int r = 0; r < rows; r++) {
          for (int k = 0; k < hidden; k++) {
            below.set(r * hidden + k, layer.dhxVec.get(r * width + hidden + k));
          }
        }
      } else {
        Vec embedding = Vec.of(gradients.embedding());
        embedding.fill(0);
        int emb = config.embeddingSize();
        for (int t = 0; t < steps; t++) {
          for (int b = 0; b < batch; b++) {
            int to = inputs[b][t] * emb;
            int from = (t * batch + b) * width + hidden;
            for (int k = 0; k < emb; k++) {
              embedding.add(to + k, layer.dhxVec.get(from + k));
            }
          }
        }
      }
      now = times.lap(PhaseTimes.Phase.COPY, now);
    }
  }

  /** out[j] = Σ_r m[r, j] for a rows × cols matrix m. */
  private static void columnSums(Vec m, int rows, int cols, Vec out) {
    out.fill(0);
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int j = 0; j < cols; j++) {
        out.add(j, m.get(base + j));
      }
    }
  }

  private LstmState finalState(Workspace ws) {
    int batch = ws.batch;
    int hidden = config.hiddenSize();
    INDArray[] h = new INDArray[config.layers()];
    INDArray[] c = new INDArray[config.layers()];
    for (int l = 0; l < config.layers(); l++) {
      LayerBuffers layer = ws.layers[l];
      h[l] = Nd4j.zeros(config.dataType(), batch, hidden);
      Vec hv = Vec.of(h[l]);
      int lastBlock = ws.steps * batch;
      for (int b = 0; b < batch; b++) {
        for (int j = 0; j < hidden; j++) {
          hv.set(b * hidden + j, layer.hxVec.get((lastBlock + b) * layer.hxWidth + j));
        }
      }
      if (layer.cVec != null) {
        c[l] = Nd4j.zeros(config.dataType(), batch, hidden);
        Vec cv = Vec.of(c[l]);
        for (int i = 0; i < batch * hidden; i++) {
          cv.set(i, layer.cVec.get(lastBlock * hidden + i));
        }
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
    if (state.layers() != config.layers() || state.batchSize() != batch) {
      throw new IllegalArgumentException("state has " + state.layers() + " layers of " + state.batchSize()
          + " streams; expected " + config.layers() + " of " + batch);
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
        layers[l] = new LayerBuffers(config, l, batch, steps);
      }
      logits = Nd4j.zeros(config.dataType(), batch * steps, vocabulary);
      logitsVec = Vec.of(logits);
    }
  }
}
