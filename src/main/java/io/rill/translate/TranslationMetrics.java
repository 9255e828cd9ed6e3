package io.rill.translate;

import io.rill.ops.Histogram;
import io.rill.request.RequestMetrics;
import java.util.concurrent.atomic.LongAdder;

/** Node-wide figures of translation requests: the request path and the translators write, JMX reads. */
public final class TranslationMetrics extends RequestMetrics implements TranslationMBean {

    private final LongAdder translations = new LongAdder();
    private final Histogram decodingLatency = new Histogram(20_000);
    private final LongAdder unknownWords = new LongAdder();
    private final LongAdder progressMessages = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();

    /** A translator answered a request whose text had {@code unknown} unknown words, decoded in {@code nanos}. */
    public void translated(int unknown, long nanos) {
        translations.increment();
        unknownWords.add(unknown);
        decodingLatency.record(Math.round(nanos / 1e6 / UNIT_MILLIS));
    }

    public void progressPublished() {
        progressMessages.increment();
    }

    public void publishFailed() {
        publishFailures.increment();
    }

    @Override
    public long getTranslations() {
        return translations.sum();
    }

    @Override
    public double getDecodingLatencyP50Millis() {
        return millis(decodingLatency.percentile(0.50));
    }

    @Override
    public double getDecodingLatencyP99Millis() {
        return millis(decodingLatency.percentile(0.99));
    }

    @Override
    public long getUnknownWords() {
        return unknownWords.sum();
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
        decodingLatency.reset();
    }
}
