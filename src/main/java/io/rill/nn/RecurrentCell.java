package io.rill.nn;

/**
 * The elementwise part of one recurrent layer at one time step, for the whole batch: an LSTM ({@link LstmCell}) or a
 * vanilla RNN ({@link RnnCell}).
 *
 * <p>{@link RecurrentLayer} does the matrix products z = [h, x] · W for every gate at once; a cell turns z (plus the
 * bias) into the new state and, going backward, turns the gradient of the state into the gradient of z. Both
 * directions are plain loops over the layer's buffers ({@link LayerBuffers}), fused so every element is read and
 * written once. Outside this package a cell is what it tells about the layer's shape.
 */
public abstract sealed class RecurrentCell permits LstmCell, RnnCell {

  RecurrentCell() {
  }

  /** How many H-wide gate blocks the layer's weight matrix has. */
  public abstract int gates();

  /** Whether the cell carries a cell state c besides h. */
  public abstract boolean hasCellState();

  /**
   * Step t forward for rows [fromRow, toRow) of the batch: reads the pre-activations z_t, {@code bias} and the
   * previous state; writes the activations back into z_t (kept for the backward pass), the new state h_t (into block
   * t + 1 of h) and, with a cell state, c_t. Rows are independent, so disjoint ranges may run concurrently.
   */
  abstract void forward(LayerBuffers layer, int t, Vec bias, int fromRow, int toRow);

  /**
   * Step t backward for rows [fromRow, toRow): from dL/dh_t (the layer output's gradient plus the recurrent
   * gradient that step t + 1 left in dh) and, with a cell state, the running dL/dc, writes dL/dz_t and leaves
   * dL/dc_{t-1} in the running buffer.
   */
  abstract void backward(LayerBuffers layer, int t, int fromRow, int toRow);

  static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  /** tanh through one exp: 1 − 2 / (e^{2x} + 1), exact to rounding and faster than {@link Math#tanh}. */
  static double tanh(double x) {
    return 1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0);
  }
}
