package io.rill.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.rmi.AlreadyBoundException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Remote JMX for jconsole and Prometheus' JMX exporter, off by default. When on, both the RMI registry and the
 * connector listen on one port bound to the configured host (127.0.0.1 unless told otherwise), so no other
 * interface of the machine sees it, and a firewall needs one rule. The URL is
 * {@code service:jmx:rmi://HOST:PORT/jndi/rmi://HOST:PORT/jmxrmi}.
 *
 * <p>Who may connect: with a password file, clients must log in (the JDK's own password-file login, which also
 * reads hashed entries; rill never rewrites the file), and an access file can make users read-only. With TLS, the
 * registry and the connector both speak it (they share the port, so it cannot be one without the other), and
 * clients may be required to show a certificate the node trusts. A node refuses to start on a non-loopback address
 * when no client has to authenticate, unless the operator says so explicitly.
 *
 * <p>The connector is created with its RMI server object and bound into the registry directly, not through JNDI:
 * binding through JNDI would make the node a TLS client of its own registry, trusting only the JVM's default
 * certificates.
 */
public final class RemoteJmxServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteJmxServer.class);
    /** The JDK's keys for its file-based login and access control in a connector server's environment. */
    private static final String PASSWORD_FILE = "jmx.remote.x.password.file";
    private static final String PASSWORD_TO_HASHES = "jmx.remote.x.password.toHashes";
    private static final String ACCESS_FILE = "jmx.remote.x.access.file";
    /** How a JNDI lookup of the registry is told to use TLS sockets (what jconsole and the JMX exporter set). */
    public static final String REGISTRY_SOCKET_FACTORY = "com.sun.jndi.rmi.factory.socket";
    private static final String BINDING = "jmxrmi";

    private final Registry registry;
    private final JMXConnectorServer connector;
    private final String url;

    private RemoteJmxServer(Registry registry, JMXConnectorServer connector, String url) {
        this.registry = registry;
        this.connector = connector;
        this.url = url;
    }

    /**
     * Starts the registry and the connector as {@code settings} say.
     *
     * @throws IllegalArgumentException when the settings are unsafe or name files that cannot be read; nothing is
     *                                  opened then
     */
    public static RemoteJmxServer start(RemoteJmxSettings settings) throws IOException {
        String host = settings.host();
        int port = settings.port();
        InetAddress bindAddress = InetAddress.getByName(host);
        checkSafe(settings, bindAddress);
        RMIServerSocketFactory serverSockets;
        RMIClientSocketFactory clientSockets;
        if (settings.ssl().enabled()) {
            serverSockets = new TlsServerSocketFactory(bindAddress, sslContext(settings.ssl()),
                    settings.ssl().needClientAuth());
            clientSockets = new SslRMIClientSocketFactory();
        } else {
            serverSockets = new BoundServerSocketFactory(bindAddress);
            clientSockets = null;
        }
        Map<String, Object> env = new HashMap<>();
        settings.passwordFile().ifPresent(file -> {
            env.put(PASSWORD_FILE, file.toAbsolutePath().toString());
            env.put(PASSWORD_TO_HASHES, "false");
        });
        settings.accessFile().ifPresent(file -> env.put(ACCESS_FILE, file.toAbsolutePath().toString()));
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, serverSockets);
        if (clientSockets != null) {
            env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clientSockets);
        }

        // RMI stubs carry the host name clients call back on; make it the bound address, not the machine's name.
        System.setProperty("java.rmi.server.hostname", host);
        // Equal socket factories on one port: RMI serves the registry and the connector from one server socket.
        Registry registry = LocateRegistry.createRegistry(port, clientSockets, serverSockets);
        String url = "service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/" + BINDING;
        try {
            RMIJRMPServerImpl rmiServer = new RMIJRMPServerImpl(port, clientSockets, serverSockets, env);
            JMXConnectorServer connector = new RMIConnectorServer(
                    new JMXServiceURL("service:jmx:rmi://" + host + ":" + port), env, rmiServer,
                    ManagementFactory.getPlatformMBeanServer());
            connector.start();
            registry.bind(BINDING, rmiServer.toStub());
            log.info("remote JMX listening on {} (authentication: {}, TLS: {}{})", url,
                    settings.passwordFile().map(f -> "password file " + f).orElse("none"),
                    settings.ssl().enabled() ? "on" : "off",
                    settings.ssl().enabled() && settings.ssl().needClientAuth() ? ", client certificates required" : "");
            return new RemoteJmxServer(registry, connector, url);
        } catch (IOException | AlreadyBoundException | RuntimeException e) {
            UnicastRemoteObject.unexportObject(registry, true);
            throw e instanceof IOException io ? io : new IOException("cannot start the JMX connector on " + url, e);
        }
    }

    /**
     * Refuses what would expose the node or fail later at a client's login: unreadable password or access files,
     * an access file without logins, TLS without a keystore, and a non-loopback address open to anyone.
     */
    static void checkSafe(RemoteJmxSettings settings, InetAddress bindAddress) {
        settings.passwordFile().ifPresent(file -> {
            requireReadable(file, "rill.jmx.remote.password-file");
            warnIfOthersCanRead(file);
        });
        settings.accessFile().ifPresent(file -> {
            if (settings.passwordFile().isEmpty()) {
                throw new IllegalArgumentException("rill.jmx.remote.access-file is set but password-file is not: "
                        + "access rules name users, and without a password file nobody logs in as one");
            }
            requireReadable(file, "rill.jmx.remote.access-file");
        });
        RemoteJmxSettings.Ssl ssl = settings.ssl();
        if (ssl.enabled()) {
            requireReadable(ssl.keystore().orElseThrow(() -> new IllegalArgumentException(
                    "rill.jmx.remote.ssl.enabled is true but rill.jmx.remote.ssl.keystore is empty")),
                    "rill.jmx.remote.ssl.keystore");
            ssl.truststore().ifPresent(file -> requireReadable(file, "rill.jmx.remote.ssl.truststore"));
        }
        if (bindAddress.isLoopbackAddress()) {
            return;
        }
        if (!settings.authenticates()) {
            if (!settings.allowUnauthenticated()) {
                throw new IllegalArgumentException("refusing remote JMX on " + settings.host() + ", which is not a "
                        + "loopback address, without authentication: anyone who reaches the port could read and "
                        + "change the node. Set rill.jmx.remote.password-file (or ssl.need-client-auth), bind to "
                        + "127.0.0.1, or set rill.jmx.remote.allow-unauthenticated = true if a firewall or a "
                        + "container boundary keeps the port private");
            }
            log.warn("REMOTE JMX IS OPEN TO ANYONE WHO REACHES {}:{}: no password file, no client certificates "
                    + "(rill.jmx.remote.allow-unauthenticated = true)", settings.host(), settings.port());
        } else if (settings.passwordFile().isPresent() && !ssl.enabled()) {
            log.warn("remote JMX on {}:{} checks passwords but TLS is off: passwords and data cross the network "
                    + "in clear text (rill.jmx.remote.ssl)", settings.host(), settings.port());
        }
    }

    private static void requireReadable(Path file, String key) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(key + " " + file.toAbsolutePath() + " does not exist or cannot be read");
        }
    }

    /** The JDK's own agent refuses such a file; rill warns, because mounted secrets are often world-readable. */
    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("the JMX password file {} is readable by other users (permissions {}); chmod 600 it",
                        file.toAbsolutePath(), permissions);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing to check.
        }
    }

    private static SSLContext sslContext(RemoteJmxSettings.Ssl ssl) {
        Path keystorePath = ssl.keystore().orElseThrow();
        try {
            char[] keystorePassword = ssl.keystorePassword().toCharArray();
            KeyStore keystore = KeyStore.getInstance(keystorePath.toFile(), keystorePassword);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keystore, keystorePassword);
            TrustManager[] trust = null; // the JVM's default trust
            Optional<Path> truststorePath = ssl.truststore();
            if (truststorePath.isPresent()) {
                KeyStore truststore = KeyStore.getInstance(truststorePath.get().toFile(),
                        ssl.truststorePassword().toCharArray());
                TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trusted.init(truststore);
                trust = trusted.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the JMX keystore " + keystorePath.toAbsolutePath()
                    + ssl.truststore().map(t -> " or truststore " + t.toAbsolutePath()).orElse("") + ": " + e, e);
        }
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

    /**
     * TLS server sockets bound to one address. The JDK's SslRMIServerSocketFactory listens on every interface, so
     * rill makes its own; clients use the JDK's SslRMIClientSocketFactory, which jconsole and the JMX exporter know.
     * Equal instances (same address, context and client-auth rule) share one port, as above.
     */
    private record TlsServerSocketFactory(InetAddress address, SSLContext context, boolean needClientAuth)
            implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(port, 50, address);
            socket.setNeedClientAuth(needClientAuth);
            return socket;
        }
    }
}
