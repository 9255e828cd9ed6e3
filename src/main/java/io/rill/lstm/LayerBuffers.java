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
 *   <li>{@code hx} ((T + 1)·B × (H + In)): block t is [h_{t-1}, x_t], the left operand of step t's gemm; block 0's h
 *       is the carried-in state and the cell writes h_t into block t + 1. The whole of blocks 0..T−1 is also the left
 *       operand of the weight gradient, dW = Σ_t [h_{t-1}, x_t]ᵀ · dz_t, done as one gemm;</li>
 *   <li>{@code z} (N × G·H): pre-activations from the gemm, overwritten by the cell with the activations;</li>
 *   <li>{@code c} ((T + 1)·B × H) and {@code tanhC} (N × H): LSTM cell states (block 0 carried in) and tanh(c_t);</li>
 *   <li>{@code out} (N × H): the layer's output h_t after dropout, {@code mask} its inverted-dropout multipliers;</li>
 *   <li>{@code dz} (N × G·H), {@code dhx} (N × (H + In)) = dz_t · Wᵀ per step, i.e. [dL/dh_{t-1}, dL/dx_t];
 *       {@code dOut} (N × H) the gradient arriving at {@code out}, then at h_t; {@code dc} (B × H) the running
 *       dL/dc.</li>
 * </ul>
 */
final class LayerBuffers {

  final int batch;
  final int steps;
  final int hidden;
  final int input;
  final int hxWidth;
  final int gateWidth;

  final INDArray hx;
  final INDArray z;
  final INDArray c;
  final INDArray tanhC;
  final INDArray out;
  final INDArray mask;
  final INDArray dz;
  final INDArray dhx;
  final INDArray dOut;
  final INDArray dc;

  /** Row-block views of step t, made once because making a view is itself an ND4J call. */
  final INDArray[] hxStep;
  final INDArray[] zStep;
  final INDArray[] dzStep;
  final INDArray[] dhxStep;
  /** Blocks 0..T−1 of hx: every step's [h_{t-1}, x_t]. */
  final INDArray hxInputs;

  final Vec hxVec;
  final Vec zVec;
  final Vec cVec;
  final Vec tanhCVec;
  final Vec outVec;
  final Vec maskVec;
  final Vec dzVec;
  final Vec dhxVec;
  final Vec dOutVec;
  final Vec dcVec;

  LayerBuffers(LstmConfig config, int layer, int batch, int steps) {
    this.batch = batch;
    this.steps = steps;
    this.hidden = config.hiddenSize();
    this.input = config.inputSize(layer);
    this.hxWidth = hidden + input;
    this.gateWidth = config.gateWidth();
    var type = config.dataType();
    int rows = steps * batch;
    boolean cellState = config.cell().cell().hasCellState();

    hx = Nd4j.zeros(type, rows + batch, hxWidth);
    z = Nd4j.zeros(type, rows, gateWidth);
    c = cellState ? Nd4j.zeros(type, rows + batch, hidden) : null;
    tanhC = cellState ? Nd4j.zeros(type, rows, hidden) : null;
    out = Nd4j.zeros(type, rows, hidden);
    mask = config.dropout() > 0 ? Nd4j.zeros(type, rows, hidden) : null;
    dz = Nd4j.zeros(type, rows, gateWidth);
    dhx = Nd4j.zeros(type, rows, hxWidth);
    dOut = Nd4j.zeros(type, rows, hidden);
    dc = Nd4j.zeros(type, batch, hidden);

    hxStep = rowBlocks(hx, steps, batch);
    zStep = rowBlocks(z, steps, batch);
    dzStep = rowBlocks(dz, steps, batch);
    dhxStep = rowBlocks(dhx, steps, batch);
    hxInputs = hx.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());

    hxVec = Vec.of(hx);
    zVec = Vec.of(z);
    cVec = c == null ? null : Vec.of(c);
    tanhCVec = tanhC == null ? null : Vec.of(tanhC);
    outVec = Vec.of(out);
    maskVec = mask == null ? null : Vec.of(mask);
    dzVec = Vec.of(dz);
    dhxVec = Vec.of(dhx);
    dOutVec = Vec.of(dOut);
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
