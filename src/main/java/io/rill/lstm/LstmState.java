package io.rill.lstm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The recurrent state of B parallel streams after some characters: per layer the hidden state h (B × H) and, for
 * an LSTM, the cell state c (B × H; null for a vanilla RNN).
 *
 * <p>It is a plain value: {@link CharLstm} copies it in at the start of a chunk and hands out a fresh one at the
 * end, so carrying it into the next chunk is truncated backpropagation through time with the state detached, no
 * gradient flows back into the chunk that produced it.
 */
public final class LstmState {

  private final INDArray[] hidden;
  private final INDArray[] cell;

  LstmState(INDArray[] hidden, INDArray[] cell) {
    this.hidden = hidden;
    this.cell = cell;
  }

  /** The all-zero state of {@code batch} streams: the start of a stream. */
  public static LstmState zeros(LstmConfig config, int batch) {
    INDArray[] hidden = new INDArray[config.layers()];
    INDArray[] cell = new INDArray[config.layers()];
    for (int l = 0; l < config.layers(); l++) {
      hidden[l] = Nd4j.zeros(config.dataType(), batch, config.hiddenSize());
      cell[l] = config.cell().cell().hasCellState()
          ? Nd4j.zeros(config.dataType(), batch, config.hiddenSize()) : null;
    }
    return new LstmState(hidden, cell);
  }

  public int layers() {
    return hidden.length;
  }

  public int batchSize() {
    return (int) hidden[0].size(0);
  }

  /** Layer {@code layer}'s hidden state h, B × H. */
  public INDArray hidden(int layer) {
    return hidden[layer];
  }

  /** Layer {@code layer}'s cell state c, B × H, or null for a cell without one. */
  public INDArray cell(int layer) {
    return cell[layer];
  }

  public LstmState copy() {
    INDArray[] h = new INDArray[hidden.length];
    INDArray[] c = new INDArray[cell.length];
    for (int l = 0; l < hidden.length; l++) {
      h[l] = hidden[l].dup();
      c[l] = cell[l] == null ? null : cell[l].dup();
    }
    return new LstmState(h, c);
  }
}
