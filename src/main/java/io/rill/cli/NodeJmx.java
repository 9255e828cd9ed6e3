package io.rill.cli;

import io.rill.node.RillSettings;
import io.rill.ops.RemoteJmxServer;
import io.rill.ops.RemoteJmxSettings;
import picocli.CommandLine.Option;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * How the query commands reach a running node: its remote JMX connector (on by default in {@code rill demo}; for
 * {@code rill run}, set {@code RILL_JMX_REMOTE=true}). The address comes from {@code --jmx} or the configuration;
 * so do the login ({@code rill.jmx.remote.client}) and whether to speak TLS ({@code rill.jmx.remote.ssl.enabled}).
 */
final class NodeJmx {

    @Option(names = "--jmx", paramLabel = "HOST:PORT",
            description = "The node's remote JMX address (default: rill.jmx.remote.host:port from the configuration).")
    String address;

    JMXConnector connect(RillSettings settings) throws IOException {
        RemoteJmxSettings jmx = settings.remoteJmx();
        String target = address != null ? address : jmx.host() + ":" + jmx.port();
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + target + "/jmxrmi");
        Map<String, Object> env = new HashMap<>();
        if (!jmx.clientUsername().isEmpty()) {
            env.put(JMXConnector.CREDENTIALS, new String[] {jmx.clientUsername(), jmx.clientPassword()});
        }
        if (jmx.ssl().enabled()) {
            // The registry speaks TLS too; the node's certificate is checked against the JVM's trust store
            // (-Djavax.net.ssl.trustStore=... in RILL_JAVA_OPTS for a self-signed one).
            env.put(RemoteJmxServer.REGISTRY_SOCKET_FACTORY, new SslRMIClientSocketFactory());
        }
        try {
            return JMXConnectorFactory.connect(url, env);
        } catch (SecurityException e) {
            throw new IOException("the rill node on JMX at " + target + " refused the login (set "
                    + "rill.jmx.remote.client.username and password, or RILL_JMX_USER and RILL_JMX_PASSWORD): "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("no rill node answers on JMX at " + target + " (start it with remote JMX on: "
                    + "RILL_JMX_REMOTE=true ./rill run, or ./rill demo): " + rootCause(e), e);
        }
    }

    /** The innermost cause, in one line: RMI's own messages nest their causes over several lines. */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + message;
    }

    /**
     * The bean of model {@code model} of JMX type {@code beanType} ({@code rill:type=SkipGram,model=corpus}), or, with
     * no model named, the only one of that type; a clear error when there is none, or several and none named.
     */
    static <T> T modelProxy(JMXConnector connector, String beanType, String model, Class<T> type) throws IOException {
        if (model != null) {
            return proxy(connector, "type=" + beanType + ",model=" + model, type);
        }
        try {
            java.util.Set<ObjectName> names = connector.getMBeanServerConnection()
                    .queryNames(new ObjectName("rill:type=" + beanType + ",*"), null);
            if (names.size() != 1) {
                throw new IllegalArgumentException(names.isEmpty() ? "the node runs no " + beanType + " model"
                        : "the node runs several " + beanType + " models " + names.stream()
                                .map(n -> n.getKeyProperty("model")).sorted().toList() + ": name one with --model");
            }
            return JMX.newMBeanProxy(connector.getMBeanServerConnection(), names.iterator().next(), type);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static <T> T proxy(JMXConnector connector, String properties, Class<T> type) throws IOException {
        MBeanServerConnection connection = connector.getMBeanServerConnection();
        try {
            return JMX.newMBeanProxy(connection, new ObjectName("rill:" + properties), type);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
