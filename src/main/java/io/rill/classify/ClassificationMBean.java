package io.rill.classify;

import io.rill.ops.Counter;
import io.rill.request.RequestMBean;

/**
 * JMX view of classification, {@code rill:type=Classification}: what every kind of request shows (requests read,
 * replies and error replies, one counter per error code, a request's trip from its Kafka timestamp to the reply),
 * and how long classifying alone took.
 */
public interface ClassificationMBean extends RequestMBean {

    @Counter
    long getSentencesClassified();

    double getClassifyLatencyP50Millis();

    double getClassifyLatencyP99Millis();

    /** Progress messages published on the progress topic, and publications that failed. */
    @Counter
    long getProgressMessages();

    @Counter
    long getPublishFailures();
}
