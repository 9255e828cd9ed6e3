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
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), started inside rill's JVM
 * when no cluster is configured. It listens on loopback only. Its log directory persists records, topics and
 * committed offsets, so a restarted node finds everything where it left it: the storage is formatted once, on
 * first start, and reused afterwards. The bootstrap address is also written to {@code bootstrap.txt} in the data
 * directory, so that rill's client commands on the same machine find a broker started on a free port.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String BOOTSTRAP_FILE = "bootstrap.txt";
    private static final int NODE_ID = 1;

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

    /**
     * Formats the storage if it is new, starts the broker and waits until it serves.
     *
     * @param port the client port, or 0 for any free one
     * @param maxMessageBytes the broker's largest record batch; topics may ask less
     */
    public static EmbeddedKafkaBroker start(Path dataDir, String host, int port, int maxMessageBytes) {
        long started = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            Path logDir = dataDir.resolve("log").toAbsolutePath();
            int clientPort = port == 0 ? freePort(host) : port;
            int controllerPort = freePort(host);
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", String.valueOf(NODE_ID));
            props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
            props.put("listeners", "PLAINTEXT://" + host + ":" + clientPort + ",CONTROLLER://" + host + ":" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + clientPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
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
            log.info("embedded KRaft broker serving on {} (data in {}), started in {} ms", bootstrap, dataDir, millis);
            return new EmbeddedKafkaBroker(server, bootstrap, dataDir, millis);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded broker in " + dataDir, e);
        }
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
