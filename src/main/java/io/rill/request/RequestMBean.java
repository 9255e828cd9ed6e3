package io.rill.request;

import io.rill.ops.Counter;

/**
 * The JMX view every kind of request has (as {@code rill:type=Generation}, {@code rill:type=Classification},
 * {@code rill:type=Translation}): requests read, replies and error replies written (one counter per error code), and
 * a request's whole trip from its Kafka timestamp to its reply being sent.
 */
public interface RequestMBean {

    @Counter
    long getRequests();

    @Counter
    long getReplies();

    @Counter
    long getErrorReplies();

    /** Error replies by code, e.g. "bad-temperature=3 not-json=1". */
    String getErrorsByCode();

    double getRequestLatencyP50Millis();

    double getRequestLatencyP99Millis();

    /** Operation: starts the latency percentiles afresh (they cover everything since the start or the last reset). */
    void resetLatencies();
}
