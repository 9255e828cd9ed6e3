package io.rill.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * rill's MBeans on the platform MBean server, all under the domain {@code rill}. Remembers what it registered so
 * that a node (or a test that starts several nodes in one JVM) unregisters exactly its own beans on close.
 *
 * <p>With a Micrometer registry, every bean registered here also appears there ({@link MeterBridge}): its numeric
 * attributes become meters that read the same getters, so JMX and Prometheus show one set of figures. A bean
 * registered later (a model started afterwards, a new stream) appears in both at once, and leaves both together.
 */
public final class Jmx implements AutoCloseable {

    public static final String DOMAIN = "rill";
    private static final Logger log = LoggerFactory.getLogger(Jmx.class);

    /** A bean this registry registered: its name, the object, and the interface JMX shows of it. */
    public record Registered(ObjectName name, Object bean, Class<?> view) {

        /** The value of the name's key {@code key} (unquoted), if it has one. */
        public Optional<String> key(String key) {
            return Optional.ofNullable(name.getKeyProperty(key)).map(MeterBridge::unquote);
        }
    }

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final MeterRegistry meters;
    private final Map<ObjectName, Registered> registered = new ConcurrentHashMap<>();
    private final Map<ObjectName, List<Meter>> bound = new ConcurrentHashMap<>();

    /** JMX only. */
    public Jmx() {
        this(null);
    }

    /** JMX, and every bean's numeric attributes in {@code meters} too (null: JMX only). */
    public Jmx(MeterRegistry meters) {
        this.meters = meters;
    }

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
            registered.put(name, new Registered(name, bean, view));
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + name, e);
        }
        if (meters != null) {
            unbind(name);
            try {
                bound.put(name, MeterBridge.bind(meters, bean, view, name));
            } catch (RuntimeException e) {
                // A bean whose attributes clash with another's meters is still on JMX; say why it is not on /metrics.
                log.warn("{} is on JMX but not among the metrics: {}", name, e.toString());
            }
        }
    }

    /** What this registry has registered, sorted by name. */
    public List<Registered> registered() {
        return registered.values().stream().sorted(Comparator.comparing(r -> r.name().toString())).toList();
    }

    private void unbind(ObjectName name) {
        List<Meter> old = bound.remove(name);
        if (old != null && meters != null) {
            old.forEach(meters::remove);
        }
    }

    @Override
    public void close() {
        for (ObjectName name : registered.keySet()) {
            try {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            } catch (JMException e) {
                log.warn("cannot unregister {}: {}", name, e.toString());
            }
            unbind(name);
        }
        registered.clear();
    }
}
