package io.rill.ops;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/** Node-wide figures of generation; the request stream and the generators write, JMX reads. */
public final class GenerationMetrics implements GenerationMBean {

    /** Latencies are kept in tenths of a millisecond, exact up to 2 s. */
    private static final double UNIT_MILLIS = 0.1;

    private final LongAdder requests = new LongAdder();
    private final LongAdder replies = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder samples = new LongAdder();
    private final Histogram samplingLatency = new Histogram(20_000);
    private final Histogram requestLatency = new Histogram(20_000);
    private final LongAdder progressMessages = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();

    public void request() {
        requests.increment();
    }

    public void replied(int sampleCount) {
        replies.increment();
        samples.add(sampleCount);
    }

    public void error(String code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    public long errors(String code) {
        LongAdder count = errors.get(code);
        return count == null ? 0 : count.sum();
    }

    public void sampled(long nanos) {
        samplingLatency.record(Math.round(nanos / 1e6 / UNIT_MILLIS));
    }

    public void answered(long millis) {
        requestLatency.record(Math.round(millis / UNIT_MILLIS));
    }

    public void progressPublished() {
        progressMessages.increment();
    }

    public void publishFailed() {
        publishFailures.increment();
    }

    @Override
    public long getRequests() {
        return requests.sum();
    }

    @Override
    public long getReplies() {
        return replies.sum();
    }

    @Override
    public long getErrorReplies() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String getErrorsByCode() {
        return new TreeMap<>(errors).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().sum())
                .collect(Collectors.joining(" "));
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
    public double getRequestLatencyP50Millis() {
        return millis(requestLatency.percentile(0.50));
    }

    @Override
    public double getRequestLatencyP99Millis() {
        return millis(requestLatency.percentile(0.99));
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
        samplingLatency.reset();
        requestLatency.reset();
    }

    private static double millis(long units) {
        return units < 0 ? Double.NaN : units * UNIT_MILLIS;
    }
}
