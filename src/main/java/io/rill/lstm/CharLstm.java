package io.rill.lstm;

import io.rill.nn.PhaseTimes;
import io.rill.nn.RecurrentCell;
import io.rill.nn.RecurrentLayer;
import io.rill.nn.Softmax;
import io.rill.nn.Vec;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p><b>Two cores for one batch.</b> The lanes of a batch are independent until their gradients are summed, so an
 * engine made with {@code threads} > 1 cuts a training chunk's lanes into that many parts (at least
 * {@value #MIN_LANES_PER_PART} lanes each) and runs each part's forward and backward pass on its own thread, with
 * scratch memory of its own, then adds the parts' gradients: the same sum as one pass over all lanes, in another
 * order of float additions. A part's matrix products are smaller (16 rows instead of 32), which costs some
 * efficiency per product, and both threads read the same weights; what it buys is a second core with one hand-over
 * per chunk, not one per time step. Evaluation and single steps run in one part.
 *
 * <p>This object owns only scratch memory and the dropout random streams; parameters, gradients and state come in as
 * arguments, so one parameter set can be served to many workers, each with its own {@code CharLstm}. Not
 * thread-safe: one instance per calling thread (the parts' helper threads are its own business).
 */
public final class CharLstm {

  /** The result of a training chunk: mean loss, the gradients (the container passed in) and the state to carry. */
  public record ChunkResult(double loss, LstmGradients gradients, LstmState finalState) {
  }

  /** The result of an evaluation chunk: mean loss (nats per character) and the state to carry. */
  public record ChunkLoss(double loss, LstmState finalState) {
  }

  /** The fewest lanes worth a thread of their own. */
  static final int MIN_LANES_PER_PART = 8;

  /** The helper threads of every engine's parts beyond the first (which runs on the caller's thread). */
  private static final ExecutorService HELPERS = Executors.newCachedThreadPool(new DaemonThreads());

  private final LstmConfig config;
  private final int threads;
  private final SplittableRandom dropoutRandom;
  private final PhaseTimes times = new PhaseTimes();
  private Workspace workspace;

  /** An engine for models of {@code config} on the calling thread alone; {@code seed} seeds the dropout masks. */
  public CharLstm(LstmConfig config, long seed) {
    this(config, seed, 1);
  }

  /**
   * An engine that trains a chunk's lanes in up to {@code threads} parts at once (the caller's thread and helper
   * threads); {@code seed} seeds the dropout masks.
   */
  public CharLstm(LstmConfig config, long seed, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    this.config = config;
    this.threads = threads;
    this.dropoutRandom = new SplittableRandom(seed);
  }

  public LstmConfig config() {
    return config;
  }

  /** How many parts a training chunk of {@code lanes} lanes is cut into. */
  public int parts(int lanes) {
    return Math.max(1, Math.min(threads, lanes / MIN_LANES_PER_PART));
  }

  /**
   * Cumulative wall time per phase of the computation since this engine was made, for profiling: the calling
   * thread's (its own part's work, and {@link PhaseTimes.Phase#COPY} includes waiting for the other parts).
   */
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
    Workspace ws = workspace(params, inputs, initial, parts(inputs.length));
    checkIds(targets, ws.batch, ws.steps, ws.vocabulary);
    int rows = ws.batch * ws.steps;
    double[] losses = new double[ws.parts.length];
    runParts(ws, part -> {
      LstmGradients into = part.index == 0 ? gradients : part.gradients(params);
      int[][] partInputs = part.rowsOf(inputs);
      forward(params, part, partInputs, initial, true);
      losses[part.index] = softmaxCrossEntropy(params, part, part.rowsOf(targets), true, rows);
      backward(params, part, partInputs, into);
    });
    long now = System.nanoTime();
    double loss = 0;
    for (Part part : ws.parts) {
      loss += losses[part.index];
      if (part.index > 0) {
        gradients.add(part.gradients);
      }
    }
    LstmState finalState = finalState(ws);
    times.lap(PhaseTimes.Phase.COPY, now);
    return new ChunkResult(loss / rows, gradients, finalState);
  }

  /** {@link #trainChunk(LstmParams, int[][], int[][], LstmState, LstmGradients)} into fresh gradients. */
  public ChunkResult trainChunk(LstmParams params, int[][] inputs, int[][] targets, LstmState initial) {
    return trainChunk(params, inputs, targets, initial, LstmGradients.zerosLike(params));
  }

  /** Forward only, dropout off: the mean loss of predicting {@code targets} and the state after the chunk. */
  public ChunkLoss evaluateChunk(LstmParams params, int[][] inputs, int[][] targets, LstmState initial) {
    Workspace ws = workspace(params, inputs, initial, 1);
    checkIds(targets, ws.batch, ws.steps, ws.vocabulary);
    Part part = ws.parts[0];
    forward(params, part, inputs, initial, false);
    int rows = ws.batch * ws.steps;
    double loss = softmaxCrossEntropy(params, part, targets, false, rows);
    return new ChunkLoss(loss / rows, finalState(ws));
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
    Workspace ws = workspace(params, column, state, 1);
    Part part = ws.parts[0];
    forward(params, part, column, state, false);
    Vec raw = part.logitsVec;
    Vec bias = Vec.of(params.outputBias());
    int vocab = ws.vocabulary;
    for (int b = 0; b < inputs.length; b++) {
      for (int v = 0; v < vocab; v++) {
        logits[b][v] = raw.get(b * vocab + v) + bias.get(v);
      }
    }
    return finalState(ws);
  }

  /** Runs {@code work} for every part: the first on this thread, the others on helper threads; returns when all are done. */
  private void runParts(Workspace ws, java.util.function.Consumer<Part> work) {
    Part[] parts = ws.parts;
    if (parts.length == 1) {
      work.accept(parts[0]);
      return;
    }
    Future<?>[] others = new Future<?>[parts.length - 1];
    for (int p = 1; p < parts.length; p++) {
      Part part = parts[p];
      others[p - 1] = HELPERS.submit(() -> work.accept(part));
    }
    Throwable failure = null;
    try {
      work.accept(parts[0]);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    long now = System.nanoTime();
    for (Future<?> other : others) {
      try {
        other.get(); // always wait: a part still running must not find its buffers reused
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) {
          failure = e;
        }
      }
    }
    times.lap(PhaseTimes.Phase.COPY, now);
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException("a part of the chunk failed", failure);
    }
  }

  private void forward(LstmParams params, Part part, int[][] inputs, LstmState initial, boolean training) {
    int batch = part.lanes;
    int steps = part.steps;
    int rows = batch * steps;
    int hidden = config.hiddenSize();
    PhaseTimes times = part.times;
    long now = System.nanoTime();

    // x_t = E[id_t] for the first layer; the layers above read the output buffer of the layer below directly.
    Vec embedding = Vec.of(params.embedding());
    Vec x0 = part.input;
    int emb = config.embeddingSize();
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        Vec.copy(embedding, inputs[b][t] * emb, x0, (t * batch + b) * emb, emb);
      }
    }
    times.lap(PhaseTimes.Phase.COPY, now);

    int top = config.layers() - 1;
    for (int l = 0; l < config.layers(); l++) {
      RecurrentLayer layer = part.layers[l];
      layer.start(part.stateRows(initial.hidden(l)), part.stateRows(initial.cell(l)));
      layer.forward(params.weights(l), params.bias(l));
      now = System.nanoTime();

      // y_t = dropout(h_t): inverted dropout, so nothing needs rescaling at inference.
      Vec h = part.outputs[l];
      Vec out = part.droppedVecs[l];
      part.dropoutApplied = training && config.dropout() > 0;
      if (part.dropoutApplied) {
        Vec mask = part.masks[l];
        double keep = 1 - config.dropout();
        for (int i = 0; i < rows * hidden; i++) {
          double m = part.random.nextDouble() < keep ? 1 / keep : 0;
          mask.set(i, m);
          out.set(i, h.get(i) * m);
        }
      } else if (l < top) {
        Vec.copy(h, 0, out, 0, rows * hidden); // the top layer's output goes to the softmax as it is
      }
      times.lap(PhaseTimes.Phase.COPY, now);
    }
    now = System.nanoTime();
    Nd4j.gemm(part.softmaxInput(), params.outputWeights(), part.logits, false, false, 1.0, 0.0);
    times.lap(PhaseTimes.Phase.OUTPUT_GEMM, now);
  }

  /**
   * Cross-entropy summed over the part's rows, the logits' bias added here, against {@code targets}. With
   * {@code gradient}, leaves dL/dlogits = (softmax − onehot(target)) / {@code divisor} in the logits buffer, the
   * divisor being the rows of the whole chunk (the loss is their mean).
   */
  private double softmaxCrossEntropy(LstmParams params, Part part, int[][] targets, boolean gradient, int divisor) {
    long now = System.nanoTime();
    int batch = part.lanes;
    int rows = batch * part.steps;
    int[] rowTargets = new int[rows];
    for (int r = 0; r < rows; r++) {
      rowTargets[r] = targets[r % batch][r / batch];
    }
    double total = Softmax.crossEntropy(part.logitsVec, Vec.of(params.outputBias()), rowTargets, rows,
        part.vocabulary, gradient, divisor);
    part.times.lap(PhaseTimes.Phase.SOFTMAX, now);
    return total;
  }

  private void backward(LstmParams params, Part part, int[][] inputs, LstmGradients gradients) {
    int batch = part.lanes;
    int steps = part.steps;
    int rows = batch * steps;
    int hidden = config.hiddenSize();
    PhaseTimes times = part.times;
    long now = System.nanoTime();

    // Softmax layer: dW_out = Yᵀ · dlogits, db_out = Σ_rows dlogits, dY = dlogits · W_outᵀ.
    RecurrentLayer top = part.layers[config.layers() - 1];
    Nd4j.gemm(part.softmaxInput(), part.logits, gradients.outputWeights(), true, false, 1.0, 0.0);
    Nd4j.gemm(part.logits, params.outputWeights(), top.outputGradient(), false, true, 1.0, 0.0);
    now = times.lap(PhaseTimes.Phase.OUTPUT_GEMM, now);
    double[] biasSums = new double[part.vocabulary];
    Vec.addColumnSums(part.logitsVec, rows, part.vocabulary, biasSums);
    Vec outputBias = Vec.of(gradients.outputBias());
    for (int v = 0; v < part.vocabulary; v++) {
      outputBias.set(v, biasSums[v]);
    }
    times.lap(PhaseTimes.Phase.SOFTMAX, now);

    for (int l = config.layers() - 1; l >= 0; l--) {
      RecurrentLayer layer = part.layers[l];
      // The gradient arrived at the dropout's output; through the mask it is the gradient at h_t.
      if (part.dropoutApplied) {
        now = System.nanoTime();
        Vec dOut = part.outputGradients[l];
        Vec mask = part.masks[l];
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
    Vec dx = Vec.of(part.layers[0].inputGradient());
    int emb = config.embeddingSize();
    if (embedding instanceof Vec.FloatVec table && dx instanceof Vec.FloatVec fromRows) {
      float[] sums = new float[part.vocabulary * emb];
      float[] row = new float[emb];
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < batch; b++) {
          fromRows.read((t * batch + b) * emb, row, emb);
          int to = inputs[b][t] * emb;
          for (int k = 0; k < emb; k++) {
            sums[to + k] += row[k];
          }
        }
      }
      table.write(0, sums, sums.length);
    } else {
      embedding.fill(0);
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < batch; b++) {
          int to = inputs[b][t] * emb;
          int from = (t * batch + b) * emb;
          for (int k = 0; k < emb; k++) {
            embedding.add(to + k, dx.get(from + k));
          }
        }
      }
    }
    times.lap(PhaseTimes.Phase.COPY, now);
  }

  /** The state after the chunk: each part's final state in its rows. */
  private LstmState finalState(Workspace ws) {
    int hiddenSize = config.hiddenSize();
    INDArray[] h = new INDArray[config.layers()];
    INDArray[] c = new INDArray[config.layers()];
    for (int l = 0; l < config.layers(); l++) {
      h[l] = Nd4j.zeros(config.dataType(), ws.batch, hiddenSize);
      boolean cellState = ws.parts[0].layers[l].cell().hasCellState();
      c[l] = cellState ? Nd4j.zeros(config.dataType(), ws.batch, hiddenSize) : null;
      Vec hVec = Vec.of(h[l]);
      Vec cVec = cellState ? Vec.of(c[l]) : null;
      for (Part part : ws.parts) {
        RecurrentLayer layer = part.layers[l];
        int size = part.lanes * hiddenSize;
        Vec.copy(Vec.of(layer.finalHidden()), 0, hVec, part.from * hiddenSize, size);
        if (cellState) {
          Vec.copy(Vec.of(layer.finalCell()), 0, cVec, part.from * hiddenSize, size);
        }
      }
    }
    return new LstmState(h, c);
  }

  private Workspace workspace(LstmParams params, int[][] inputs, LstmState state, int parts) {
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
        || workspace.vocabulary != vocabulary || workspace.parts.length != parts) {
      workspace = new Workspace(config, batch, steps, vocabulary, parts, times, dropoutRandom);
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

  /** Scratch memory for one (B, T, V) cut into parts of consecutive lanes. */
  private static final class Workspace {
    final int batch;
    final int steps;
    final int vocabulary;
    final Part[] parts;

    Workspace(LstmConfig config, int batch, int steps, int vocabulary, int partCount, PhaseTimes times,
              SplittableRandom random) {
      this.batch = batch;
      this.steps = steps;
      this.vocabulary = vocabulary;
      parts = new Part[partCount];
      for (int p = 0, from = 0; p < partCount; p++) {
        int lanes = batch / partCount + (p < batch % partCount ? 1 : 0);
        // The first part runs on the caller's thread, with the engine's clock and random stream; the others have
        // their own (a PhaseTimes is not thread-safe).
        parts[p] = new Part(config, p, from, lanes, steps, vocabulary, p == 0 ? times : new PhaseTimes(),
            p == 0 ? random : random.split());
        from += lanes;
      }
    }
  }

  /**
   * Scratch memory of lanes [from, from + lanes) of a chunk: the recurrent layers, each layer's output after
   * dropout (the next layer's input) and its dropout mask, the N × V logits (later their gradient), and for a part
   * beyond the first the gradients it computes before they are added to the first part's.
   */
  private static final class Part {
    final int index;
    final int from;
    final int lanes;
    final int steps;
    final int vocabulary;
    final PhaseTimes times;
    final SplittableRandom random;
    final RecurrentLayer[] layers;
    final INDArray[] dropped;
    final Vec[] droppedVecs;
    final Vec[] masks;
    final Vec[] outputs;
    final Vec[] outputGradients;
    final Vec input;
    final INDArray logits;
    final Vec logitsVec;
    LstmGradients gradients;
    boolean dropoutApplied;

    Part(LstmConfig config, int index, int from, int lanes, int steps, int vocabulary, PhaseTimes times,
         SplittableRandom random) {
      this.index = index;
      this.from = from;
      this.lanes = lanes;
      this.steps = steps;
      this.vocabulary = vocabulary;
      this.times = times;
      this.random = random;
      int layerCount = config.layers();
      int rows = lanes * steps;
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
            ? new RecurrentLayer(cell, config.embeddingSize(), hidden, lanes, steps, config.dataType(), times)
            : new RecurrentLayer(cell, hidden, lanes, steps, dropped[l - 1], layers[l - 1].outputGradient(), times);
        dropped[l] = Nd4j.zeros(config.dataType(), rows, hidden);
        droppedVecs[l] = Vec.of(dropped[l]);
        masks[l] = config.dropout() > 0 ? Vec.of(Nd4j.zeros(config.dataType(), rows, hidden)) : null;
        outputs[l] = Vec.of(layers[l].outputs());
        outputGradients[l] = Vec.of(layers[l].outputGradient());
      }
      input = Vec.of(layers[0].input());
      logits = Nd4j.zeros(config.dataType(), rows, vocabulary);
      logitsVec = Vec.of(logits);
    }

    /** The softmax layer's input: the top layer's output after dropout, or as it is when none was applied. */
    INDArray softmaxInput() {
      int top = layers.length - 1;
      return dropoutApplied ? dropped[top] : layers[top].outputs();
    }

    /** This part's lanes of a whole chunk's ids. */
    int[][] rowsOf(int[][] ids) {
      return lanes == ids.length ? ids : Arrays.copyOfRange(ids, from, from + lanes);
    }

    /** This part's lanes of a whole chunk's B × H state (a view), or null. */
    INDArray stateRows(INDArray state) {
      if (state == null || state.rows() == lanes) {
        return state;
      }
      return state.get(NDArrayIndex.interval(from, from + lanes), NDArrayIndex.all());
    }

    /** The gradients of a part beyond the first, shaped like {@code params}. */
    LstmGradients gradients(LstmParams params) {
      if (gradients == null || !gradients.sameShapeAs(params)) {
        gradients = LstmGradients.zerosLike(params);
      }
      return gradients;
    }
  }

  /** Daemon helper threads, so an engine never keeps a JVM alive. */
  private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "rill-lstm-part-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }
}
