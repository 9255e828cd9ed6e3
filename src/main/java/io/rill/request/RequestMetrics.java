package io.rill.request;

import io.rill.ops.Histogram;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Node-wide figures of one kind of request; the request path writes them, JMX reads them. A kind with more to show
 * (generation's samples and sampling time) extends it.
 */
public class RequestMetrics implements RequestMBean {

    /** Latencies are kept in tenths of a millisecond, exact up to 2 s. */
    protected static final double UNIT_MILLIS = 0.1;

    private final LongAdder requests = new LongAdder();
    private final LongAdder replies = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Histogram requestLatency = new Histogram(20_000);

    public void request() {
        requests.increment();
    }

    public void replied() {
        replies.increment();
    }

    public void error(String code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    public long errors(String code) {
        LongAdder count = errors.get(code);
        return count == null ? 0 : count.sum();
    }

    /** A reply or error reply was written {@code millis} after its request's Kafka timestamp. */
    public void answered(long millis) {
        requestLatency.record(Math.round(millis / UNIT_MILLIS));
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
    public double getRequestLatencyP50Millis() {
        return millis(requestLatency.percentile(0.50));
    }

    @Override
    public double getRequestLatencyP99Millis() {
        return millis(requestLatency.percentile(0.99));
    }

    @Override
    public void resetLatencies() {
        requestLatency.reset();
    }

    protected static double millis(long units) {
        return units < 0 ? Double.NaN : units * UNIT_MILLIS;
    }
}
