package io.rill.ops;

import com.typesafe.config.Config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code rill.jmx.remote} section of the configuration, read once: whether remote JMX runs, where, who may use
 * it (a password file and an optional access file) and whether it speaks TLS. Every key is documented in
 * application.conf. The {@code client} part is what rill's own JMX commands present to a node.
 */
public record RemoteJmxSettings(
        boolean enabled,
        String host,
        int port,
        Optional<Path> passwordFile,
        Optional<Path> accessFile,
        boolean allowUnauthenticated,
        Ssl ssl,
        String clientUsername,
        String clientPassword) {

    /**
     * TLS for the registry and the connector (they share one port, so both or neither). The keystore holds the
     * node's key and certificate; the truststore, when set, holds the certificates of the clients the node trusts
     * (it matters with {@code needClientAuth}); empty means the JVM's default trust.
     */
    public record Ssl(boolean enabled, Optional<Path> keystore, String keystorePassword, Optional<Path> truststore,
                      String truststorePassword, boolean needClientAuth) {
    }

    public static RemoteJmxSettings from(Config config) {
        Config c = config.getConfig("rill.jmx.remote");
        Config ssl = c.getConfig("ssl");
        return new RemoteJmxSettings(
                c.getBoolean("enabled"),
                c.getString("host"),
                c.getInt("port"),
                path(c.getString("password-file")),
                path(c.getString("access-file")),
                c.getBoolean("allow-unauthenticated"),
                new Ssl(ssl.getBoolean("enabled"),
                        path(ssl.getString("keystore")),
                        ssl.getString("keystore-password"),
                        path(ssl.getString("truststore")),
                        ssl.getString("truststore-password"),
                        ssl.getBoolean("need-client-auth")),
                c.getString("client.username"),
                c.getString("client.password"));
    }

    /** Whether a client must prove who it is: a password, or a certificate the node trusts. */
    public boolean authenticates() {
        return passwordFile.isPresent() || ssl.enabled() && ssl.needClientAuth();
    }

    private static Optional<Path> path(String value) {
        return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.trim()));
    }
}
