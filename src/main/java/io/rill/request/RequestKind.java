package io.rill.request;

/**
 * A kind of request the node answers (generation, classification, translation): its name in logs, its topics and
 * limits, how one is read, and the metrics its path keeps (registered on JMX under {@code jmxName}). Every model
 * that answers this kind registers a handler for it; the node runs one {@link RequestService} per kind.
 */
public record RequestKind<R extends Request>(String name, RequestSettings settings, RequestReader<R> reader,
                                             RequestMetrics metrics, Class<?> mbeanInterface, String jmxName) {
}
