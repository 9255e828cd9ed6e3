package io.rill.nn;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The Adadelta optimizer (Zeiler 2012), exactly as PyTorch's {@code torch.optim.Adadelta} computes it: per entry a
 * running average of squared gradients and one of squared updates, whose ratio sets each entry's step size, so there
 * is no learning rate to tune (Kim's sentence CNN trains with it, ρ 0.95).
 *
 * <pre>
 *   s = ρ·s + (1 − ρ)·g²
 *   Δ = √(u + ε) / √(s + ε) · g
 *   u = ρ·u + (1 − ρ)·Δ²
 *   p = p − lr · Δ
 * </pre>
 *
 * <p>Binary state ({@link #writeTo} / {@link #readFrom}): format version (an int), learning rate, ρ, ε, step count,
 * then s and u as {@link Tensors#writeTo} writes them.
 */
public final class Adadelta implements Optimizer {

  static final int FORMAT_VERSION = 1;

  public static final double DEFAULT_LEARNING_RATE = 1.0;
  public static final double DEFAULT_RHO = 0.95;
  public static final double DEFAULT_EPSILON = 1e-6;

  private double learningRate;
  private final double rho;
  private final double epsilon;
  private final Tensors squaredGradients;
  private final Tensors squaredUpdates;
  private long steps;
  private static final int BLOCK = 4096;
  private final float[] blockP = new float[BLOCK];
  private final float[] blockG = new float[BLOCK];
  private final float[] blockS = new float[BLOCK];
  private final float[] blockU = new float[BLOCK];

  /** Adadelta with learning rate 1, ρ 0.95 and ε 1e-6, for {@code params}. */
  public Adadelta(Tensors params) {
    this(params, DEFAULT_LEARNING_RATE, DEFAULT_RHO, DEFAULT_EPSILON);
  }

  public Adadelta(Tensors params, double learningRate, double rho, double epsilon) {
    this.learningRate = Optimizer.checkLearningRate(learningRate);
    if (!(rho >= 0 && rho < 1) || !(epsilon > 0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException("Adadelta needs ρ in [0, 1) and a finite ε > 0: " + rho + ", " + epsilon);
    }
    this.rho = rho;
    this.epsilon = epsilon;
    this.squaredGradients = params.zerosLike();
    this.squaredUpdates = params.zerosLike();
  }

  /**
   * An optimizer written by {@link #writeTo}, for {@code params} (its averages must have the parameters' shape).
   *
   * @throws IOException when the input is truncated, of another format version, holds impossible hyper-parameters
   *                     or averages of another shape
   */
  public static Adadelta readFrom(DataInput in, Tensors params) throws IOException {
    StateFormat.readIntVersion(in, FORMAT_VERSION, "Adadelta");
    double learningRate = in.readDouble();
    double rho = in.readDouble();
    double epsilon = in.readDouble();
    long steps = in.readLong();
    StateFormat.require(learningRate > 0 && Double.isFinite(learningRate), "Adadelta: learning rate " + learningRate);
    StateFormat.require(rho >= 0 && rho < 1, "Adadelta: ρ " + rho);
    StateFormat.require(epsilon > 0 && Double.isFinite(epsilon), "Adadelta: ε " + epsilon);
    StateFormat.require(steps >= 0, "Adadelta: step count " + steps);
    Adadelta adadelta = new Adadelta(params, learningRate, rho, epsilon);
    adadelta.squaredGradients.readValues(in, "Adadelta squared gradients");
    adadelta.squaredUpdates.readValues(in, "Adadelta squared updates");
    adadelta.steps = steps;
    return adadelta;
  }

  @Override
  public Kind kind() {
    return Kind.ADADELTA;
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    out.writeDouble(learningRate);
    out.writeDouble(rho);
    out.writeDouble(epsilon);
    out.writeLong(steps);
    squaredGradients.writeTo(out);
    squaredUpdates.writeTo(out);
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

  @Override
  public void padTo(Tensors params) {
    squaredGradients.padTo(params);
    squaredUpdates.padTo(params);
  }

  @Override
  public boolean sameShapeAs(Tensors params) {
    return squaredGradients.sameShapeAs(params);
  }

  @Override
  public void step(Tensors params, Tensors gradients) {
    squaredGradients.requireSameShape(params);
    squaredGradients.requireSameShape(gradients);
    steps++;
    for (int k = 0; k < params.count(); k++) {
      Vec pk = Vec.of(params.get(k));
      Vec gk = Vec.of(gradients.get(k));
      Vec sk = Vec.of(squaredGradients.get(k));
      Vec uk = Vec.of(squaredUpdates.get(k));
      if (pk instanceof Vec.FloatVec pf && gk instanceof Vec.FloatVec gf && sk instanceof Vec.FloatVec sf
          && uk instanceof Vec.FloatVec uf) {
        stepFloat(pf, gf, sf, uf);
        continue;
      }
      for (int i = 0, n = pk.length(); i < n; i++) {
        double grad = gk.get(i);
        double s = rho * sk.get(i) + (1 - rho) * grad * grad;
        double delta = Math.sqrt(uk.get(i) + epsilon) / Math.sqrt(s + epsilon) * grad;
        sk.set(i, s);
        uk.set(i, rho * uk.get(i) + (1 - rho) * delta * delta);
        pk.set(i, pk.get(i) - learningRate * delta);
      }
    }
  }

  /** The same update in float, over blocks copied to plain arrays (a loop the JIT vectorises; see {@link Adam}). */
  private void stepFloat(Vec.FloatVec p, Vec.FloatVec g, Vec.FloatVec s, Vec.FloatVec u) {
    float r = (float) rho;
    float c = (float) (1 - rho);
    float eps = (float) epsilon;
    float lr = (float) learningRate;
    for (int from = 0, n = p.length(); from < n; from += BLOCK) {
      int count = Math.min(BLOCK, n - from);
      p.read(from, blockP, count);
      g.read(from, blockG, count);
      s.read(from, blockS, count);
      u.read(from, blockU, count);
      for (int i = 0; i < count; i++) {
        float grad = blockG[i];
        float si = r * blockS[i] + c * grad * grad;
        float delta = (float) Math.sqrt(blockU[i] + eps) / (float) Math.sqrt(si + eps) * grad;
        blockS[i] = si;
        blockU[i] = r * blockU[i] + c * delta * delta;
        blockP[i] -= lr * delta;
      }
      p.write(from, blockP, count);
      s.write(from, blockS, count);
      u.write(from, blockU, count);
    }
  }
}
