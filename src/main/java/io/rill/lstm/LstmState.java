package io.rill.lstm;

import io.rill.nn.Tensors;
import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
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
 *
 * <p>Binary state ({@link #writeTo} / {@link #readFrom}): format version, architecture, batch size, then per layer
 * h and, when the cell has one, c, as rows, columns and values.
 */
public final class LstmState {

  /** Version of the binary state {@link #writeTo} writes. */
  static final int FORMAT_VERSION = 1;

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

  /** Writes every layer's h and, for an LSTM, c. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    out.writeInt(layers());
    out.writeInt(batchSize());
    out.writeInt(Math.toIntExact(hidden[0].size(1)));
    out.writeBoolean(cell[0] != null);
    out.writeUTF(hidden[0].dataType().name());
    for (int l = 0; l < hidden.length; l++) {
      Tensors.writeArray(out, hidden[l]);
      if (cell[l] != null) {
        Tensors.writeArray(out, cell[l]);
      }
    }
  }

  /**
   * A state written by {@link #writeTo} for {@code batch} streams of a model of {@code config}.
   *
   * @throws IOException when the input is truncated, of another format version, or of another shape
   */
  public static LstmState readFrom(DataInput in, LstmConfig config, int batch) throws IOException {
    StateFormat.readIntVersion(in, FORMAT_VERSION, "recurrent state");
    int layers = in.readInt();
    int storedBatch = in.readInt();
    int hiddenSize = in.readInt();
    boolean hasCell = in.readBoolean();
    String dataType = in.readUTF();
    boolean expectCell = config.cell().cell().hasCellState();
    StateFormat.require(layers == config.layers() && storedBatch == batch && hiddenSize == config.hiddenSize()
            && hasCell == expectCell && dataType.equals(config.dataType().name()),
        "recurrent state was stored as " + describe(layers, storedBatch, hiddenSize, hasCell, dataType)
            + ", expected " + describe(config.layers(), batch, config.hiddenSize(), expectCell,
            config.dataType().name()));
    LstmState state = zeros(config, batch);
    for (int l = 0; l < layers; l++) {
      Tensors.readArray(in, state.hidden[l], "recurrent state layer " + l + " h");
      if (hasCell) {
        Tensors.readArray(in, state.cell[l], "recurrent state layer " + l + " c");
      }
    }
    return state;
  }

  private static String describe(int layers, int batch, int hiddenSize, boolean hasCell, String dataType) {
    return layers + " layers of " + batch + " × " + hiddenSize + (hasCell ? " h and c" : " h") + " " + dataType;
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
