package io.rill.lstm;

import io.rill.nn.FastFloatMath;
import io.rill.nn.LstmCell;
import io.rill.nn.Vec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A character model for generation: a copy of the parameters in plain float arrays and a forward step in plain Java,
 * one stream at a time. Sampling feeds a handful of streams one character at a time, where ND4J's per-call cost and
 * its own thread pool are all overhead: on two cores its threads fought the training worker's for the CPU, and
 * training slowed five-fold under 50 requests per second. These loops take no lock and start no thread, and every
 * product is written as rows added into an accumulator ({@code z += x_k · W[k, :]}), a loop the JIT turns into SIMD
 * instructions.
 *
 * <p>It computes what {@link CharLstm#step} computes (dropout off), in float, with {@link FastFloatMath}'s sigmoid and
 * tanh for the LSTM's gates as the float training path uses. Immutable once built; each caller keeps its own
 * {@link Streams}.
 */
public final class InferenceModel {

  private final LstmConfig config;
  private final int vocabulary;
  private final float[] embedding;
  private final float[][] weights;
  private final float[][] biases;
  private final float[] outputWeights;
  private final float[] outputBias;

  /** The recurrent state of a number of streams, per layer h (and c for an LSTM), stream-major. */
  public final class Streams {
    final int count;
    final float[][] hidden;
    final float[][] cell;

    Streams(int count) {
      this.count = count;
      int h = config.hiddenSize();
      hidden = new float[config.layers()][count * h];
      cell = config.cell().cell().hasCellState() ? new float[config.layers()][count * h] : null;
    }
  }

  public InferenceModel(LstmParams params) {
    this.config = params.config();
    this.vocabulary = params.vocabularySize();
    this.embedding = floats(params.embedding());
    this.weights = new float[config.layers()][];
    this.biases = new float[config.layers()][];
    for (int l = 0; l < config.layers(); l++) {
      weights[l] = floats(params.weights(l));
      biases[l] = floats(params.bias(l));
    }
    this.outputWeights = floats(params.outputWeights());
    this.outputBias = floats(params.outputBias());
  }

  public int vocabularySize() {
    return vocabulary;
  }

  /** The zero state of {@code count} streams: the start of a sequence. */
  public Streams streams(int count) {
    return new Streams(count);
  }

  /**
   * Feeds {@code inputs[b]} to stream b, updating its state, and writes its next-character logits to logits[b]. A
   * negative input skips the stream (a finished sample), leaving its state and logits as they were.
   */
  public void step(Streams streams, int[] inputs, double[][] logits) {
    int hidden = config.hiddenSize();
    int width = config.gateWidth();
    boolean lstm = config.cell().cell().hasCellState();
    float[] z = new float[width];
    float[] x = new float[Math.max(config.embeddingSize(), hidden)];
    float[] out = new float[vocabulary];
    for (int b = 0; b < streams.count; b++) {
      if (inputs[b] < 0) {
        continue;
      }
      int inputSize = config.embeddingSize();
      System.arraycopy(embedding, inputs[b] * inputSize, x, 0, inputSize);
      for (int l = 0; l < config.layers(); l++) {
        float[] w = weights[l];
        float[] h = streams.hidden[l];
        int hFrom = b * hidden;
        System.arraycopy(biases[l], 0, z, 0, width);
        for (int k = 0; k < hidden; k++) {
          addRow(z, h[hFrom + k], w, k * width, width);
        }
        for (int k = 0; k < inputSize; k++) {
          addRow(z, x[k], w, (hidden + k) * width, width);
        }
        if (lstm) {
          float[] c = streams.cell[l];
          for (int j = 0; j < hidden; j++) {
            float f = FastFloatMath.sigmoid(z[LstmCell.FORGET * hidden + j]);
            float i = FastFloatMath.sigmoid(z[LstmCell.INPUT * hidden + j]);
            float g = FastFloatMath.tanh(z[LstmCell.CANDIDATE * hidden + j]);
            float o = FastFloatMath.sigmoid(z[LstmCell.OUTPUT * hidden + j]);
            float cNew = f * c[hFrom + j] + i * g;
            c[hFrom + j] = cNew;
            h[hFrom + j] = o * FastFloatMath.tanh(cNew);
          }
        } else {
          for (int j = 0; j < hidden; j++) {
            h[hFrom + j] = (float) Math.tanh(z[j]);
          }
        }
        System.arraycopy(h, hFrom, x, 0, hidden); // the next layer's input
        inputSize = hidden;
      }
      System.arraycopy(outputBias, 0, out, 0, vocabulary);
      for (int k = 0; k < hidden; k++) {
        addRow(out, x[k], outputWeights, k * vocabulary, vocabulary);
      }
      for (int v = 0; v < vocabulary; v++) {
        logits[b][v] = out[v];
      }
    }
  }

  /** to[j] += scale · from[offset + j] for j < count. */
  private static void addRow(float[] to, float scale, float[] from, int offset, int count) {
    if (scale == 0f) {
      return;
    }
    for (int j = 0; j < count; j++) {
      to[j] += scale * from[offset + j];
    }
  }

  private static float[] floats(INDArray array) {
    Vec vec = Vec.of(array);
    float[] out = new float[vec.length()];
    if (vec instanceof Vec.FloatVec floats) {
      floats.read(0, out, out.length);
    } else {
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) vec.get(i);
      }
    }
    return out;
  }
}
