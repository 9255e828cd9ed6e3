package io.rill.ops;

/** JMX view of the rill node as a whole, {@code rill:type=Node}. */
public interface NodeMBean {

    long getUptimeSeconds();

    /** {@code embedded} when rill runs its own KRaft broker, {@code external} when it joined a cluster. */
    String getBrokerMode();

    String getBootstrapServers();

    /** Number of (topic, partition) ingest streams this node consumes. */
    int getStreams();

    /** The streams as {@code topic-partition}. */
    String[] getStreamNames();

    /** Times the Kafka source was restarted after a failure (broker outage, commit failure). */
    @Counter
    long getIngestRestarts();

    /** Milliseconds the embedded broker took to start; -1 in external mode. */
    long getBrokerStartMillis();

    /**
     * A random id of this run of the node, also written to {@code <data-dir>/instance-id}: a client that reads the same
     * id there shares the node's disk (the export commands then let the node write the file itself).
     */
    String getInstanceId();

    /** The node's data directory, as an absolute path on the node's machine. */
    String getDataDirectory();

    /** Where the node serves /metrics, /health and its downloads ({@code host:port}); empty when rill.http is off. */
    String getHttpAddress();
}
