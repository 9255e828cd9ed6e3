package io.rill.translate;

import io.rill.ops.Counter;
import io.rill.request.RequestMBean;

/**
 * JMX view of translation requests, {@code rill:type=Translation}: what every kind of request shows (requests,
 * replies and error replies by code, a request's whole trip from its Kafka timestamp to its reply), and the
 * translations made, how long decoding alone took, the unknown source words met, and the progress stream.
 */
public interface TranslationMBean extends RequestMBean {

    @Counter
    long getTranslations();

    double getDecodingLatencyP50Millis();

    double getDecodingLatencyP99Millis();

    /** Source words of requests that their model did not know (each read as the unknown-word symbol). */
    @Counter
    long getUnknownWords();

    /** Progress messages published so far, by every attention model of the node. */
    @Counter
    long getProgressMessages();

    /** Progress messages that could not be written to Kafka. */
    @Counter
    long getPublishFailures();
}
