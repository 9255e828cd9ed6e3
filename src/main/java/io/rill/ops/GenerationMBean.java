package io.rill.ops;

/**
 * JMX view of generation, {@code rill:type=Generation}: requests read, replies and error replies written (one
 * counter per error code), and latencies: sampling alone, and a request's whole trip from its Kafka timestamp to
 * the reply being sent.
 */
public interface GenerationMBean {

    long getRequests();

    long getReplies();

    long getErrorReplies();

    /** Error replies by code, e.g. "bad-temperature=3 not-json=1". */
    String getErrorsByCode();

    long getSamplesGenerated();

    double getSamplingLatencyP50Millis();

    double getSamplingLatencyP99Millis();

    double getRequestLatencyP50Millis();

    double getRequestLatencyP99Millis();

    /** Messages of the continuous generated-name stream published so far. */
    long getProgressMessages();

    /** Replies or progress messages that could not be written to Kafka. */
    long getPublishFailures();

    /** Operation: starts the latency percentiles afresh (they cover everything since the start or the last reset). */
    void resetLatencies();
}
