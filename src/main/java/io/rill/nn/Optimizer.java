package io.rill.nn;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Turns gradients into parameter updates, holding whatever per-tensor state it needs (moments, running averages)
 * shaped like the parameters. A parameter server owns one next to the parameters it serves and applies each arriving
 * gradient with {@link #step}; when the parameters grow by a group ({@link Tensors#grow}), the state follows with
 * {@link #padTo} (zeros for the new entries).
 *
 * <p>Binary state ({@link #writeTo}, read back with {@link Kind#readFrom}): hyper-parameters, the step count and
 * the per-tensor state, so training restored from a checkpoint goes on to the same bits.
 */
public interface Optimizer {

  /** The implementations, for a state whose kind is stored or configured next to it. */
  enum Kind {
    ADAM,
    ADADELTA,
    SGD;

    /** An optimizer of this kind written by {@link Optimizer#writeTo}, for {@code params} (its state's shape). */
    public Optimizer readFrom(DataInput in, Tensors params) throws IOException {
      return switch (this) {
        case ADAM -> Adam.readFrom(in, params);
        case ADADELTA -> Adadelta.readFrom(in, params);
        case SGD -> Sgd.readFrom(in, params);
      };
    }
  }

  Kind kind();

  /** Applies one update to {@code params} from {@code gradients}, both shaped like this optimizer's state. */
  void step(Tensors params, Tensors gradients);

  double learningRate();

  /** Changes the learning rate from the next step on (the per-tensor state is kept). */
  void learningRate(double rate);

  /** How many updates have been applied. */
  long steps();

  /** Grows the per-tensor state with zeros to the shapes of {@code params}, which grew ({@link Tensors#padTo}). */
  void padTo(Tensors params);

  /** Whether the per-tensor state has {@code params}' shape (always, for an optimizer without one). */
  boolean sameShapeAs(Tensors params);

  void writeTo(DataOutput out) throws IOException;

  /** Refuses a learning rate that is not positive and finite. */
  static double checkLearningRate(double rate) {
    if (!(rate > 0) || !Double.isFinite(rate)) {
      throw new IllegalArgumentException("learning rate must be positive and finite: " + rate);
    }
    return rate;
  }
}
