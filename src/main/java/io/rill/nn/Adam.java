package io.rill.nn;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The Adam optimizer (Kingma &amp; Ba 2015): first and second moment estimates shaped like the parameters, and the
 * step count their bias corrections depend on.
 *
 * <pre>
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²
 *   p = p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 * </pre>
 *
 * One fused loop per tensor: the update touches each entry once instead of going through a chain of array ops.
 *
 * <p>Binary state ({@link #writeTo} / {@link #readFrom}): format version (an int), learning rate, β1, β2, ε, step
 * count, then the first and second moments as {@link Tensors#writeTo} writes them. The step count is part of it
 * because the bias corrections depend on it: restoring moments without it would change every later update.
 */
public final class Adam implements Optimizer {

  /** Version of the binary state {@link #writeTo} writes; 1 held the character model's own tensor layout. */
  static final int FORMAT_VERSION = 2;

  public static final double DEFAULT_LEARNING_RATE = 2e-3;

  private double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final Tensors firstMoment;
  private final Tensors secondMoment;
  private long steps;
  private static final int BLOCK = 4096;
  private final float[] blockP = new float[BLOCK];
  private final float[] blockG = new float[BLOCK];
  private final float[] blockM = new float[BLOCK];
  private final float[] blockV = new float[BLOCK];

  /** Adam with the usual constants (β1 0.9, β2 0.999, ε 1e-8) and learning rate 2e-3, for {@code params}. */
  public Adam(Tensors params) {
    this(params, DEFAULT_LEARNING_RATE, 0.9, 0.999, 1e-8);
  }

  public Adam(Tensors params, double learningRate, double beta1, double beta2, double epsilon) {
    this(learningRate, beta1, beta2, epsilon, params.zerosLike(), params.zerosLike());
  }

  private Adam(double learningRate, double beta1, double beta2, double epsilon, Tensors firstMoment,
               Tensors secondMoment) {
    this.learningRate = Optimizer.checkLearningRate(learningRate);
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1) || !(epsilon >= 0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException("Adam needs β in [0, 1) and a finite ε ≥ 0: " + beta1 + ", " + beta2 + ", "
          + epsilon);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.firstMoment = firstMoment;
    this.secondMoment = secondMoment;
  }

  /**
   * An optimizer written by {@link #writeTo}, for {@code params} (its moments must have the parameters' shape).
   *
   * @throws IOException when the input is truncated, of another format version, holds impossible hyper-parameters
   *                     or moments of another shape
   */
  public static Adam readFrom(DataInput in, Tensors params) throws IOException {
    StateFormat.readIntVersion(in, FORMAT_VERSION, "Adam");
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

  @Override
  public Kind kind() {
    return Kind.ADAM;
  }

  /** Writes the hyper-parameters, the step count and both moments. */
  @Override
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

  @Override
  public double learningRate() {
    return learningRate;
  }

  @Override
  public void learningRate(double rate) {
    this.learningRate = Optimizer.checkLearningRate(rate);
  }

  @Override
  public long steps() {
    return steps;
  }

  /** The first moment estimates (read them, don't change them). */
  public Tensors firstMoment() {
    return firstMoment;
  }

  /** The second moment estimates (read them, don't change them). */
  public Tensors secondMoment() {
    return secondMoment;
  }

  @Override
  public void padTo(Tensors params) {
    firstMoment.padTo(params);
    secondMoment.padTo(params);
  }

  @Override
  public boolean sameShapeAs(Tensors params) {
    return firstMoment.sameShapeAs(params);
  }

  @Override
  public void step(Tensors params, Tensors gradients) {
    firstMoment.requireSameShape(params);
    firstMoment.requireSameShape(gradients);
    steps++;
    double correction1 = 1 - Math.pow(beta1, steps);
    double correction2 = 1 - Math.pow(beta2, steps);
    for (int k = 0; k < params.count(); k++) {
      Vec pk = Vec.of(params.get(k));
      Vec gk = Vec.of(gradients.get(k));
      Vec mk = Vec.of(firstMoment.get(k));
      Vec vk = Vec.of(secondMoment.get(k));
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
}
