package io.rill.nn;

/**
 * The classic LSTM cell. With z = [h_{t-1}, x_t] · W + b split into four H-wide blocks:
 *
 * <pre>
 *   f = σ(z_f)           forget gate
 *   i = σ(z_i)           input gate
 *   g = tanh(z_g)        candidate C̃
 *   o = σ(z_o)           output gate
 *   c_t = f ∗ c_{t-1} + i ∗ g
 *   h_t = o ∗ tanh(c_t)
 * </pre>
 *
 * Backward, with dh = dL/dh_t and dc the running dL/dc_t:
 *
 * <pre>
 *   do = dh ∗ tanh(c_t)
 *   dc += dh ∗ o ∗ (1 − tanh²(c_t))
 *   df = dc ∗ c_{t-1},  di = dc ∗ g,  dg = dc ∗ i
 *   dc_{t-1} = dc ∗ f
 *   dz_f = df·f(1 − f),  dz_i = di·i(1 − i),  dz_g = dg·(1 − g²),  dz_o = do·o(1 − o)
 * </pre>
 */
public final class LstmCell extends RecurrentCell {

  static final LstmCell INSTANCE = new LstmCell();

  /** Gate block order in z, W and b. */
  public static final int FORGET = 0;
  public static final int INPUT = 1;
  public static final int CANDIDATE = 2;
  public static final int OUTPUT = 3;

  private LstmCell() {
  }

  @Override
  public int gates() {
    return 4;
  }

  @Override
  public boolean hasCellState() {
    return true;
  }

  @Override
  void forward(LayerBuffers layer, int t, Vec bias, int fromRow, int toRow) {
    if (layer.zVec instanceof Vec.FloatVec && bias instanceof Vec.FloatVec) {
      forwardFloat(layer, t, (Vec.FloatVec) bias, fromRow, toRow);
      return;
    }
    int hidden = layer.hidden;
    Vec z = layer.zVec;
    Vec c = layer.cVec;
    Vec tanhC = layer.tanhCVec;
    Vec h = layer.hVec;
    for (int b = fromRow; b < toRow; b++) {
      int row = t * layer.batch + b;
      int zRow = row * layer.gateWidth;
      int previous = row * hidden;               // c_{t-1} in c; step t in tanhC
      int current = (row + layer.batch) * hidden; // c_t in c, h_t in h
      for (int j = 0; j < hidden; j++) {
        int zf = zRow + FORGET * hidden + j;
        int zi = zRow + INPUT * hidden + j;
        int zg = zRow + CANDIDATE * hidden + j;
        int zo = zRow + OUTPUT * hidden + j;
        double f = RecurrentCell.sigmoid(z.get(zf) + bias.get(FORGET * hidden + j));
        double i = RecurrentCell.sigmoid(z.get(zi) + bias.get(INPUT * hidden + j));
        double g = RecurrentCell.tanh(z.get(zg) + bias.get(CANDIDATE * hidden + j));
        double o = RecurrentCell.sigmoid(z.get(zo) + bias.get(OUTPUT * hidden + j));
        double cNew = f * c.get(previous + j) + i * g;
        double tc = RecurrentCell.tanh(cNew);
        z.set(zf, f);
        z.set(zi, i);
        z.set(zg, g);
        z.set(zo, o);
        c.set(current + j, cNew);
        tanhC.set(previous + j, tc);
        h.set(current + j, o * tc);
      }
    }
  }

  /**
   * The same forward step for float models, shaped for the JIT's vectoriser: each row's four gate blocks, its c_{t-1}
   * and the bias's four blocks are copied into plain float arrays of their own (thread-local scratch, nothing
   * allocated per step), every quantity is one simple loop with {@link FastFloatMath}'s exp-free sigmoid and tanh, and
   * the results are copied back. Every array a loop touches is indexed by the loop variable alone: measured here,
   * C2 vectorises {@code z[j] += a * w[j]} but not {@code z[j] += a * w[k + j]} (it cannot rule out that w is z, 5×
   * slower), nor one loop writing several arrays from one array at several offsets. The element-at-a-time loop above
   * stays the reference and the double-precision path that the gradient checks run ({@code FloatPrecisionTest}
   * holds the two together).
   */
  private static void forwardFloat(LayerBuffers layer, int t, Vec.FloatVec biasVec, int fromRow, int toRow) {
    int hidden = layer.hidden;
    int width = layer.gateWidth;
    Vec.FloatVec z = (Vec.FloatVec) layer.zVec;
    Vec.FloatVec c = (Vec.FloatVec) layer.cVec;
    Vec.FloatVec tanhC = (Vec.FloatVec) layer.tanhCVec;
    Vec.FloatVec h = (Vec.FloatVec) layer.hVec;
    Scratch s = Scratch.of(hidden);
    float[] bf = s.biasF;
    float[] bi = s.biasI;
    float[] bg = s.biasG;
    float[] bo = s.biasO;
    biasVec.read(FORGET * hidden, bf, hidden);
    biasVec.read(INPUT * hidden, bi, hidden);
    biasVec.read(CANDIDATE * hidden, bg, hidden);
    biasVec.read(OUTPUT * hidden, bo, hidden);
    float[] gf = s.f;
    float[] gi = s.i;
    float[] gg = s.g;
    float[] go = s.o;
    float[] cPrev = s.a;
    float[] cNew = s.b;
    float[] tc = s.c;
    float[] hNew = s.d;
    for (int b = fromRow; b < toRow; b++) {
      int row = t * layer.batch + b;
      int zRow = row * width;
      z.read(zRow + FORGET * hidden, gf, hidden);
      z.read(zRow + INPUT * hidden, gi, hidden);
      z.read(zRow + CANDIDATE * hidden, gg, hidden);
      z.read(zRow + OUTPUT * hidden, go, hidden);
      c.read(row * hidden, cPrev, hidden);
      for (int j = 0; j < hidden; j++) {
        gf[j] = FastFloatMath.sigmoid(gf[j] + bf[j]);
      }
      for (int j = 0; j < hidden; j++) {
        gi[j] = FastFloatMath.sigmoid(gi[j] + bi[j]);
      }
      for (int j = 0; j < hidden; j++) {
        gg[j] = FastFloatMath.tanh(gg[j] + bg[j]);
      }
      for (int j = 0; j < hidden; j++) {
        go[j] = FastFloatMath.sigmoid(go[j] + bo[j]);
      }
      for (int j = 0; j < hidden; j++) {
        cNew[j] = gf[j] * cPrev[j] + gi[j] * gg[j];
      }
      for (int j = 0; j < hidden; j++) {
        tc[j] = FastFloatMath.tanh(cNew[j]);
      }
      for (int j = 0; j < hidden; j++) {
        hNew[j] = go[j] * tc[j];
      }
      int current = (row + layer.batch) * hidden;
      z.write(zRow + FORGET * hidden, gf, hidden);
      z.write(zRow + INPUT * hidden, gi, hidden);
      z.write(zRow + CANDIDATE * hidden, gg, hidden);
      z.write(zRow + OUTPUT * hidden, go, hidden);
      c.write(current, cNew, hidden);
      tanhC.write(row * hidden, tc, hidden);
      h.write(current, hNew, hidden);
    }
  }

  /** Float arrays of one thread's cell steps, for one row of {@code hidden} units. */
  private static final class Scratch {
    private static final ThreadLocal<Scratch> OF_THREAD = new ThreadLocal<>();

    final int hidden;
    final float[] biasF;
    final float[] biasI;
    final float[] biasG;
    final float[] biasO;
    final float[] f;
    final float[] i;
    final float[] g;
    final float[] o;
    final float[] df;
    final float[] di;
    final float[] dg;
    final float[] dO;
    final float[] a;
    final float[] b;
    final float[] c;
    final float[] d;
    final float[] e;

    private Scratch(int hidden) {
      this.hidden = hidden;
      biasF = new float[hidden];
      biasI = new float[hidden];
      biasG = new float[hidden];
      biasO = new float[hidden];
      f = new float[hidden];
      i = new float[hidden];
      g = new float[hidden];
      o = new float[hidden];
      df = new float[hidden];
      di = new float[hidden];
      dg = new float[hidden];
      dO = new float[hidden];
      a = new float[hidden];
      b = new float[hidden];
      c = new float[hidden];
      d = new float[hidden];
      e = new float[hidden];
    }

    /** This thread's scratch for rows of {@code hidden} units. */
    static Scratch of(int hidden) {
      Scratch scratch = OF_THREAD.get();
      if (scratch == null || scratch.hidden != hidden) {
        scratch = new Scratch(hidden);
        OF_THREAD.set(scratch);
      }
      return scratch;
    }
  }

  @Override
  void backward(LayerBuffers layer, int t, int fromRow, int toRow) {
    if (layer.zVec instanceof Vec.FloatVec) {
      backwardFloat(layer, t, fromRow, toRow);
      return;
    }
    int hidden = layer.hidden;
    boolean last = t == layer.steps - 1;
    Vec z = layer.zVec;
    Vec dz = layer.dzVec;
    Vec c = layer.cVec;
    Vec tanhC = layer.tanhCVec;
    Vec dOut = layer.dOutVec;
    Vec dhNext = layer.dhVec;
    Vec dc = layer.dcVec;
    for (int b = fromRow; b < toRow; b++) {
      int row = t * layer.batch + b;
      int zRow = row * layer.gateWidth;
      int unit = row * hidden;                    // step t in tanhC and dOut, c_{t-1} in c
      int next = (row + layer.batch) * hidden;    // dL/dh_t from step t + 1 in dh
      for (int j = 0; j < hidden; j++) {
        int zf = zRow + FORGET * hidden + j;
        int zi = zRow + INPUT * hidden + j;
        int zg = zRow + CANDIDATE * hidden + j;
        int zo = zRow + OUTPUT * hidden + j;
        double f = z.get(zf);
        double i = z.get(zi);
        double g = z.get(zg);
        double o = z.get(zo);
        double tc = tanhC.get(unit + j);
        double dh = dOut.get(unit + j) + (last ? 0.0 : dhNext.get(next + j));
        double dcNow = dc.get(b * hidden + j) + dh * o * (1 - tc * tc);
        double dO = dh * tc;
        double dF = dcNow * c.get(unit + j);
        double dI = dcNow * g;
        double dG = dcNow * i;
        dc.set(b * hidden + j, dcNow * f);
        dz.set(zf, dF * f * (1 - f));
        dz.set(zi, dI * i * (1 - i));
        dz.set(zg, dG * (1 - g * g));
        dz.set(zo, dO * o * (1 - o));
      }
    }
  }

  /**
   * The same backward step for float models, shaped like {@link #forwardFloat}: each row's gates, states and
   * gradients are copied into plain float arrays of their own, each indexed by the loop variable alone, every
   * quantity (dL/dc, each gate's dz, dL/dc_{t-1}) is one simple loop (so the JIT vectorises it: 1.9 ms per 64 steps
   * of 32 × 256 units here, against 2.8 ms for one loop writing all five), and the results are copied back. The element-at-a-time loop
   * above stays the reference and the double-precision path that the gradient checks run; {@code
   * FloatPrecisionTest} holds the two together.
   */
  private static void backwardFloat(LayerBuffers layer, int t, int fromRow, int toRow) {
    int hidden = layer.hidden;
    int width = layer.gateWidth;
    boolean last = t == layer.steps - 1;
    Vec.FloatVec z = (Vec.FloatVec) layer.zVec;
    Vec.FloatVec dz = (Vec.FloatVec) layer.dzVec;
    Vec.FloatVec c = (Vec.FloatVec) layer.cVec;
    Vec.FloatVec tanhC = (Vec.FloatVec) layer.tanhCVec;
    Vec.FloatVec dOut = (Vec.FloatVec) layer.dOutVec;
    Vec.FloatVec dhNext = (Vec.FloatVec) layer.dhVec;
    Vec.FloatVec dcRunning = (Vec.FloatVec) layer.dcVec;
    Scratch s = Scratch.of(hidden);
    float[] gf = s.f;
    float[] gi = s.i;
    float[] gg = s.g;
    float[] go = s.o;
    float[] df = s.df;
    float[] di = s.di;
    float[] dg = s.dg;
    float[] dO = s.dO;
    float[] tc = s.a;
    float[] cPrev = s.b;
    float[] dh = s.c;
    float[] dhRecurrent = s.d;
    float[] dc = s.e;
    for (int b = fromRow; b < toRow; b++) {
      int row = t * layer.batch + b;
      int zRow = row * width;
      int unit = row * hidden;
      z.read(zRow + FORGET * hidden, gf, hidden);
      z.read(zRow + INPUT * hidden, gi, hidden);
      z.read(zRow + CANDIDATE * hidden, gg, hidden);
      z.read(zRow + OUTPUT * hidden, go, hidden);
      tanhC.read(unit, tc, hidden);
      c.read(unit, cPrev, hidden);
      dOut.read(unit, dh, hidden);
      dcRunning.read(b * hidden, dc, hidden);
      if (!last) {
        dhNext.read(unit + layer.batch * hidden, dhRecurrent, hidden);
        for (int j = 0; j < hidden; j++) {
          dh[j] += dhRecurrent[j];
        }
      }
      for (int j = 0; j < hidden; j++) {
        dc[j] += dh[j] * go[j] * (1 - tc[j] * tc[j]);
      }
      for (int j = 0; j < hidden; j++) {
        dO[j] = dh[j] * tc[j] * go[j] * (1 - go[j]);
      }
      for (int j = 0; j < hidden; j++) {
        df[j] = dc[j] * cPrev[j] * gf[j] * (1 - gf[j]);
      }
      for (int j = 0; j < hidden; j++) {
        di[j] = dc[j] * gg[j] * gi[j] * (1 - gi[j]);
      }
      for (int j = 0; j < hidden; j++) {
        dg[j] = dc[j] * gi[j] * (1 - gg[j] * gg[j]);
      }
      for (int j = 0; j < hidden; j++) {
        dc[j] *= gf[j];
      }
      dz.write(zRow + FORGET * hidden, df, hidden);
      dz.write(zRow + INPUT * hidden, di, hidden);
      dz.write(zRow + CANDIDATE * hidden, dg, hidden);
      dz.write(zRow + OUTPUT * hidden, dO, hidden);
      dcRunning.write(b * hidden, dc, hidden);
    }
  }
}
