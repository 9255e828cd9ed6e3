package io.rill.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * rill's MBeans on the platform MBean server, all under the domain {@code rill}. Remembers what it registered so
 * that a node (or a test that starts several nodes in one JVM) unregisters exactly its own beans on close.
 */
public final class Jmx implements AutoCloseable {

    public static final String DOMAIN = "rill";
    private static final Logger log = LoggerFactory.getLogger(Jmx.class);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<ObjectName> registered = new CopyOnWriteArrayList<>();

    public static ObjectName nodeName() {
        return name("type=Node");
    }

    public static ObjectName deadLettersName() {
        return name("type=DeadLetters");
    }

    public static ObjectName ingestName(String topic, int partition) {
        // Kafka's legal topic characters never need quoting; anything else is quoted rather than refused.
        String value = topic.matches("[A-Za-z0-9._-]+") ? topic : ObjectName.quote(topic);
        return name("type=Ingest,topic=" + value + ",partition=" + partition);
    }

    public static ObjectName name(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("bad JMX name properties: " + properties, e);
        }
    }

    /**
     * Registers {@code bean} under {@code name}, exposing exactly the interface {@code view}; replaces a bean left
     * under the same name (a restarted node in the same JVM).
     */
    public <T> void register(T bean, Class<T> view, ObjectName name) {
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new StandardMBean(bean, view), name);
            registered.add(name);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + name, e);
        }
    }

    @Override
    public void close() {
        for (ObjectName name : registered) {
            try {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            } catch (JMException e) {
                log.warn("cannot unregister {}: {}", name, e.toString());
            }
        }
        registered.clear();
    }
}
