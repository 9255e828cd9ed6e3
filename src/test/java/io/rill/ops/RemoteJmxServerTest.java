package io.rill.ops;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Remote JMX with its doors shut: a password file turns away clients without credentials or with wrong ones, the
 * access file keeps a read-only user from writing, TLS turns away plain clients and clients that do not trust the
 * node's certificate (and, with client authentication, clients without a certificate the node trusts), and unsafe
 * settings stop the server before it listens. The keys are made with the JDK's keytool for each run.
 */
@Timeout(120)
class RemoteJmxServerTest {

    private static final ObjectName RUNTIME = name("java.lang:type=Runtime");
    private static final ObjectName MEMORY = name("java.lang:type=Memory");
    private static final String STORE_PASSWORD = "store-secret";

    @Test
    void aPasswordFileTurnsAwayMissingAndWrongCredentialsAndTheAccessFileMakesReadOnlyUsers(@TempDir Path dir)
            throws Exception {
        Path passwords = privateFile(dir.resolve("jmx.password"), "# rill test users\nmonitor monitor-pw\ncontrol control-pw\n");
        Path access = privateFile(dir.resolve("jmx.access"), "monitor readonly\ncontrol readwrite\n");
        int port = freePort();
        try (RemoteJmxServer server = RemoteJmxServer.start(settings(port, """
                password-file = "%s"
                access-file = "%s"
                """.formatted(passwords, access)))) {
            JMXServiceURL url = new JMXServiceURL(server.url());
            assertThatThrownBy(() -> connect(url, Map.of())).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> connect(url, login("monitor", "control-pw"))).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> connect(url, login("nobody", "monitor-pw"))).isInstanceOf(SecurityException.class);

            try (JMXConnector monitor = connect(url, login("monitor", "monitor-pw"))) {
                MBeanServerConnection beans = monitor.getMBeanServerConnection();
                assertThat(beans.getAttribute(RUNTIME, "Uptime")).isInstanceOf(Long.class);
                assertThatThrownBy(() -> beans.setAttribute(MEMORY, new Attribute("Verbose", false)))
                        .isInstanceOf(SecurityException.class);
            }
            try (JMXConnector control = connect(url, login("control", "control-pw"))) {
                control.getMBeanServerConnection().setAttribute(MEMORY, new Attribute("Verbose", false));
            }
        }
    }

    @Test
    void withTlsOnlyClientsThatTrustTheNodeConnectAndClientCertificatesCanBeRequired(@TempDir Path dir)
            throws Exception {
        // The node's key and a truststore holding its certificate; a client's key and a truststore holding that.
        Path nodeKeys = keyPair(dir, "node");
        Path trustsNode = trustStoreFor(dir, "node", nodeKeys);
        Path clientKeys = keyPair(dir, "client");
        Path trustsClient = trustStoreFor(dir, "client", clientKeys);
        Path passwords = privateFile(dir.resolve("jmx.password"), "monitor monitor-pw\n");

        int port = freePort();
        try (RemoteJmxServer server = RemoteJmxServer.start(settings(port, """
                password-file = "%s"
                ssl { enabled = true, keystore = "%s", keystore-password = "%s" }
                """.formatted(passwords, nodeKeys, STORE_PASSWORD)))) {
            JMXServiceURL url = new JMXServiceURL(server.url());
            // A plain client gets no answer it understands from a TLS port, credentials or not.
            assertThatThrownBy(() -> connect(url, login("monitor", "monitor-pw"))).isInstanceOf(IOException.class);
            // A TLS client that does not trust the node's self-signed certificate (this JVM's default trust).
            Map<String, Object> untrusting = new HashMap<>(login("monitor", "monitor-pw"));
            untrusting.put(RemoteJmxServer.REGISTRY_SOCKET_FACTORY, new SslRMIClientSocketFactory());
            assertThatThrownBy(() -> connect(url, untrusting)).isInstanceOf(IOException.class);

            assertThat(probe(server.url(), List.of("-Djavax.net.ssl.trustStore=" + trustsNode,
                    "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD), "monitor", "monitor-pw"))
                    .startsWith("connected");
            assertThat(probe(server.url(), List.of("-Djavax.net.ssl.trustStore=" + trustsNode,
                    "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD), "monitor", "wrong"))
                    .startsWith("refused").contains("SecurityException");
        }

        int mutualPort = freePort();
        try (RemoteJmxServer server = RemoteJmxServer.start(settings(mutualPort, """
                ssl {
                  enabled = true, keystore = "%s", keystore-password = "%s"
                  truststore = "%s", truststore-password = "%s", need-client-auth = true
                }
                """.formatted(nodeKeys, STORE_PASSWORD, trustsClient, STORE_PASSWORD)))) {
            List<String> trustOnly = List.of("-Djavax.net.ssl.trustStore=" + trustsNode,
                    "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD);
            assertThat(probe(server.url(), trustOnly)).startsWith("refused");
            List<String> withCertificate = new ArrayList<>(trustOnly);
            withCertificate.add("-Djavax.net.ssl.keyStore=" + clientKeys);
            withCertificate.add("-Djavax.net.ssl.keyStorePassword=" + STORE_PASSWORD);
            assertThat(probe(server.url(), withCertificate)).startsWith("connected");
        }
    }

    @Test
    void unsafeOrUnreadableSettingsAreRefusedBeforeAnythingListens(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path missing = dir.resolve("no-such.password");
        assertThatThrownBy(() -> RemoteJmxServer.start(settings(port, "password-file = \"" + missing + "\"")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rill.jmx.remote.password-file").hasMessageContaining(missing.toString());
        Path access = privateFile(dir.resolve("jmx.access"), "monitor readonly\n");
        assertThatThrownBy(() -> RemoteJmxServer.start(settings(port, "access-file = \"" + access + "\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password-file");
        assertThatThrownBy(() -> RemoteJmxServer.start(settings(port, "ssl.enabled = true")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssl.keystore");
        assertThatThrownBy(() -> RemoteJmxServer.start(settings(port, "host = \"0.0.0.0\"")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address").hasMessageContaining("allow-unauthenticated");
        // Nothing was left listening: the port is still free.
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    private static RemoteJmxSettings settings(int port, String remoteJmx) {
        return RemoteJmxSettings.from(ConfigFactory.parseString("rill.jmx.remote {\nenabled = true\nport = " + port
                + "\n" + remoteJmx + "\n}").withFallback(ConfigFactory.load()).resolve());
    }

    private static JMXConnector connect(JMXServiceURL url, Map<String, ?> env) throws IOException {
        return JMXConnectorFactory.connect(url, env);
    }

    private static Map<String, Object> login(String user, String password) {
        return Map.of(JMXConnector.CREDENTIALS, new String[] {user, password});
    }

    /** Runs {@link JmxProbe} in a JVM with the given trust (and key) store properties; returns what it printed. */
    private static String probe(String url, List<String> jvmOptions, String... login) throws Exception {
        Path classes = Path.of(JmxProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(javaTool("java"), "-Xshare:auto", "-cp", classes.toString()));
        command.addAll(jvmOptions);
        command.add(JmxProbe.class.getName());
        command.add(url);
        command.addAll(List.of(login));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        return output.lines().filter(line -> line.startsWith("connected") || line.startsWith("refused"))
                .findFirst().orElse(output);
    }

    /** A PKCS12 keystore with a fresh self-signed EC key for 127.0.0.1. */
    private static Path keyPair(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + "-keys.p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1, OU=rill test " + name, "-ext", "san=ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", STORE_PASSWORD,
                "-keypass", STORE_PASSWORD);
        return store;
    }

    /** A PKCS12 truststore holding the certificate of the key in {@code keys}. */
    private static Path trustStoreFor(Path dir, String name, Path keys) throws Exception {
        char[] password = STORE_PASSWORD.toCharArray();
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, password);
        trusted.setCertificateEntry(name, KeyStore.getInstance(keys.toFile(), password).getCertificate(name));
        Path store = dir.resolve("trusts-" + name + ".p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            trusted.store(out, password);
        }
        return store;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaTool("keytool")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static Path privateFile(Path file, String text) throws IOException {
        Files.writeString(file, text);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the permission check only warns anyway.
        }
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
