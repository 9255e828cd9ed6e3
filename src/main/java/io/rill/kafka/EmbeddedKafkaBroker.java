package io.rill.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), started inside rill's JVM
 * when no cluster is configured. It listens on loopback only. Its log directory persists records, topics and
 * committed offsets, so a restarted node finds everything where it left it: the storage is formatted once, on
 * first start, and reused afterwards. The bootstrap address is also written to {@code bootstrap.txt} in the data
 * directory, so that rill's client commands on the same machine find a broker started on a free port.
 *
 * <p>By default the client listener is PLAINTEXT and takes anyone. Given SASL/PLAIN users, it becomes a
 * SASL_PLAINTEXT listener that takes only clients logging in as one of them (authentication only: no ACLs, so a
 * user that logs in may do everything). The broker's own connections to itself log in as an internal user with a
 * random password made at each start. The KRaft controller listener stays PLAINTEXT on the same loopback host.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String BOOTSTRAP_FILE = "bootstrap.txt";
    private static final int NODE_ID = 1;
    /** What a SASL/PLAIN user name may be: it becomes a JAAS option name, {@code user_<name>}. */
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final String PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final long startMillis;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir, long startMillis) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.startMillis = startMillis;
    }

    /** Starts a broker whose client listener takes anyone (PLAINTEXT); see the five-argument form. */
    public static EmbeddedKafkaBroker start(Path dataDir, String host, int port, int maxMessageBytes) {
        return start(dataDir, host, port, maxMessageBytes, Map.of());
    }

    /**
     * Formats the storage if it is new, starts the broker and waits until it serves.
     *
     * @param port the client port, or 0 for any free one
     * @param maxMessageBytes the broker's largest record batch; topics may ask less
     * @param saslPlainUsers empty: a PLAINTEXT client listener; otherwise user name to password, and the client
     *                       listener is SASL_PLAINTEXT with the PLAIN mechanism, taking only these users
     */
    public static EmbeddedKafkaBroker start(Path dataDir, String host, int port, int maxMessageBytes,
                                            Map<String, String> saslPlainUsers) {
        long started = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            Path logDir = dataDir.resolve("log").toAbsolutePath();
            int clientPort = port == 0 ? freePort(host) : port;
            int controllerPort = freePort(host);
            boolean sasl = !saslPlainUsers.isEmpty();
            // The listener's name is its security protocol, so the protocol map below names both.
            String clientListener = sasl ? "SASL_PLAINTEXT" : "PLAINTEXT";
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", String.valueOf(NODE_ID));
            props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
            props.put("listeners", clientListener + "://" + host + ":" + clientPort
                    + ",CONTROLLER://" + host + ":" + controllerPort);
            props.put("advertised.listeners", clientListener + "://" + host + ":" + clientPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", clientListener);
            props.put("listener.security.protocol.map", clientListener + ":" + clientListener + ",CONTROLLER:PLAINTEXT");
            if (sasl) {
                props.put("sasl.enabled.mechanisms", "PLAIN");
                props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
                props.put("listener.name." + clientListener.toLowerCase(Locale.ROOT) + ".plain.sasl.jaas.config",
                        plainJaasConfig(saslPlainUsers));
            }
            props.put("log.dirs", logDir.toString());
            props.put("num.partitions", "1");
            props.put("default.replication.factor", "1");
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "4");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("auto.create.topics.enable", "false");
            props.put("message.max.bytes", String.valueOf(maxMessageBytes));
            props.put("replica.fetch.max.bytes", String.valueOf(maxMessageBytes));
            props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
            props.put("shutdown.delay.ms", "0");
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            formatIfNew(logDir, host);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            String bootstrap = host + ":" + clientPort;
            Files.writeString(dataDir.resolve(BOOTSTRAP_FILE), bootstrap + "\n", StandardCharsets.UTF_8);
            long millis = (System.nanoTime() - started) / 1_000_000;
            log.info("embedded KRaft broker serving on {} ({}; data in {}), started in {} ms", bootstrap,
                    sasl ? "SASL_PLAINTEXT, PLAIN logins of " + saslPlainUsers.keySet() : "PLAINTEXT", dataDir, millis);
            return new EmbeddedKafkaBroker(server, bootstrap, dataDir, millis);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded broker in " + dataDir, e);
        }
    }

    /**
     * The JAAS configuration of the SASL listener's PLAIN mechanism: one {@code user_<name>="<password>"} option per
     * user the broker accepts, and the internal user the broker itself logs in as.
     */
    private static String plainJaasConfig(Map<String, String> users) {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        String brokerUser = "rill-broker-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
        String brokerPassword = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        StringBuilder jaas = new StringBuilder(PLAIN_LOGIN_MODULE).append(" required")
                .append(" username=").append(quoted(brokerUser))
                .append(" password=").append(quoted(brokerPassword))
                .append(" user_").append(brokerUser).append('=').append(quoted(brokerPassword));
        for (Map.Entry<String, String> user : users.entrySet()) {
            if (!USER_NAME.matcher(user.getKey()).matches()) {
                throw new IllegalArgumentException("SASL/PLAIN user name \"" + user.getKey()
                        + "\" may only hold letters, digits, '.', '_' and '-'");
            }
            if (user.getValue().isEmpty()) {
                throw new IllegalArgumentException("SASL/PLAIN user " + user.getKey() + " has an empty password");
            }
            jaas.append(" user_").append(user.getKey()).append('=').append(quoted(user.getValue()));
        }
        return jaas.append(';').toString();
    }

    /** A JAAS option value: in double quotes, with backslashes and quotes escaped. */
    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void formatIfNew(Path logDir, String host) throws IOException {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        Files.createDirectories(logDir);
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(NODE_ID)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir.toString())
                    .setDirectories(Set.of(logDir.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IOException("cannot format KRaft storage in " + logDir + " for " + host, e);
        }
    }

    /** The bootstrap address a running embedded broker left in {@code dataDir}, if any. */
    public static Optional<String> advertisedIn(Path dataDir) {
        Path file = dataDir.resolve(BOOTSTRAP_FILE);
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long startMillis() {
        return startMillis;
    }

    @Override
    public void close() {
        log.info("stopping the embedded broker on {}", bootstrapServers);
        server.shutdown();
        server.awaitShutdown();
        try {
            Files.deleteIfExists(dataDir.resolve(BOOTSTRAP_FILE));
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", dataDir.resolve(BOOTSTRAP_FILE), e.toString());
        }
    }
}
