package io.rill.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.kafka.EmbeddedKafkaBroker;
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
        List<StreamSpec> streams,
        int maxRecordBytes,
        int maxDistinctTokens,
        String deadletterTopic,
        int batchSize,
        long batchBytes,
        Duration batchWindow,
        Duration askTimeout,
        int commitMaxBatch,
        Duration commitMaxInterval,
        Duration restartMinBackoff,
        Duration restartMaxBackoff,
        double restartRandomFactor,
        Duration lagPollInterval,
        RemoteJmxSettings remoteJmx) {

    /** One topic rill learns from, the tokenizer for its text, and the most bytes of values in one ingest batch. */
    public record StreamSpec(String topic, TokenizerKind tokenizer, long batchBytes) {
    }

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
        List<StreamSpec> streams = ingest.getConfigList("streams").stream()
                .map(c -> new StreamSpec(c.getString("topic"), TokenizerKind.parse(c.getString("tokenizer")),
                        c.hasPath("batch-bytes") ? c.getBytes("batch-bytes") : ingest.getBytes("batch-bytes")))
                .toList();
        String topicsDir = kafka.getString("topics-dir");
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
                streams,
                ingest.getInt("max-record-bytes"),
                ingest.getInt("max-distinct-tokens"),
                ingest.getString("deadletter-topic"),
                ingest.getInt("batch-size"),
                ingest.getBytes("batch-bytes"),
                ingest.getDuration("batch-window"),
                ingest.getDuration("ask-timeout"),
                ingest.getInt("commit-max-batch"),
                ingest.getDuration("commit-max-interval"),
                ingest.getDuration("restart-min-backoff"),
                ingest.getDuration("restart-max-backoff"),
                ingest.getDouble("restart-random-factor"),
                ingest.getDuration("lag-poll-interval"),
                RemoteJmxSettings.from(config));
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
