package io.rill.lstm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Adam optimizer over an {@link LstmParams}: it owns the first and second moment estimates (shaped like the
 * parameters) and the step count, so a parameter server can hold one next to the parameters it serves and apply each
 * arriving gradient with {@link #step}.
 *
 * <pre>
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²
 *   p = p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 * </pre>
 *
 * One fused loop per tensor: the update touches each entry once instead of going through a chain of array ops.
 *
 * <p>Binary state ({@link #writeTo} / {@link #readFrom}): format version, learning rate, β1, β2, ε, step count, then
 * the first and second moments as {@link LstmTensors#writeTo} writes them. The step count is part of it because the
 * bias corrections depend on it: restoring moments without it would change every later update.
 */
public final class Adam {

  /** Version of the binary state {@link #writeTo} writes. */
  static final int FORMAT_VERSION = 1;

  public static final double DEFAULT_LEARNING_RATE = 2e-3;

  private double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final LstmGradients firstMoment;
  private final LstmGradients secondMoment;
  private long steps;
  private static final int BLOCK = 4096;
  private final float[] blockP = new float[BLOCK];
  private final float[] blockG = new float[BLOCK];
  private final float[] blockM = new float[BLOCK];
  private final float[] blockV = new float[BLOCK];

  /** Adam with the usual constants (β1 0.9, β2 0.999, ε 1e-8) and learning rate 2e-3, for {@code params}. */
  public Adam(LstmParams params) {
    this(params, DEFAULT_LEARNING_RATE, 0.9, 0.999, 1e-8);
  }

  public Adam(LstmParams params, double learningRate, double beta1, double beta2, double epsilon) {
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.firstMoment = LstmGradients.zerosLike(params);
    this.secondMoment = LstmGradients.zerosLike(params);
  }

  /**
   * An optimizer written by {@link #writeTo}, for {@code params} (its moments must have the parameters' shape).
   *
   * @throws IOException when the input is truncated, of another format version, holds impossible hyper-parameters
   *                     or moments of another shape
   */
  public static Adam readFrom(DataInput in, LstmParams params) throws IOException {
    StateFormat.readVersion(in, FORMAT_VERSION, "Adam");
    double learningRate = in.readDouble();
    double beta1 = in.readDouble();
    double beta2 = in.readDouble();
    double epsilon = in.readDouble();
    long steps = in.readLong();
    StateFormat.require(learningRate > 0 && Double.isFinite(learningRate), "Adam: learning rate " + learningRate);
    StateFormat.require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam: β " + beta1 + ", " + beta2);
    StateFormat.require(epsilon >= 0 && Double.isFinite(epsilon), "Adam: ε " + epsilon);
    StateFormat.require(steps >= 0, "Adam: step count " + steps);
    Adam adam = new Adam(params, learningRate, beta1, beta2, epsilon);
    adam.firstMoment.readValues(in, "Adam first moment");
    adam.secondMoment.readValues(in, "Adam second moment");
    adam.steps = steps;
    return adam;
  }

  /** Writes the hyper-parameters, the step count and both moments. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    out.writeDouble(learningRate);
    out.writeDouble(beta1);
    out.writeDouble(beta2);
    out.writeDouble(epsilon);
    out.writeLong(steps);
    firstMoment.writeTo(out);
    secondMoment.writeTo(out);
  }

  public double learningRate() {
    return learningRate;
  }

  /** Changes the learning rate from the next step on (an operator's decision; the moments are kept). */
  public void learningRate(double rate) {
    if (!(rate > 0) || !Double.isFinite(rate)) {
      throw new IllegalArgumentException("learning rate must be positive and finite: " + rate);
    }
    this.learningRate = rate;
  }

  /** How many updates have been applied. */
  public long steps() {
    return steps;
  }

  /** Applies one update to {@code params} from {@code gradients} (both shaped like this optimizer's state). */
  public void step(LstmParams params, LstmGradients gradients) {
    params.requireSameShape(firstMoment);
    gradients.requireSameShape(firstMoment);
    steps++;
    double correction1 = 1 - Math.pow(beta1, steps);
    double correction2 = 1 - Math.pow(beta2, steps);
    List<INDArray> p = params.tensors();
    List<INDArray> g = gradients.tensors();
    List<INDArray> m = firstMoment.tensors();
    List<INDArray> v = secondMoment.tensors();
    for (int k = 0; k < p.size(); k++) {
      Vec pk = Vec.of(p.get(k));
      Vec gk = Vec.of(g.get(k));
      Vec mk = Vec.of(m.get(k));
      Vec vk = Vec.of(v.get(k));
      if (pk instanceof Vec.FloatVec pf && gk instanceof Vec.FloatVec gf && mk instanceof Vec.FloatVec mf
          && vk instanceof Vec.FloatVec vf) {
        stepFloat(pf, gf, mf, vf, correction1, correction2);
        continue;
      }
      for (int i = 0, n = pk.length(); i < n; i++) {
        double grad = gk.get(i);
        double mi = beta1 * mk.get(i) + (1 - beta1) * grad;
        double vi = beta2 * vk.get(i) + (1 - beta2) * grad * grad;
        mk.set(i, mi);
        vk.set(i, vi);
        pk.set(i, pk.get(i) - learningRate * (mi / correction1) / (Math.sqrt(vi / correction2) + epsilon));
      }
    }
  }

  /**
   * The same update for float tensors, in blocks copied to plain arrays: a loop over arrays with float arithmetic
   * is compiled to SIMD instructions, a loop of buffer calls is not (measured: the update was as costly as the
   * LSTM cell's forward pass before).
   */
  private void stepFloat(Vec.FloatVec p, Vec.FloatVec g, Vec.FloatVec m, Vec.FloatVec v, double correction1,
                         double correction2) {
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float c1 = (float) (1 - beta1);
    float c2 = (float) (1 - beta2);
    float stepSize = (float) (learningRate / correction1);
    float rootCorrection = (float) Math.sqrt(correction2);
    float eps = (float) epsilon;
    for (int from = 0, n = p.length(); from < n; from += BLOCK) {
      int count = Math.min(BLOCK, n - from);
      p.read(from, blockP, count);
      g.read(from, blockG, count);
      m.read(from, blockM, count);
      v.read(from, blockV, count);
      for (int i = 0; i < count; i++) {
        float grad = blockG[i];
        float mi = b1 * blockM[i] + c1 * grad;
        float vi = b2 * blockV[i] + c2 * grad * grad;
        blockM[i] = mi;
        blockV[i] = vi;
        // lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1^t), √v̂ = √v/√(1−β2^t)
        blockP[i] -= stepSize * mi / ((float) Math.sqrt(vi) / rootCorrection + eps);
      }
      p.write(from, blockP, count);
      m.write(from, blockM, count);
      v.write(from, blockV, count);
    }
  }

  /** Grows the moment estimates by one vocabulary id (zeros), to follow parameters that grew. */
  public void growVocabulary() {
    firstMoment.growVocabulary();
    secondMoment.growVocabulary();
  }

  /** The moment estimates' vocabulary size, which must track the parameters'. */
  public int vocabularySize() {
    return firstMoment.vocabularySize();
  }
}
