package io.rill.loadtest;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The harness's view of one rill node: a remote JMX connection to it (the node runs with
 * {@code rill.jmx.remote.enabled} on a loopback port) and the figures the harnesses read: the ingest streams'
 * counts and committed offsets, the checkpoint bean, dead letters, generation, the node bean, the JVM's heap, any
 * bean's attributes (the character model's, the cluster's) and the CPU by thread group. Every call is bounded by the
 * RMI response timeout the harness JVM runs with (faults.sh and cluster-bench.sh set it); a node that was killed makes
 * calls fail with an {@link IOException}.
 */
final class NodeJmx implements AutoCloseable {

    static final ObjectName CHECKPOINTS = name("rill:type=Checkpoints");
    static final ObjectName DEAD_LETTERS = name("rill:type=DeadLetters");
    static final ObjectName GENERATION = name("rill:type=Generation");
    static final ObjectName NODE = name("rill:type=Node");
    /** Registered only on a node with rill.cluster.enabled. */
    static final ObjectName CLUSTER = name("rill:type=Cluster");
    static final ObjectName MEMORY = name("java.lang:type=Memory");
    private static final ObjectName INGEST = name("rill:type=Ingest,*");

    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private NodeJmx(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Connects to the node's JMX port, retrying until it answers, then waits until the learners' beans are there
     * ({@code rill:type=Generation} is registered once the node has restored its checkpoint and started its
     * models). Fails if {@code node} ends first or the deadline passes.
     */
    static NodeJmx connect(int port, ChildProcess node, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JMXServiceURL url;
        try {
            url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
        NodeJmx jmx = null;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!node.alive()) {
                throw new IllegalStateException(node.name() + " ended (exit " + node.exitCode() + ") while starting; see "
                        + node.log());
            }
            try {
                if (jmx == null) {
                    jmx = new NodeJmx(JMXConnectorFactory.connect(url));
                }
                if (jmx.server.isRegistered(GENERATION)) {
                    return jmx;
                }
            } catch (IOException | RuntimeException e) {
                last = e;
                if (jmx != null) {
                    jmx.close();
                    jmx = null;
                }
            }
            Thread.sleep(200);
        }
        if (jmx != null) {
            jmx.close();
        }
        throw new IllegalStateException(node.name() + " did not come up on JMX port " + port + " within "
                + timeout.toSeconds() + " s" + (last != null ? " (last error: " + last + ")" : ""), last);
    }

    /** One partition's stream as its bean shows it. */
    record Stream(String topic, int partition, long recordsIn, long lastCommittedOffset, long consumerLag,
                  long deadLettered) {
    }

    /** Every ingest stream's bean, keyed "topic-partition", sorted. */
    Map<String, Stream> streams() throws Exception {
        Map<String, Stream> streams = new TreeMap<>();
        String[] attributes = {"RecordsIn", "LastCommittedOffset", "ConsumerLag", "DeadLettered"};
        for (ObjectName bean : server.queryNames(INGEST, null)) {
            Map<String, Object> values = values(server.getAttributes(bean, attributes));
            String topic = bean.getKeyProperty("topic");
            int partition = Integer.parseInt(bean.getKeyProperty("partition"));
            streams.put(topic + "-" + partition, new Stream(topic, partition, asLong(values.get("RecordsIn")),
                    asLong(values.get("LastCommittedOffset")), asLong(values.get("ConsumerLag")),
                    asLong(values.get("DeadLettered"))));
        }
        return streams;
    }

    /** The sum of RecordsIn over every ingest stream. */
    long recordsIn() throws Exception {
        return streams().values().stream().mapToLong(Stream::recordsIn).sum();
    }

    long checkpoints(String attribute) throws Exception {
        return asLong(server.getAttribute(CHECKPOINTS, attribute));
    }

    /** The bean of one character model. */
    static ObjectName charModel(String model) {
        return name("rill:type=CharModel,model=" + model);
    }

    /** Several attributes of one bean in one round trip, by name; an attribute the bean lacks is left out. */
    Map<String, Object> attributes(ObjectName bean, String... attributes) throws Exception {
        return values(server.getAttributes(bean, attributes));
    }

    /** Where the node's CPU has gone so far, by thread group: take one before a phase and one after. */
    CpuSnapshot cpu() throws IOException {
        return CpuSnapshot.take(server);
    }

    Object attribute(ObjectName bean, String attribute) throws Exception {
        return server.getAttribute(bean, attribute);
    }

    long longAttribute(ObjectName bean, String attribute) throws Exception {
        return asLong(server.getAttribute(bean, attribute));
    }

    /** Every readable attribute of the dead-letter bean, as numbers. */
    Map<String, Long> deadLetters() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        String[] attributes = {"Total", "NullValue", "Empty", "MalformedUtf8", "TooLarge", "ControlCharacter",
                "WriteFailures"};
        values(server.getAttributes(DEAD_LETTERS, attributes)).forEach((k, v) -> counts.put(k, asLong(v)));
        return counts;
    }

    /** Heap used and the heap's limit (max), in bytes, from the JVM's own memory bean. */
    long[] heap() throws Exception {
        CompositeData usage = (CompositeData) server.getAttribute(MEMORY, "HeapMemoryUsage");
        return new long[] {(Long) usage.get("used"), (Long) usage.get("max"), (Long) usage.get("committed")};
    }

    String invoke(ObjectName bean, String operation) throws Exception {
        return String.valueOf(server.invoke(bean, operation, new Object[0], new String[0]));
    }

    private static Map<String, Object> values(AttributeList list) {
        Map<String, Object> values = new HashMap<>();
        for (Attribute a : list.asList()) {
            values.put(a.getName(), a.getValue());
        }
        return values;
    }

    private static long asLong(Object value) {
        return value == null ? -1 : ((Number) value).longValue();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException | RuntimeException e) {
            // a killed node: nothing to close politely
        }
    }
}
