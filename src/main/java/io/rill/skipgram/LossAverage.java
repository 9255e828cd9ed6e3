package io.rill.skipgram;

import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A moving average of the SGNS loss per pair, fed with the summed loss of each batch that
 * {@link SgnsKernel} returns. Exponential, with a horizon counted in pairs rather than batches,
 * so that the smoothing does not depend on how the stream was cut into batches.
 */
public final class LossAverage {
    private static final int FORMAT = 1; // of writeTo's data

    private final double horizonPairs;
    private double average = Double.NaN;

    /** @param horizonPairs pairs over which older losses fade to 1/e of their weight */
    public LossAverage(double horizonPairs) {
        if (!(horizonPairs > 0)) throw new IllegalArgumentException("horizonPairs " + horizonPairs);
        this.horizonPairs = horizonPairs;
    }

    public void add(double batchLossSum, int pairs) {
        if (pairs <= 0) return;
        double mean = batchLossSum / pairs;
        if (Double.isNaN(average)) {
            average = mean;
        } else {
            average += (mean - average) * -Math.expm1(-pairs / horizonPairs);
        }
    }

    /** Mean loss per pair lately; NaN before the first batch. */
    public double value() {
        return average;
    }

    /** Writes the average (the horizon is configuration); {@link #readFrom} restores it. */
    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeDouble(average);
    }

    public static LossAverage readFrom(DataInput in, double horizonPairs) throws IOException {
        StateFormat.readVersion(in, "loss average", FORMAT);
        LossAverage restored = new LossAverage(horizonPairs);
        restored.average = in.readDouble();
        return restored;
    }
}
