package io.rill.classify;

import io.rill.ops.Histogram;
import io.rill.request.RequestMetrics;
import java.util.concurrent.atomic.LongAdder;

/** Node-wide figures of classification; the request path, the classifiers and the reporters write, JMX reads. */
public final class ClassificationMetrics extends RequestMetrics implements ClassificationMBean {

    private final LongAdder classified = new LongAdder();
    private final Histogram latency = new Histogram(20_000);
    private final LongAdder progress = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();

    public void classified(long nanos) {
        classified.increment();
        latency.record(Math.round(nanos / 1e6 / UNIT_MILLIS));
    }

    public void progressPublished() {
        progress.increment();
    }

    public void publishFailed() {
        publishFailures.increment();
    }

    @Override
    public long getSentencesClassified() {
        return classified.sum();
    }

    @Override
    public double getClassifyLatencyP50Millis() {
        return millis(latency.percentile(0.50));
    }

    @Override
    public double getClassifyLatencyP99Millis() {
        return millis(latency.percentile(0.99));
    }

    @Override
    public long getProgressMessages() {
        return progress.sum();
    }

    @Override
    public long getPublishFailures() {
        return publishFailures.sum();
    }

    @Override
    public void resetLatencies() {
        super.resetLatencies();
        latency.reset();
    }
}
