package io.rill.lstm;

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
}
