package io.rill.ops;

import org.HdrHistogram.Recorder;

/**
 * Percentiles of non-negative integers (staleness in versions, latencies in tenths of a millisecond) over everything
 * recorded since the start or the last {@link #reset}: an HdrHistogram, recorded into without locks by any number of
 * threads ({@link Recorder}: wait-free), folded into a running total when read.
 *
 * <p>Precision: every value up to {@code exactUpTo} is counted exactly (the histogram keeps enough significant
 * digits for it), and larger ones to the same number of significant digits; nothing is sampled, so percentiles stay
 * exact however high the rate. (The hand-written bucket array this replaces clamped everything above its bound to
 * the bound: a backlog of 28 s read as 2 s.)
 */
public final class Histogram {

    private final Recorder recorder;
    private org.HdrHistogram.Histogram interval;
    private final org.HdrHistogram.Histogram total;

    /** @param exactUpTo the largest value that must be counted exactly (1024 versions, 20,000 tenths of a ms) */
    public Histogram(long exactUpTo) {
        int digits = significantDigits(exactUpTo);
        this.recorder = new Recorder(digits);
        this.total = new org.HdrHistogram.Histogram(digits);
    }

    /**
     * The fewest significant digits (at most 5) whose exact range reaches {@code exactUpTo}: HdrHistogram counts every
     * value below 2^ceil(log2(2 × 10^digits)) exactly.
     */
    static int significantDigits(long exactUpTo) {
        for (int digits = 1; digits < 5; digits++) {
            long exactBelow = Long.highestOneBit(2 * (long) Math.pow(10, digits) - 1) << 1;
            if (exactUpTo < exactBelow) {
                return digits;
            }
        }
        return 5;
    }

    public void record(long value) {
        recorder.recordValue(Math.max(0, value));
    }

    /** Forgets everything recorded (for operators who measure one period at a time). */
    public synchronized void reset() {
        recorder.reset();
        total.reset();
    }

    public synchronized long count() {
        return folded().getTotalCount();
    }

    /** The smallest value v with at least p of the recorded values ≤ v; -1 when empty. */
    public synchronized long percentile(double p) {
        org.HdrHistogram.Histogram h = folded();
        return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(p * 100);
    }

    /** The running total, with what was recorded since the last read folded in (called holding the lock). */
    private org.HdrHistogram.Histogram folded() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return total;
    }
}
