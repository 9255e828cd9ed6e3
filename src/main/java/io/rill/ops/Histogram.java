package io.rill.ops;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts of small non-negative integers (staleness in versions, latencies in milliseconds) in one bucket per
 * value up to a bound, the last bucket holding everything above it; percentiles are exact below the bound.
 * Thread-safe: writers increment, readers scan.
 */
public final class Histogram {

    private final AtomicLongArray buckets;

    public Histogram(int maxExact) {
        this.buckets = new AtomicLongArray(maxExact + 2);
    }

    public void record(long value) {
        int bucket = (int) Math.min(Math.max(0, value), buckets.length() - 1);
        buckets.incrementAndGet(bucket);
    }

    /** Forgets everything recorded (for operators who measure one period at a time). */
    public void reset() {
        for (int i = 0; i < buckets.length(); i++) {
            buckets.set(i, 0);
        }
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) {
            n += buckets.get(i);
        }
        return n;
    }

    /** The smallest value v with at least p of the recorded values ≤ v; -1 when empty. */
    public long percentile(double p) {
        long total = count();
        if (total == 0) {
            return -1;
        }
        long wanted = (long) Math.ceil(p * total);
        long seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= Math.max(1, wanted)) {
                return i;
            }
        }
        return buckets.length() - 1;
    }
}
