package io.rill.lstm;

import io.rill.ops.Counter;
import io.rill.request.RequestMBean;

/**
 * JMX view of generation, {@code rill:type=Generation}: what every kind of request shows (requests read, replies and
 * error replies written, one counter per error code, a request's whole trip from its Kafka timestamp to the reply
 * being sent), and the samples drawn, how long sampling alone took (a request's sampling pass, which it shares with
 * the requests answered with it) and how many requests a pass answers.
 */
public interface GenerationMBean extends RequestMBean {

    @Counter
    long getSamplesGenerated();

    double getSamplingLatencyP50Millis();

    double getSamplingLatencyP99Millis();

    /** Sampling passes the generators ran: each answers every request that was waiting for its generator. */
    long getSamplingPasses();

    /** Requests answered per sampling pass, on average since the node started. */
    double getRequestsPerPass();

    /** Messages of the continuous generated-name stream published so far. */
    @Counter
    long getProgressMessages();

    /** Replies or progress messages that could not be written to Kafka. */
    @Counter
    long getPublishFailures();
}
