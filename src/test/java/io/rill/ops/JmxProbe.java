package io.rill.ops;

import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * A JMX client over TLS in a JVM of its own, for {@link RemoteJmxServerTest}: the JDK's TLS client socket factory
 * trusts the JVM's default trust store, fixed once per JVM, so each trust setup (the javax.net.ssl system
 * properties the test passes) needs a fresh JVM. Prints what happened; exits 0 when it could read an attribute.
 *
 * <p>Arguments: the JMX service URL, then a user and a password (or none).
 */
public final class JmxProbe {

    private JmxProbe() {
    }

    public static void main(String[] args) {
        Map<String, Object> env = new HashMap<>();
        env.put(RemoteJmxServer.REGISTRY_SOCKET_FACTORY, new SslRMIClientSocketFactory());
        if (args.length == 3) {
            env.put(JMXConnector.CREDENTIALS, new String[] {args[1], args[2]});
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(args[0]), env)) {
            Object uptime = connector.getMBeanServerConnection()
                    .getAttribute(new javax.management.ObjectName("java.lang:type=Runtime"), "Uptime");
            System.out.println("connected: uptime " + uptime);
            System.exit(0);
        } catch (Exception e) {
            System.out.println("refused: " + e);
            System.exit(1);
        }
    }
}
