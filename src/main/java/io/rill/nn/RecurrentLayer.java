package io.rill.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One recurrent layer over T steps of a batch of B rows, forward and backward: one gemm per time step for all gates
 * and all rows, and the cell's fused elementwise loops between them.
 *
 * <pre>
 *   z_t      = [h_{t-1}, x_t] · W + b = h_{t-1}·W_h + x_t·W_x + b   W: (H + In) × G·H, rows [0, H) are W_h
 *   h_t, c_t = cell(z_t, c_{t-1})                                   {@link LstmCell} (G = 4), {@link RnnCell} (G = 1)
 * </pre>
 *
 * Two ways to drive it:
 * <ul>
 *   <li><b>Whole sequence</b>, when every input is known before the first step (a language model, an encoder):
 *       {@link #start}, write the inputs into {@link #input()}, {@link #forward}; put dL/dh_t into
 *       {@link #outputGradient()}, {@link #backward}. Only the h half of z depends on the previous step, so the input
 *       half X · W_x is one large gemm over all steps and each step is one gemm h_{t-1} · W_h; backward, each step is
 *       one gemm dL/dh_{t-1} = dz_t · W_hᵀ, and dW = Σ_t [h_{t-1}, x_t]ᵀ · dz_t and dX = dZ · W_xᵀ are again
 *       whole-sequence gemms. Large gemms run near the machine's peak.</li>
 *   <li><b>Step by step</b>, when x_t depends on h_{t-1} (an attention decoder, whose input holds a context computed
 *       from its previous state): {@link #start}, then per step write x_t into {@link #input(int)} and call
 *       {@link #forwardStep}. Backward, write every step's dL/dh_t from outside (the output layer) into
 *       {@link #outputGradient()}, {@link #startBackward}, then from the last step down call {@link #backwardStep},
 *       which leaves dL/dx_t in {@link #inputGradient(int)} at once, and add what x_t sends back to h_{t-1} into
 *       {@link #outputGradient(int) outputGradient(t − 1)} (at t = 0, to the carried-in state's gradient) before
 *       the next step; finally {@link #parameterGradients}.</li>
 * </ul>
 *
 * <p><b>Masks</b> ({@link #mask}, {@link #maskLengths}): a padded step of a row leaves its state unchanged (h_t =
 * h_{t-1}, c_t = c_{t-1}) and gets no gradient (dz_t = 0: its input and the weights get nothing from it); the gradient
 * arriving at h_t passes to h_{t-1} as the identity says. So a row's final state is its state after its last real
 * step, and for a bidirectional encoder the backward direction runs a second layer over each row's tokens reversed.
 * A padded step's output is the carried state; a consumer that must not see it masks it itself.
 *
 * <p>Buffers: row t·B + b of an N × · buffer (N = T·B) is row b at step t. Parameters and their gradients come in as
 * arguments, so one parameter set serves many layers' worth of scratch memory. Everything elementwise runs in plain
 * Java loops over the buffers, because a small ND4J op costs more in dispatch than the arithmetic it does; ND4J does
 * what it is fast at, the products. Not thread-safe.
 */
public final class RecurrentLayer {

  private final RecurrentCell cell;
  private final LayerBuffers buffers;
  private final PhaseTimes times;
  /** Whether row b is a real step at step t: {@code valid[t·B + b]}; null when every step is real. */
  private boolean[] valid;
  private boolean initialStateGradient;

  /** Row-block views of the weights and their gradient, kept while the same arrays come back (views cost a call). */
  private INDArray viewedWeights;
  private INDArray recurrentWeights;
  private INDArray inputWeights;
  private INDArray viewedGradient;
  private INDArray recurrentGradient;
  private INDArray inputGradientRows;
  private INDArray viewedBias;
  private Vec biasVec;

  /** A layer with its own input buffers, timing itself. */
  public RecurrentLayer(RecurrentCell cell, int inputSize, int hiddenSize, int batch, int steps, DataType dataType) {
    this(cell, inputSize, hiddenSize, batch, steps, dataType, new PhaseTimes());
  }

  /** A layer with its own input buffers, adding its time to {@code times}. */
  public RecurrentLayer(RecurrentCell cell, int inputSize, int hiddenSize, int batch, int steps, DataType dataType,
                        PhaseTimes times) {
    this.cell = cell;
    this.buffers = new LayerBuffers(cell, inputSize, hiddenSize, batch, steps, dataType, null, null);
    this.times = times;
  }

  /**
   * A layer that reads its inputs from {@code input} and writes their gradient into {@code inputGradient}, both
   * N × In arrays of the model's: e.g. the outputs of the layer below (after dropout) and that layer's
   * {@link #outputGradient()}, so nothing is copied between stacked layers.
   */
  public RecurrentLayer(RecurrentCell cell, int hiddenSize, int batch, int steps, INDArray input,
                        INDArray inputGradient, PhaseTimes times) {
    this.cell = cell;
    this.buffers = new LayerBuffers(cell, input.columns(), hiddenSize, batch, steps, input.dataType(), input,
        inputGradient);
    this.times = times;
  }

  public RecurrentCell cell() {
    return cell;
  }

  public int batch() {
    return buffers.batch;
  }

  public int steps() {
    return buffers.steps;
  }

  public int inputSize() {
    return buffers.input;
  }

  public int hiddenSize() {
    return buffers.hidden;
  }

  /** Cumulative time per phase of the work this layer did. */
  public PhaseTimes phaseTimes() {
    return times;
  }

  // ---- masks --------------------------------------------------------------------------------------------------

  /** Which steps are real: {@code valid[t·B + b]} for row b at step t; null makes every step real. */
  public void mask(boolean[] valid) {
    if (valid != null && valid.length != buffers.steps * buffers.batch) {
      throw new IllegalArgumentException("a mask of " + valid.length + " entries for " + buffers.steps + " steps of "
          + buffers.batch + " rows");
    }
    this.valid = valid == null ? null : valid.clone();
  }

  /** Row b's first {@code lengths[b]} steps are real, the rest padding; null makes every step real. */
  public void maskLengths(int[] lengths) {
    if (lengths == null) {
      valid = null;
      return;
    }
    if (lengths.length != buffers.batch) {
      throw new IllegalArgumentException(lengths.length + " lengths for " + buffers.batch + " rows");
    }
    boolean[] mask = new boolean[buffers.steps * buffers.batch];
    for (int t = 0; t < buffers.steps; t++) {
      for (int b = 0; b < buffers.batch; b++) {
        mask[t * buffers.batch + b] = t < lengths[b];
      }
    }
    valid = mask;
  }

  // ---- buffers ------------------------------------------------------------------------------------------------

  /** The inputs, N × In: block t (rows t·B ..) is x_t. */
  public INDArray input() {
    return buffers.x;
  }

  /** x_t, B × In (a view of {@link #input()}). */
  public INDArray input(int t) {
    return buffers.xStep(t);
  }

  /** The outputs h_t of every step, N × H: block t is h_t (a view of the state buffer). */
  public INDArray outputs() {
    return buffers.hOutputs;
  }

  /** h_t, B × H. */
  public INDArray output(int t) {
    return buffers.hStep[t + 1];
  }

  /** The state after the last step, h_{T-1}: each row's state after its last real step. B × H. */
  public INDArray finalHidden() {
    return buffers.hStep[buffers.steps];
  }

  /** The cell state after the last step, B × H; null for a cell without one. */
  public INDArray finalCell() {
    if (buffers.c == null) {
      return null;
    }
    int rows = buffers.steps * buffers.batch;
    return buffers.c.get(NDArrayIndex.interval(rows, rows + buffers.batch), NDArrayIndex.all());
  }

  /** dL/dh_t arriving from outside the recurrence (the layer above, a softmax, attention), N × H. */
  public INDArray outputGradient() {
    return buffers.dOut;
  }

  /** dL/dh_t from outside the recurrence, B × H. */
  public INDArray outputGradient(int t) {
    return buffers.dOutStep(t);
  }

  /** dL/dx_t of every step, N × In, after {@link #backward} or the backward steps. */
  public INDArray inputGradient() {
    return buffers.dx;
  }

  /** dL/dx_t, B × In. */
  public INDArray inputGradient(int t) {
    return buffers.dxStep(t);
  }

  /** dL/dh_{-1}, the gradient of the carried-in state, B × H, after a backward pass that asked for it. */
  public INDArray initialHiddenGradient() {
    requireInitialStateGradient();
    return buffers.dhStep[0];
  }

  /** dL/dc_{-1}, B × H (null for a cell without a cell state), after a backward pass that asked for it. */
  public INDArray initialCellGradient() {
    requireInitialStateGradient();
    return buffers.c == null ? null : buffers.dc;
  }

  private void requireInitialStateGradient() {
    if (!initialStateGradient) {
      throw new IllegalStateException("the backward pass did not compute the initial state's gradient");
    }
  }

  // ---- forward ------------------------------------------------------------------------------------------------

  /** Sets the carried-in state h_{-1} (and c_{-1}), each B × H; null is zeros. */
  public void start(INDArray hidden, INDArray cellState) {
    requireState(hidden, "hidden");
    requireState(cellState, "cell");
    long now = System.nanoTime();
    int size = buffers.batch * buffers.hidden;
    copyOrZero(hidden, buffers.hVec, size);
    if (buffers.cVec != null) {
      copyOrZero(cellState, buffers.cVec, size);
    }
    times.lap(PhaseTimes.Phase.COPY, now);
  }

  private void requireState(INDArray state, String what) {
    if (state != null && (state.rows() != buffers.batch || state.columns() != buffers.hidden)) {
      throw new IllegalArgumentException(what + " state is " + state.rows() + " × " + state.columns() + ", expected "
          + buffers.batch + " × " + buffers.hidden);
    }
  }

  private static void copyOrZero(INDArray from, Vec to, int size) {
    if (from == null) {
      for (int i = 0; i < size; i++) {
        to.set(i, 0);
      }
    } else {
      Vec.copy(Vec.of(from), 0, to, 0, size);
    }
  }

  /** Every step, from the state {@link #start} set and the inputs in {@link #input()}. */
  public void forward(INDArray weights, INDArray bias) {
    inputProducts(weights);
    for (int t = 0; t < buffers.steps; t++) {
      recurrentStep(t, weights, bias);
    }
  }

  /** z_t = x_t · W_x for every step at once (one gemm), for {@link #recurrentStep}s to follow. */
  public void inputProducts(INDArray weights) {
    long now = System.nanoTime();
    viewWeights(weights);
    Nd4j.gemm(buffers.x, inputWeights, buffers.z, false, false, 1.0, 0.0);
    times.lap(PhaseTimes.Phase.INPUT_GEMM, now);
  }

  /** Step t after {@link #inputProducts}: z_t += h_{t-1} · W_h, then the cell. */
  public void recurrentStep(int t, INDArray weights, INDArray bias) {
    long now = System.nanoTime();
    viewWeights(weights);
    Nd4j.gemm(buffers.hStep[t], recurrentWeights, buffers.zStep[t], false, false, 1.0, 1.0);
    now = times.lap(PhaseTimes.Phase.STEP_GEMM, now);
    cellForward(t, bias(bias));
    times.lap(PhaseTimes.Phase.CELL, now);
  }

  /** Step t on its own, with x_t already in {@link #input(int)}: z_t = x_t · W_x + h_{t-1} · W_h, then the cell. */
  public void forwardStep(int t, INDArray weights, INDArray bias) {
    long now = System.nanoTime();
    viewWeights(weights);
    Nd4j.gemm(buffers.xStep(t), inputWeights, buffers.zStep[t], false, false, 1.0, 0.0);
    now = times.lap(PhaseTimes.Phase.INPUT_GEMM, now);
    Nd4j.gemm(buffers.hStep[t], recurrentWeights, buffers.zStep[t], false, false, 1.0, 1.0);
    now = times.lap(PhaseTimes.Phase.STEP_GEMM, now);
    cellForward(t, bias(bias));
    times.lap(PhaseTimes.Phase.CELL, now);
  }

  /** The cell over the real rows of step t, in runs; padded rows carry their state over. */
  private void cellForward(int t, Vec bias) {
    int batch = buffers.batch;
    if (valid == null) {
      cell.forward(buffers, t, bias, 0, batch);
      return;
    }
    int base = t * batch;
    for (int b = 0; b < batch; ) {
      if (valid[base + b]) {
        int end = b + 1;
        while (end < batch && valid[base + end]) {
          end++;
        }
        cell.forward(buffers, t, bias, b, end);
        b = end;
      } else {
        int hidden = buffers.hidden;
        int previous = (base + b) * hidden;        // row b of block t: h_{t-1}, c_{t-1}
        int current = (base + batch + b) * hidden; // row b of block t + 1
        Vec.copy(buffers.hVec, previous, buffers.hVec, current, hidden);
        if (buffers.cVec != null) {
          Vec.copy(buffers.cVec, previous, buffers.cVec, current, hidden);
        }
        b++;
      }
    }
  }

  // ---- backward -----------------------------------------------------------------------------------------------

  /**
   * Begins a backward pass from the last step: clears the running dL/dc. With {@code initialStateGradient}, the
   * pass also computes dL/dh_{-1} and dL/dc_{-1} ({@link #initialHiddenGradient}), e.g. for a decoder whose initial
   * state an encoder computed; a language model carrying detached state across chunks skips that product.
   */
  public void startBackward(boolean initialStateGradient) {
    long now = System.nanoTime();
    this.initialStateGradient = initialStateGradient;
    if (buffers.cVec != null) {
      buffers.dcVec.fill(0);
    }
    times.lap(PhaseTimes.Phase.COPY, now);
  }

  /**
   * Every step backward, from the gradients in {@link #outputGradient()}, then the parameters' gradients (written
   * over {@code weightGradient} and {@code biasGradient}) and dX into {@link #inputGradient()}.
   */
  public void backward(INDArray weights, INDArray weightGradient, INDArray biasGradient) {
    startBackward(false);
    for (int t = buffers.steps - 1; t >= 0; t--) {
      recurrentBackwardStep(t, weights);
    }
    parameterGradients(weights, weightGradient, biasGradient, true, false);
  }

  /**
   * Step t backward, without the input's gradient (the whole-sequence {@link #parameterGradients} computes it for
   * every step at once): dz_t from the cell, then dL/dh_{t-1} = dz_t · W_hᵀ for the step before.
   */
  public void recurrentBackwardStep(int t, INDArray weights) {
    long now = System.nanoTime();
    viewWeights(weights);
    cellBackward(t);
    now = times.lap(PhaseTimes.Phase.CELL, now);
    if (t > 0 || initialStateGradient) {
      Nd4j.gemm(buffers.dzStep[t], recurrentWeights, buffers.dhStep[t], false, true, 1.0, 0.0);
      passThroughPaddedRows(t);
      times.lap(PhaseTimes.Phase.STEP_GEMM, now);
    }
  }

  /** Step t backward with the input's gradient: {@link #recurrentBackwardStep}, then dx_t = dz_t · W_xᵀ. */
  public void backwardStep(int t, INDArray weights) {
    recurrentBackwardStep(t, weights);
    long now = System.nanoTime();
    Nd4j.gemm(buffers.dzStep[t], inputWeights, buffers.dxStep(t), false, true, 1.0, 0.0);
    times.lap(PhaseTimes.Phase.WEIGHT_GEMM, now);
  }

  /**
   * After the backward steps: dW = Σ_t [h_{t-1}, x_t]ᵀ · dz_t by row block and db = Σ dz, written over
   * {@code weightGradient} and {@code biasGradient} or, with {@code accumulate}, added to them; with
   * {@code inputGradients}, also dX = dZ · W_xᵀ for every step (not needed after {@link #backwardStep}s).
   */
  public void parameterGradients(INDArray weights, INDArray weightGradient, INDArray biasGradient,
                                 boolean inputGradients, boolean accumulate) {
    long now = System.nanoTime();
    viewWeights(weights);
    viewGradient(weightGradient);
    double beta = accumulate ? 1.0 : 0.0;
    Nd4j.gemm(buffers.hPrevious, buffers.dz, recurrentGradient, true, false, 1.0, beta);
    Nd4j.gemm(buffers.x, buffers.dz, inputGradientRows, true, false, 1.0, beta);
    if (inputGradients) {
      Nd4j.gemm(buffers.dz, inputWeights, buffers.dx, false, true, 1.0, 0.0);
    }
    now = times.lap(PhaseTimes.Phase.WEIGHT_GEMM, now);
    columnSums(buffers.dzVec, buffers.steps * buffers.batch, buffers.gateWidth, Vec.of(biasGradient), accumulate);
    times.lap(PhaseTimes.Phase.SOFTMAX, now);
  }

  /** The cell backward over the real rows of step t, in runs; padded rows get dz_t = 0 and keep their dL/dc. */
  private void cellBackward(int t) {
    int batch = buffers.batch;
    if (valid == null) {
      cell.backward(buffers, t, 0, batch);
      return;
    }
    int base = t * batch;
    int width = buffers.gateWidth;
    for (int b = 0; b < batch; ) {
      if (valid[base + b]) {
        int end = b + 1;
        while (end < batch && valid[base + end]) {
          end++;
        }
        cell.backward(buffers, t, b, end);
        b = end;
      } else {
        int row = (base + b) * width;
        for (int j = 0; j < width; j++) {
          buffers.dzVec.set(row + j, 0);
        }
        b++;
      }
    }
  }

  /**
   * For the padded rows of step t, h_t = h_{t-1}: dL/dh_{t-1} gets everything that arrived at h_t, from outside
   * (dOut_t) and from step t + 1 (block t + 1 of dh). The gemm left 0 there, as their dz_t is 0.
   */
  private void passThroughPaddedRows(int t) {
    if (valid == null) {
      return;
    }
    int batch = buffers.batch;
    int hidden = buffers.hidden;
    boolean last = t == buffers.steps - 1;
    for (int b = 0; b < batch; b++) {
      if (valid[t * batch + b]) {
        continue;
      }
      int row = (t * batch + b) * hidden;
      int next = row + batch * hidden;
      for (int j = 0; j < hidden; j++) {
        double arriving = buffers.dOutVec.get(row + j) + (last ? 0.0 : buffers.dhVec.get(next + j));
        buffers.dhVec.add(row + j, arriving);
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  /** Rows [0, H) of the weights multiply h, rows [H, H + In) multiply x. */
  private void viewWeights(INDArray weights) {
    if (weights != viewedWeights) {
      requireWeightShape(weights, "weights");
      recurrentWeights = weights.get(NDArrayIndex.interval(0, buffers.hidden), NDArrayIndex.all());
      inputWeights = weights.get(NDArrayIndex.interval(buffers.hidden, weights.rows()), NDArrayIndex.all());
      viewedWeights = weights;
    }
  }

  private void viewGradient(INDArray gradient) {
    if (gradient != viewedGradient) {
      requireWeightShape(gradient, "weight gradient");
      recurrentGradient = gradient.get(NDArrayIndex.interval(0, buffers.hidden), NDArrayIndex.all());
      inputGradientRows = gradient.get(NDArrayIndex.interval(buffers.hidden, gradient.rows()), NDArrayIndex.all());
      viewedGradient = gradient;
    }
  }

  private Vec bias(INDArray bias) {
    if (bias != viewedBias) {
      if (bias.length() != buffers.gateWidth) {
        throw new IllegalArgumentException("bias of " + bias.length() + " for " + buffers.gateWidth + " gate units");
      }
      biasVec = Vec.of(bias);
      viewedBias = bias;
    }
    return biasVec;
  }

  private void requireWeightShape(INDArray weights, String what) {
    if (weights.rows() != buffers.hidden + buffers.input || weights.columns() != buffers.gateWidth) {
      throw new IllegalArgumentException(what + " are " + weights.rows() + " × " + weights.columns() + ", expected "
          + (buffers.hidden + buffers.input) + " × " + buffers.gateWidth);
    }
  }

  /** out[j] = Σ_r m[r, j] for a rows × cols matrix m ({@link Vec#addColumnSums}), added to out[j] with {@code add}. */
  private static void columnSums(Vec m, int rows, int cols, Vec out, boolean add) {
    double[] sums = new double[cols];
    Vec.addColumnSums(m, rows, cols, sums);
    for (int j = 0; j < cols; j++) {
      out.set(j, add ? out.get(j) + sums[j] : sums[j]);
    }
  }
}
