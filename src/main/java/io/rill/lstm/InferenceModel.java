package io.rill.lstm;

import io.rill.nn.FastFloatMath;
import io.rill.nn.LstmCell;
import io.rill.nn.Vec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A character model for generation: a copy of the parameters in plain float arrays and a forward step in plain Java
 * for any number of streams side by side. Sampling feeds streams one character at a time, where ND4J's per-call cost
 * and its own thread pool were all overhead: on two cores its threads fought the training worker's for the CPU, and
 * training slowed five-fold under 50 requests per second. These loops take no lock and start no thread.
 *
 * <p>Layout, chosen for the JIT's vectoriser: every matrix is kept as an array of rows, and a layer's weights as
 * one such matrix per gate block (W_f, W_i, W_C̃, W_o, each (H + In) × H), so every product is rows added into an
 * accumulator, {@code z[j] += x_k · w_k[j]} with four rows a pass, and every array a loop touches is indexed by the
 * loop variable alone. Measured here, that loop runs at about 40 GFLOP/s on one core, where the same loop over one
 * flat weight array at row offsets ({@code w[k·width + j]}) runs at 5–9: C2 does not vectorise a loop whose
 * stored and loaded arrays might be one array at different offsets. A step goes gate block by gate block through
 * all the streams, so a block's weights (H + In) × H, 320 KB for the default model) are read from cache for every
 * stream after the first.
 *
 * <p>It computes what {@link CharLstm#step} computes (dropout off), in float, with {@link FastFloatMath}'s sigmoid and
 * tanh for the LSTM's gates as the float training path uses. Immutable once built; each caller keeps its own
 * {@link Streams}.
 */
public final class InferenceModel {

  private final LstmConfig config;
  private final int vocabulary;
  private final int gates;
  private final boolean lstm;
  /** E[id] for each id. */
  private final float[][] embedding;
  /** [layer][gate block][row k of (H + In)][unit]: rows [0, H) multiply h, the rest the layer's input. */
  private final float[][][][] weights;
  /** [layer][gate block][unit]. */
  private final float[][][] biases;
  /** [row k of H][id]. */
  private final float[][] outputWeights;
  private final float[] outputBias;

  /** The recurrent state of a number of streams: per layer and stream, h (and c for an LSTM). */
  public final class Streams {
    final int count;
    final float[][][] hidden;
    final float[][][] cell;

    Streams(int count) {
      this.count = count;
      int h = config.hiddenSize();
      hidden = new float[config.layers()][count][h];
      cell = lstm ? new float[config.layers()][count][h] : null;
    }

    public int count() {
      return count;
    }
  }

  public InferenceModel(LstmParams params) {
    this.config = params.config();
    this.vocabulary = params.vocabularySize();
    this.gates = config.cell().cell().gates();
    this.lstm = config.cell().cell().hasCellState();
    int hidden = config.hiddenSize();
    this.embedding = rows(params.embedding(), 0, config.embeddingSize());
    this.weights = new float[config.layers()][gates][][];
    this.biases = new float[config.layers()][gates][];
    for (int l = 0; l < config.layers(); l++) {
      float[][] bias = rows(params.bias(l), 0, config.gateWidth());
      for (int g = 0; g < gates; g++) {
        weights[l][g] = rows(params.weights(l), g * hidden, hidden);
        biases[l][g] = java.util.Arrays.copyOfRange(bias[0], g * hidden, (g + 1) * hidden);
      }
    }
    this.outputWeights = rows(params.outputWeights(), 0, vocabulary);
    this.outputBias = rows(params.outputBias(), 0, vocabulary)[0];
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
    int[] active = new int[streams.count];
    int n = 0;
    for (int b = 0; b < streams.count; b++) {
      if (inputs[b] >= 0) {
        active[n++] = b;
      }
    }
    if (n == 0) {
      return;
    }
    float[][] x = new float[n][];
    for (int a = 0; a < n; a++) {
      x[a] = embedding[inputs[active[a]]];
    }
    float[][][] z = new float[gates][n][hidden];
    for (int l = 0; l < config.layers(); l++) {
      float[][] h = streams.hidden[l];
      for (int g = 0; g < gates; g++) {
        float[][] w = weights[l][g];
        float[] bias = biases[l][g];
        for (int a = 0; a < n; a++) {
          float[] zg = z[g][a];
          System.arraycopy(bias, 0, zg, 0, hidden);
          addProducts(zg, h[active[a]], w, 0);
          addProducts(zg, x[a], w, hidden);
        }
      }
      for (int a = 0; a < n; a++) {
        float[] hb = h[active[a]];
        if (lstm) {
          cell(z[LstmCell.FORGET][a], z[LstmCell.INPUT][a], z[LstmCell.CANDIDATE][a], z[LstmCell.OUTPUT][a],
              streams.cell[l][active[a]], hb);
        } else {
          float[] zr = z[0][a];
          for (int j = 0; j < hidden; j++) {
            hb[j] = (float) Math.tanh(zr[j]);
          }
        }
        x[a] = hb; // the next layer's input
      }
    }
    float[] out = new float[vocabulary];
    for (int a = 0; a < n; a++) {
      System.arraycopy(outputBias, 0, out, 0, vocabulary);
      addProducts(out, x[a], outputWeights, 0);
      double[] row = logits[active[a]];
      for (int v = 0; v < vocabulary; v++) {
        row[v] = out[v];
      }
    }
  }

  /** The LSTM cell over one stream's gate pre-activations: c and h updated in place. */
  private static void cell(float[] f, float[] i, float[] g, float[] o, float[] c, float[] h) {
    int hidden = c.length;
    for (int j = 0; j < hidden; j++) {
      f[j] = FastFloatMath.sigmoid(f[j]);
    }
    for (int j = 0; j < hidden; j++) {
      i[j] = FastFloatMath.sigmoid(i[j]);
    }
    for (int j = 0; j < hidden; j++) {
      g[j] = FastFloatMath.tanh(g[j]);
    }
    for (int j = 0; j < hidden; j++) {
      o[j] = FastFloatMath.sigmoid(o[j]);
    }
    for (int j = 0; j < hidden; j++) {
      c[j] = f[j] * c[j] + i[j] * g[j];
    }
    for (int j = 0; j < hidden; j++) {
      h[j] = o[j] * FastFloatMath.tanh(c[j]);
    }
  }

  /** z[j] += Σ_k x[k] · w[from + k][j] over every k of x: four rows a pass, every array indexed by j alone. */
  private static void addProducts(float[] z, float[] x, float[][] w, int from) {
    int n = z.length;
    int k = 0;
    for (; k + 3 < x.length; k += 4) {
      float a0 = x[k];
      float a1 = x[k + 1];
      float a2 = x[k + 2];
      float a3 = x[k + 3];
      float[] w0 = w[from + k];
      float[] w1 = w[from + k + 1];
      float[] w2 = w[from + k + 2];
      float[] w3 = w[from + k + 3];
      for (int j = 0; j < n; j++) {
        z[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j];
      }
    }
    for (; k < x.length; k++) {
      float a = x[k];
      float[] w0 = w[from + k];
      for (int j = 0; j < n; j++) {
        z[j] += a * w0[j];
      }
    }
  }

  /** Columns [from, from + count) of every row of a 2-D array, each row a float array of its own. */
  private static float[][] rows(INDArray array, int from, int count) {
    Vec vec = Vec.of(array);
    int rows = array.rows();
    int columns = array.columns();
    float[][] out = new float[rows][count];
    for (int r = 0; r < rows; r++) {
      if (vec instanceof Vec.FloatVec floats) {
        floats.read(r * columns + from, out[r], count);
      } else {
        for (int j = 0; j < count; j++) {
          out[r][j] = (float) vec.get(r * columns + from + j);
        }
      }
    }
    return out;
  }
}
