package io.rill.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.ingest.IngestSettings;
import io.rill.ingest.StreamSpec;
import io.rill.ops.HttpSettings;
import io.rill.ops.ProgressSettings;
import io.rill.ops.RemoteJmxSettings;
import io.rill.text.TokenizerKind;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The typed view of the {@code rill} section of the configuration. Everything is read once, at start, so a typo in
 * a key fails the node immediately rather than an hour later; the keys are documented in application.conf.
 */
public record RillSettings(
        Config config,
        Path dataDir,
        String bootstrapServers,
        String groupId,
        Optional<Path> topicsDir,
        int replicationFactorOverride,
        Map<String, String> clientProperties,
        Duration adminTimeout,
        String embeddedHost,
        int embeddedPort,
        Path embeddedDataDir,
        int embeddedMaxMessageBytes,
        Map<String, String> embeddedSaslPlainUsers,
        IngestSettings ingest,
        RemoteJmxSettings remoteJmx) {

    /**
     * application.conf with system properties on top, optionally under an operator's file. Everything is resolved
     * once, after the layers are stacked, so a key that defaults to another (the embedded broker's data directory to
     * {@code rill.node.data-dir}, the generation group to {@code rill.kafka.group-id}) follows the operator's file.
     */
    public static RillSettings load(Optional<Path> overrides) {
        Config layered = ConfigFactory.defaultOverrides();
        if (overrides.isPresent()) {
            layered = layered.withFallback(ConfigFactory.parseFile(overrides.get().toFile()));
        }
        Config config = layered
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return from(config);
    }

    public static RillSettings from(Config config) {
        Config rill = config.getConfig("rill");
        Config kafka = rill.getConfig("kafka");
        Config embedded = kafka.getConfig("embedded");
        Config ingest = rill.getConfig("ingest");
        Map<String, String> clientProperties = new LinkedHashMap<>();
        kafka.getObject("client-properties").forEach((k, v) -> clientProperties.put(k, String.valueOf(v.unwrapped())));
        Map<String, String> saslPlainUsers = new LinkedHashMap<>();
        embedded.getObject("sasl-plain-users").forEach((k, v) -> saslPlainUsers.put(k, String.valueOf(v.unwrapped())));
        String topicsDir = kafka.getString("topics-dir");
        HttpSettings.from(config); // read now, so that a bad value fails here
        ProgressSettings.from(config, Path.of(rill.getString("node.data-dir")));
        return new RillSettings(
                config,
                Path.of(rill.getString("node.data-dir")),
                kafka.getString("bootstrap-servers").trim(),
                kafka.getString("group-id"),
                topicsDir.isBlank() ? Optional.empty() : Optional.of(Path.of(topicsDir)),
                kafka.getInt("replication-factor-override"),
                Map.copyOf(clientProperties),
                kafka.getDuration("admin-timeout"),
                embedded.getString("host"),
                embedded.getInt("port"),
                Path.of(embedded.getString("data-dir")),
                embedded.getInt("max-message-bytes"),
                Map.copyOf(saslPlainUsers),
                IngestSettings.from(ingest),
                RemoteJmxSettings.from(config));
    }

    /** The {@code rill.http} section: /metrics, /health and the downloads. */
    public HttpSettings http() {
        return HttpSettings.from(config);
    }

    /** The {@code rill.progress} section: the training curves. */
    public ProgressSettings progress() {
        return ProgressSettings.from(config, dataDir);
    }

    /** The file where a running node writes the address its HTTP endpoint is bound to. */
    public Path httpAddressFile() {
        return dataDir.resolve("http.txt");
    }

    /**
     * The HTTP address a client command should use: the configured one, except that port 0 reads the address a
     * running node wrote to {@link #httpAddressFile} and a wildcard host becomes loopback.
     */
    public String clientHttp() {
        HttpSettings http = http();
        if (http.port() == 0) {
            try {
                String written = java.nio.file.Files.readString(httpAddressFile()).strip();
                if (!written.isEmpty()) {
                    return written;
                }
            } catch (java.io.IOException e) {
                // no node has written it: fall through
            }
        }
        String host = http.host().equals("0.0.0.0") || http.host().equals("::") ? "127.0.0.1" : http.host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port();
    }

    public List<StreamSpec> streams() {
        return ingest.streams();
    }

    public int maxRecordBytes() {
        return ingest.maxRecordBytes();
    }

    public int maxDistinctTokens() {
        return ingest.maxDistinctTokens();
    }

    public String deadletterTopic() {
        return ingest.deadletterTopic();
    }

    public Duration askTimeout() {
        return ingest.askTimeout();
    }

    public Duration learnTimeout() {
        return ingest.learnTimeout();
    }

    public Duration commitMaxInterval() {
        return ingest.commitMaxInterval();
    }

    public Duration restartMinBackoff() {
        return ingest.restartMinBackoff();
    }

    public Duration restartMaxBackoff() {
        return ingest.restartMaxBackoff();
    }

    public double restartRandomFactor() {
        return ingest.restartRandomFactor();
    }

    public Duration lagPollInterval() {
        return ingest.lagPollInterval();
    }

    public boolean embeddedBroker() {
        return bootstrapServers.isEmpty();
    }

    /**
     * The address a client command (produce, topics, ...) should use: the configured cluster, else the embedded
     * broker a running node advertised in its data directory, else the embedded broker's configured port.
     */
    public String clientBootstrap() {
        if (!bootstrapServers.isEmpty()) {
            return bootstrapServers;
        }
        return EmbeddedKafkaBroker.advertisedIn(embeddedDataDir)
                .orElse(embeddedHost + ":" + (embeddedPort == 0 ? 9092 : embeddedPort));
    }

    /** Properties every Kafka client starts from: the bootstrap address and the pass-through client properties. */
    public Properties clientProperties(String bootstrap) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put("bootstrap.servers", bootstrap);
        return props;
    }
}
