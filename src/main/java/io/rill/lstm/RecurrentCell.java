package io.rill.lstm;

/**
 * The elementwise part of one recurrent layer at one time step, for the whole batch.
 *
 * <p>{@link CharLstm} does the matrix products z = [h, x] · W for every gate at once; a cell turns z (plus the bias)
 * into the new state and, going backward, turns the gradient of the state into the gradient of z.
 * Both directions are plain loops over the {@link LayerBuffers}, fused so every element is read and written once.
 */
sealed interface RecurrentCell permits LstmCell, RnnCell {

  /** How many H-wide gate blocks the layer's weight matrix has. */
  int gates();

  /** Whether the cell carries a cell state c besides h. */
  boolean hasCellState();

  /**
   * Step t forward for streams [fromStream, toStream): reads the pre-activations z_t, {@code bias} and the previous
   * state; writes the activations back into z_t (kept for the backward pass), the new state h_t (into block t + 1 of
   * h) and, with a cell state, c_t. Streams are independent, so disjoint ranges may run concurrently.
   */
  void forward(LayerBuffers layer, int t, Vec bias, int fromStream, int toStream);

  /**
   * Step t backward for streams [fromStream, toStream): from dL/dh_t (the layer output's gradient plus the
   * recurrent gradient that step t + 1 left in dh) and, with a cell state, the running dL/dc, writes dL/dz_t and
   * leaves dL/dc_{t-1} in the running buffer.
   */
  void backward(LayerBuffers layer, int t, int fromStream, int toStream);

  static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  /** tanh through one exp: 1 − 2 / (e^{2x} + 1), exact to rounding and faster than {@link Math#tanh}. */
  static double tanh(double x) {
    return 1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0);
  }
}
