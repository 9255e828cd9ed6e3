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
    long getIngestRestarts();

    /** Milliseconds the embedded broker took to start; -1 in external mode. */
    long getBrokerStartMillis();
}
