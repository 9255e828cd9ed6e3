package io.rill.cli;

import io.rill.node.RillSettings;
import picocli.CommandLine.Option;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;

/**
 * How the query commands reach a running node: its remote JMX connector (on by default in {@code rill demo}; for
 * {@code rill run}, set {@code RILL_JMX_REMOTE=true}). The address comes from {@code --jmx} or the configuration.
 */
final class NodeJmx {

    @Option(names = "--jmx", paramLabel = "HOST:PORT",
            description = "The node's remote JMX address (default: rill.jmx.remote.host:port from the configuration).")
    String address;

    JMXConnector connect(RillSettings settings) throws IOException {
        String target = address != null ? address : settings.remoteJmxHost() + ":" + settings.remoteJmxPort();
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + target + "/jmxrmi");
        try {
            return JMXConnectorFactory.connect(url);
        } catch (IOException e) {
            throw new IOException("no rill node answers on JMX at " + target + " (start it with remote JMX on: "
                    + "RILL_JMX_REMOTE=true ./rill run, or ./rill demo): " + e.getMessage(), e);
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
