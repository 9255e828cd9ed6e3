package io.rill.lstm;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

  /** The streams of {@code parts} side by side: rows of the first part first. */
  public static LstmState concat(List<LstmState> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    int layers = parts.get(0).layers();
    INDArray[] h = new INDArray[layers];
    INDArray[] c = new INDArray[layers];
    for (int l = 0; l < layers; l++) {
      int layer = l;
      h[l] = Nd4j.vstack(parts.stream().map(p -> p.hidden(layer)).toArray(INDArray[]::new));
      c[l] = parts.get(0).cell(l) == null ? null
          : Nd4j.vstack(parts.stream().map(p -> p.cell(layer)).toArray(INDArray[]::new));
    }
    return new LstmState(h, c);
  }

  /** Streams [from, from + count) as a state of their own (copied). */
  public LstmState rows(int from, int count) {
    INDArray[] h = new INDArray[hidden.length];
    INDArray[] c = new INDArray[cell.length];
    for (int l = 0; l < hidden.length; l++) {
      h[l] = hidden[l].get(NDArrayIndex.interval(from, from + count),
          NDArrayIndex.all()).dup();
      c[l] = cell[l] == null ? null : cell[l].get(NDArrayIndex.interval(from, from + count),
          NDArrayIndex.all()).dup();
    }
    return new LstmState(h, c);
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
