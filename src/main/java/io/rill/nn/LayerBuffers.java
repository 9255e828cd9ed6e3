package io.rill.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Preallocated memory of one {@link RecurrentLayer} for T steps of B rows, reused call after call so the training
 * loop allocates nothing. Row r = t·B + b of every N × · buffer (N = T·B) is row b at step t, so each step's rows
 * are one contiguous block a gemm can read or write in place.
 *
 * <ul>
 *   <li>{@code x} (N × In): the layer's inputs x_t. For a layer above another this may be an array of the model's
 *       (the layer below's outputs after dropout), so nothing is copied between layers;</li>
 *   <li>{@code h} ((T + 1)·B × H): block 0 is the carried-in state, the cell writes h_t into block t + 1; blocks
 *       0..T−1 together are every step's h_{t-1}, the left operand of the weight gradient;</li>
 *   <li>{@code z} (N × G·H): pre-activations, overwritten by the cell with the activations;</li>
 *   <li>{@code c} ((T + 1)·B × H) and {@code tanhC} (N × H): LSTM cell states (block 0 carried in) and tanh(c_t);</li>
 *   <li>{@code dz} (N × G·H); {@code dh} (N × H), block t = dL/dh_{t-1} through the recurrence from step t;
 *       {@code dOut} (N × H) the gradient arriving at h_t from outside the recurrence; {@code dx} (N × In) the
 *       gradient of the inputs (again possibly the model's array: the layer below's {@code dOut}); {@code dc}
 *       (B × H) the running dL/dc.</li>
 * </ul>
 */
final class LayerBuffers {

  final int batch;
  final int steps;
  final int hidden;
  final int input;
  final int gateWidth;

  final INDArray x;
  final INDArray h;
  final INDArray z;
  final INDArray c;
  final INDArray tanhC;
  final INDArray dz;
  final INDArray dh;
  final INDArray dOut;
  final INDArray dx;
  final INDArray dc;

  /** Row-block views of step t, made once because making a view is itself an ND4J call; h has T + 1 blocks. */
  final INDArray[] hStep;
  final INDArray[] zStep;
  final INDArray[] dzStep;
  final INDArray[] dhStep;
  /** Blocks 0..T−1 of h: every step's h_{t-1}; blocks 1..T: every step's output h_t. */
  final INDArray hPrevious;
  final INDArray hOutputs;
  /** Views of x, dx and dOut by step, made on first use: only a layer driven step by step needs them. */
  private INDArray[] xStep;
  private INDArray[] dxStep;
  private INDArray[] dOutStep;

  final Vec xVec;
  final Vec hVec;
  final Vec zVec;
  final Vec cVec;
  final Vec tanhCVec;
  final Vec dzVec;
  final Vec dhVec;
  final Vec dOutVec;
  final Vec dxVec;
  final Vec dcVec;

  /**
   * Buffers for a layer of {@code cell} with inputs of width {@code input}; {@code x} and {@code dx} (N × In, of
   * {@code type}) are used as the input and input-gradient buffers when given, allocated when null.
   */
  LayerBuffers(RecurrentCell cell, int input, int hidden, int batch, int steps, DataType type, INDArray x,
               INDArray dx) {
    if (input < 1 || hidden < 1 || batch < 1 || steps < 1) {
      throw new IllegalArgumentException("a recurrent layer needs positive sizes: input " + input + ", hidden "
          + hidden + ", batch " + batch + ", steps " + steps);
    }
    this.batch = batch;
    this.steps = steps;
    this.hidden = hidden;
    this.input = input;
    this.gateWidth = cell.gates() * hidden;
    int rows = steps * batch;
    boolean cellState = cell.hasCellState();

    this.x = x == null ? Nd4j.zeros(type, rows, input) : requireShape(x, rows, input, type, "input");
    this.dx = dx == null ? Nd4j.zeros(type, rows, input) : requireShape(dx, rows, input, type, "input gradient");
    h = Nd4j.zeros(type, rows + batch, hidden);
    z = Nd4j.zeros(type, rows, gateWidth);
    c = cellState ? Nd4j.zeros(type, rows + batch, hidden) : null;
    tanhC = cellState ? Nd4j.zeros(type, rows, hidden) : null;
    dz = Nd4j.zeros(type, rows, gateWidth);
    dh = Nd4j.zeros(type, rows, hidden);
    dOut = Nd4j.zeros(type, rows, hidden);
    dc = Nd4j.zeros(type, batch, hidden);

    hStep = rowBlocks(h, steps + 1, batch);
    zStep = rowBlocks(z, steps, batch);
    dzStep = rowBlocks(dz, steps, batch);
    dhStep = rowBlocks(dh, steps, batch);
    hPrevious = h.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
    hOutputs = h.get(NDArrayIndex.interval(batch, rows + batch), NDArrayIndex.all());

    xVec = Vec.of(this.x);
    hVec = Vec.of(h);
    zVec = Vec.of(z);
    cVec = c == null ? null : Vec.of(c);
    tanhCVec = tanhC == null ? null : Vec.of(tanhC);
    dzVec = Vec.of(dz);
    dhVec = Vec.of(dh);
    dOutVec = Vec.of(dOut);
    dxVec = Vec.of(this.dx);
    dcVec = Vec.of(dc);
  }

  INDArray xStep(int t) {
    if (xStep == null) {
      xStep = rowBlocks(x, steps, batch);
    }
    return xStep[t];
  }

  INDArray dxStep(int t) {
    if (dxStep == null) {
      dxStep = rowBlocks(dx, steps, batch);
    }
    return dxStep[t];
  }

  INDArray dOutStep(int t) {
    if (dOutStep == null) {
      dOutStep = rowBlocks(dOut, steps, batch);
    }
    return dOutStep[t];
  }

  private static INDArray requireShape(INDArray array, int rows, int columns, DataType type, String what) {
    if (array.rows() != rows || array.columns() != columns || array.dataType() != type || array.ordering() != 'c') {
      throw new IllegalArgumentException(what + " buffer must be a C-order " + type + " " + rows + " × " + columns
          + " array, got " + array.shapeInfoToString());
    }
    return array;
  }

  static INDArray[] rowBlocks(INDArray array, int blocks, int rowsPerBlock) {
    INDArray[] views = new INDArray[blocks];
    for (int t = 0; t < blocks; t++) {
      views[t] = array.get(NDArrayIndex.interval(t * rowsPerBlock, (t + 1) * rowsPerBlock), NDArrayIndex.all());
    }
    return views;
  }
}
