package io.rill.lstm;

import io.rill.nn.CellType;
import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The fixed architecture of a character model: everything about its shape except the vocabulary size, which grows
 * while the model trains and so lives with the parameters ({@link LstmParams#vocabularySize()}).
 *
 * @param cell          LSTM or vanilla RNN layers
 * @param embeddingSize width of a character embedding (E)
 * @param hiddenSize    width of every recurrent layer's state (H)
 * @param layers        number of stacked recurrent layers
 * @param dropout       inverted-dropout rate on each layer's output during training, 0 for none
 * @param dataType      FLOAT for training, DOUBLE for gradient checks
 *
 * <p>Binary form of the architecture ({@link #writeArchitecture}), which the character model's stored tensors start
 * with: cell, E, H, layers and data type. Dropout is left out: it is a training setting that may change between
 * runs without making the stored values wrong.
 */
public record LstmConfig(CellType cell, int embeddingSize, int hiddenSize, int layers, double dropout,
                         DataType dataType) {

  public LstmConfig {
    if (embeddingSize < 1 || hiddenSize < 1 || layers < 1) {
      throw new IllegalArgumentException("sizes must be positive: " + embeddingSize + ", " + hiddenSize + ", " + layers);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1): " + dropout);
    }
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("data type must be FLOAT or DOUBLE: " + dataType);
    }
  }

  /** One float LSTM layer without dropout, the shape of the reference model. */
  public static LstmConfig lstm(int embeddingSize, int hiddenSize) {
    return new LstmConfig(CellType.LSTM, embeddingSize, hiddenSize, 1, 0.0, DataType.FLOAT);
  }

  public LstmConfig withCell(CellType newCell) {
    return new LstmConfig(newCell, embeddingSize, hiddenSize, layers, dropout, dataType);
  }

  public LstmConfig withLayers(int newLayers) {
    return new LstmConfig(cell, embeddingSize, hiddenSize, newLayers, dropout, dataType);
  }

  public LstmConfig withDropout(double newDropout) {
    return new LstmConfig(cell, embeddingSize, hiddenSize, layers, newDropout, dataType);
  }

  public LstmConfig withDataType(DataType newDataType) {
    return new LstmConfig(cell, embeddingSize, hiddenSize, layers, dropout, newDataType);
  }

  /** Width of layer {@code layer}'s input x: the embedding for the first layer, the layer below's state otherwise. */
  public int inputSize(int layer) {
    return layer == 0 ? embeddingSize : hiddenSize;
  }

  /** Columns of a layer's weight matrix: all gates side by side. */
  public int gateWidth() {
    return cell.cell().gates() * hiddenSize;
  }

  /** Writes the parts of this configuration that fix the tensors' shapes and types (not dropout). */
  public void writeArchitecture(DataOutput out) throws IOException {
    out.writeUTF(cell.name());
    out.writeInt(embeddingSize);
    out.writeInt(hiddenSize);
    out.writeInt(layers);
    out.writeUTF(dataType.name());
  }

  /** Reads what {@link #writeArchitecture} wrote and fails unless it is this configuration's; {@code what} names it. */
  public void checkArchitecture(DataInput in, String what) throws IOException {
    String cellName = in.readUTF();
    int embedding = in.readInt();
    int hidden = in.readInt();
    int layerCount = in.readInt();
    String type = in.readUTF();
    String stored = cellName + " E=" + embedding + " H=" + hidden + " layers=" + layerCount + " " + type;
    String wanted = cell.name() + " E=" + embeddingSize + " H=" + hiddenSize + " layers=" + layers + " "
        + dataType.name();
    StateFormat.require(stored.equals(wanted), what + " was stored for " + stored + ", expected " + wanted);
  }

  /**
   * Reads what {@link #writeArchitecture} wrote as a configuration with {@code dropout}, for input that carries its
   * own shape (a message from another node); refuses names and sizes no configuration has.
   */
  public static LstmConfig readArchitecture(DataInput in, double dropout, String what) throws IOException {
    String cellName = in.readUTF();
    int embedding = in.readInt();
    int hidden = in.readInt();
    int layerCount = in.readInt();
    String type = in.readUTF();
    try {
      return new LstmConfig(CellType.valueOf(cellName), embedding, hidden, layerCount, dropout,
          DataType.valueOf(type));
    } catch (IllegalArgumentException e) {
      throw new IOException(what + ": invalid architecture: " + e.getMessage(), e);
    }
  }
}
