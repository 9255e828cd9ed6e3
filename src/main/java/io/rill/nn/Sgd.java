package io.rill.nn;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Plain stochastic gradient descent, p = p − lr · g: no per-tensor state, so parameters that grow need nothing from
 * it. Binary state: format version (an int), learning rate, step count.
 */
public final class Sgd implements Optimizer {

  static final int FORMAT_VERSION = 1;

  private double learningRate;
  private long steps;

  public Sgd(double learningRate) {
    this.learningRate = Optimizer.checkLearningRate(learningRate);
  }

  /** An optimizer written by {@link #writeTo}; {@code params} is unused (there is no per-tensor state). */
  public static Sgd readFrom(DataInput in, Tensors params) throws IOException {
    StateFormat.readIntVersion(in, FORMAT_VERSION, "SGD");
    double learningRate = in.readDouble();
    long steps = in.readLong();
    StateFormat.require(learningRate > 0 && Double.isFinite(learningRate), "SGD: learning rate " + learningRate);
    StateFormat.require(steps >= 0, "SGD: step count " + steps);
    Sgd sgd = new Sgd(learningRate);
    sgd.steps = steps;
    return sgd;
  }

  @Override
  public Kind kind() {
    return Kind.SGD;
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    out.writeDouble(learningRate);
    out.writeLong(steps);
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
  }

  @Override
  public boolean sameShapeAs(Tensors params) {
    return true;
  }

  @Override
  public void step(Tensors params, Tensors gradients) {
    params.requireSameShape(gradients);
    steps++;
    for (int k = 0; k < params.count(); k++) {
      Vec p = Vec.of(params.get(k));
      Vec g = Vec.of(gradients.get(k));
      for (int i = 0, n = p.length(); i < n; i++) {
        p.set(i, p.get(i) - learningRate * g.get(i));
      }
    }
  }
}
