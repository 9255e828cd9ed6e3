package io.rill.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Remote JMX for jconsole and Prometheus' JMX exporter, off by default. When on, both the RMI registry and the
 * connector listen on one port bound to the configured host (127.0.0.1 unless told otherwise), so no other
 * interface of the machine sees it, and a firewall needs one rule. The URL is
 * {@code service:jmx:rmi://HOST:PORT/jndi/rmi://HOST:PORT/jmxrmi}.
 */
public final class RemoteJmxServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteJmxServer.class);

    private final Registry registry;
    private final JMXConnectorServer connector;
    private final String url;

    private RemoteJmxServer(Registry registry, JMXConnectorServer connector, String url) {
        this.registry = registry;
        this.connector = connector;
        this.url = url;
    }

    public static RemoteJmxServer start(String host, int port) throws IOException {
        InetAddress bindAddress = InetAddress.getByName(host);
        RMIServerSocketFactory sockets = new BoundServerSocketFactory(bindAddress);
        // RMI stubs carry the host name clients call back on; make it the bound address, not the machine's name.
        System.setProperty("java.rmi.server.hostname", host);
        Registry registry = LocateRegistry.createRegistry(port, null, sockets);
        String url = "service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi";
        Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL(url), env, ManagementFactory.getPlatformMBeanServer());
        connector.start();
        log.info("remote JMX listening on {}", url);
        return new RemoteJmxServer(registry, connector, url);
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        try {
            connector.stop();
        } catch (IOException e) {
            log.warn("stopping the JMX connector: {}", e.toString());
        }
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (IOException e) {
            log.warn("unexporting the RMI registry: {}", e.toString());
        }
    }

    /** Server sockets bound to one address; equal instances let RMI share the registry's port with the connector. */
    private record BoundServerSocketFactory(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }
}
