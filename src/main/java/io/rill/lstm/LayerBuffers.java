package io.rill.lstm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Preallocated memory of one recurrent layer for a chunk of T steps of B streams, reused chunk after chunk so the
 * training loop allocates nothing. Row r = t·B + b of every N × · buffer (N = T·B) is stream b at step t, so each
 * step's rows are one contiguous block a gemm can read or write in place.
 *
 * <ul>
 *   <li>{@code x} (N × In): the layer's inputs x_t. For a layer above the first this is the same array as the
 *       {@code out} of the layer below, so nothing is copied between layers;</li>
 *   <li>{@code h} ((T + 1)·B × H): block 0 is the carried-in state, the cell writes h_t into block t + 1; blocks
 *       0..T−1 together are every step's h_{t-1}, the left operand of the weight gradient;</li>
 *   <li>{@code z} (N × G·H): pre-activations, overwritten by the cell with the activations;</li>
 *   <li>{@code c} ((T + 1)·B × H) and {@code tanhC} (N × H): LSTM cell states (block 0 carried in) and tanh(c_t);</li>
 *   <li>{@code out} (N × H): h_t after dropout, {@code mask} its inverted-dropout multipliers;</li>
 *   <li>{@code dz} (N × G·H); {@code dh} (N × H), block t = dL/dh_{t-1} through the recurrence from step t;
 *       {@code dOut} (N × H) the gradient arriving at {@code out}, then at h_t; {@code dx} (N × In) the gradient of
 *       the inputs, the same array as the {@code dOut} of the layer below; {@code dc} (B × H) the running dL/dc.</li>
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
  final INDArray out;
  final INDArray mask;
  final INDArray dz;
  final INDArray dh;
  final INDArray dOut;
  final INDArray dx;
  final INDArray dc;

  /** Row-block views of step t, made once because making a view is itself an ND4J call. */
  final INDArray[] hStep;
  final INDArray[] zStep;
  final INDArray[] dzStep;
  final INDArray[] dhStep;
  /** Blocks 0..T−1 of h: every step's h_{t-1}. */
  final INDArray hPrevious;

  final Vec xVec;
  final Vec hVec;
  final Vec zVec;
  final Vec cVec;
  final Vec tanhCVec;
  final Vec outVec;
  final Vec maskVec;
  final Vec dzVec;
  final Vec dhVec;
  final Vec dOutVec;
  final Vec dxVec;
  final Vec dcVec;

  /** Buffers of layer {@code layer}; {@code below} is the layer under it, null for the first layer. */
  LayerBuffers(LstmConfig config, int layer, int batch, int steps, LayerBuffers below) {
    this.batch = batch;
    this.steps = steps;
    this.hidden = config.hiddenSize();
    this.input = config.inputSize(layer);
    this.gateWidth = config.gateWidth();
    var type = config.dataType();
    int rows = steps * batch;
    boolean cellState = config.cell().cell().hasCellState();

    x = below == null ? Nd4j.zeros(type, rows, input) : below.out;
    h = Nd4j.zeros(type, rows + batch, hidden);
    z = Nd4j.zeros(type, rows, gateWidth);
    c = cellState ? Nd4j.zeros(type, rows + batch, hidden) : null;
    tanhC = cellState ? Nd4j.zeros(type, rows, hidden) : null;
    out = Nd4j.zeros(type, rows, hidden);
    mask = config.dropout() > 0 ? Nd4j.zeros(type, rows, hidden) : null;
    dz = Nd4j.zeros(type, rows, gateWidth);
    dh = Nd4j.zeros(type, rows, hidden);
    dOut = Nd4j.zeros(type, rows, hidden);
    dx = below == null ? Nd4j.zeros(type, rows, input) : below.dOut;
    dc = Nd4j.zeros(type, batch, hidden);

    hStep = rowBlocks(h, steps, batch);
    zStep = rowBlocks(z, steps, batch);
    dzStep = rowBlocks(dz, steps, batch);
    dhStep = rowBlocks(dh, steps, batch);
    hPrevious = h.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());

    xVec = below == null ? Vec.of(x) : below.outVec;
    hVec = Vec.of(h);
    zVec = Vec.of(z);
    cVec = c == null ? null : Vec.of(c);
    tanhCVec = tanhC == null ? null : Vec.of(tanhC);
    outVec = Vec.of(out);
    maskVec = mask == null ? null : Vec.of(mask);
    dzVec = Vec.of(dz);
    dhVec = Vec.of(dh);
    dOutVec = Vec.of(dOut);
    dxVec = below == null ? Vec.of(dx) : below.dOutVec;
    dcVec = Vec.of(dc);
  }

  private static INDArray[] rowBlocks(INDArray array, int blocks, int rowsPerBlock) {
    INDArray[] views = new INDArray[blocks];
    for (int t = 0; t < blocks; t++) {
      views[t] = array.get(NDArrayIndex.interval(t * rowsPerBlock, (t + 1) * rowsPerBlock), NDArrayIndex.all());
    }
    return views;
  }
}
