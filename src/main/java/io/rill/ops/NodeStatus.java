package io.rill.ops;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node publishes about itself: its broker mode and the metrics of every ingest stream it runs. It also
 * registers each stream's MBean as the stream appears, so JMX always shows exactly the streams that exist.
 */
public final class NodeStatus implements NodeMBean {

    private final long startedAtMillis = System.currentTimeMillis();
    private final String brokerMode;
    private final String bootstrapServers;
    private final long brokerStartMillis;
    private final Jmx jmx;
    private final Map<String, IngestStreamMetrics> streams = new ConcurrentHashMap<>();
    private final AtomicLong ingestRestarts = new AtomicLong();
    private final DeadLetterCounters deadLetters = new DeadLetterCounters();
    private final String instanceId = java.util.UUID.randomUUID().toString();
    private volatile String dataDirectory = "";
    private volatile String httpAddress = "";

    public NodeStatus(String brokerMode, String bootstrapServers, long brokerStartMillis, Jmx jmx) {
        this.brokerMode = brokerMode;
        this.bootstrapServers = bootstrapServers;
        this.brokerStartMillis = brokerStartMillis;
        this.jmx = jmx;
        jmx.register(this, NodeMBean.class, Jmx.nodeName());
        jmx.register(deadLetters, DeadLettersMBean.class, Jmx.deadLettersName());
    }

    /** The metrics of a stream, created and registered with JMX on first use. */
    public IngestStreamMetrics stream(String topic, int partition) {
        return streams.computeIfAbsent(topic + "-" + partition, key -> {
            IngestStreamMetrics metrics = new IngestStreamMetrics(topic, partition);
            jmx.register(metrics, IngestStreamMBean.class, Jmx.ingestName(topic, partition));
            return metrics;
        });
    }

    public Collection<IngestStreamMetrics> streams() {
        return streams.values().stream()
                .sorted(Comparator.comparing(IngestStreamMetrics::topic).thenComparing(IngestStreamMetrics::partition))
                .toList();
    }

    public DeadLetterCounters deadLetters() {
        return deadLetters;
    }

    /** Where the node keeps its data (absolute), for {@link #getDataDirectory}. */
    public void dataDirectory(java.nio.file.Path directory) {
        this.dataDirectory = directory.toAbsolutePath().normalize().toString();
    }

    /** Where the node's HTTP endpoint listens, once it does. */
    public void httpAddress(String address) {
        this.httpAddress = address;
    }

    public void ingestRestarted() {
        ingestRestarts.incrementAndGet();
    }

    @Override
    public long getUptimeSeconds() {
        return (System.currentTimeMillis() - startedAtMillis) / 1000;
    }

    @Override
    public String getBrokerMode() {
        return brokerMode;
    }

    @Override
    public String getBootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public int getStreams() {
        return streams.size();
    }

    @Override
    public String[] getStreamNames() {
        return streams().stream().map(s -> s.topic() + "-" + s.partition()).toArray(String[]::new);
    }

    @Override
    public long getIngestRestarts() {
        return ingestRestarts.get();
    }

    @Override
    public long getBrokerStartMillis() {
        return brokerStartMillis;
    }

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public String getDataDirectory() {
        return dataDirectory;
    }

    @Override
    public String getHttpAddress() {
        return httpAddress;
    }
}
