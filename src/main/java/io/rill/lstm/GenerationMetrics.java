package io.rill.lstm;

import io.rill.ops.Histogram;
import io.rill.request.RequestMetrics;
import java.util.concurrent.atomic.LongAdder;


/**
 * Node-wide figures of generation: what every kind of request has ({@link RequestMetrics}), and the samples drawn,
 * the time sampling took and the progress stream. The request path and the generators write, JMX reads.
 */
public final class GenerationMetrics extends RequestMetrics implements GenerationMBean {

    private final LongAdder samples = new LongAdder();
    private final Histogram samplingLatency = new Histogram(20_000);
    private final LongAdder passes = new LongAdder();
    private final LongAdder passRequests = new LongAdder();
    private final LongAdder progressMessages = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();

    /** A generator answered a request with {@code sampleCount} samples, drawn in {@code nanos}. */
    public void sampled(int sampleCount, long nanos) {
        samples.add(sampleCount);
        samplingLatency.record(Math.round(nanos / 1e6 / UNIT_MILLIS));
    }

    /** A generator answered {@code requests} requests in one sampling pass. */
    public void pass(int requests) {
        passes.increment();
        passRequests.add(requests);
    }

    @Override
    public long getSamplingPasses() {
        return passes.sum();
    }

    @Override
    public double getRequestsPerPass() {
        long count = passes.sum();
        return count == 0 ? 0 : (double) passRequests.sum() / count;
    }

    public void progressPublished() {
        progressMessages.increment();
    }

    public void publishFailed() {
        publishFailures.increment();
    }

    @Override
    public long getSamplesGenerated() {
        return samples.sum();
    }

    @Override
    public double getSamplingLatencyP50Millis() {
        return millis(samplingLatency.percentile(0.50));
    }

    @Override
    public double getSamplingLatencyP99Millis() {
        return millis(samplingLatency.percentile(0.99));
    }

    @Override
    public long getProgressMessages() {
        return progressMessages.sum();
    }

    @Override
    public long getPublishFailures() {
        return publishFailures.sum();
    }

    @Override
    public void resetLatencies() {
        super.resetLatencies();
        samplingLatency.reset();
    }
}
