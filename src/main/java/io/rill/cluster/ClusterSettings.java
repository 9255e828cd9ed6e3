package io.rill.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code rill.cluster} section of the configuration (keys documented in application.conf): whether this node
 * joins an Akka Cluster of rill nodes, where it listens, whom it joins first, and where the shared state lives.
 *
 * @param nodeName           names this node's directory of stream checkpoints under the shared directory
 * @param joinTimeout        how long a starting node waits to become a member before it gives up
 * @param handoverTimeout    how long a node may hold a rebalance to checkpoint the partitions it gives up
 * @param sharedDirectory    the checkpoint directory, which every node of the cluster must see
 * @param entitySaveInterval how often a parameter-server entity writes its state to the shared directory
 */
public record ClusterSettings(boolean enabled, String host, int port, List<String> seedNodes, String nodeName,
                              Duration joinTimeout, Duration handoverTimeout, Path sharedDirectory,
                              Duration entitySaveInterval, int entityStatesKept) {

    public static ClusterSettings from(Config config, Path checkpointDirectory) {
        Config cluster = config.getConfig("rill.cluster");
        String host = cluster.getString("host");
        int port = cluster.getInt("port");
        List<String> seeds = Arrays.stream(cluster.getString("seed-nodes").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        String nodeName = cluster.getString("node-name").isBlank() ? host + "-" + port : cluster.getString("node-name");
        if (!nodeName.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("rill.cluster.node-name must be 1 to 100 letters, digits, '.', '_' "
                    + "or '-' (it names a directory): " + nodeName);
        }
        ClusterSettings settings = new ClusterSettings(cluster.getBoolean("enabled"), host, port, seeds, nodeName,
                cluster.getDuration("join-timeout"), cluster.getDuration("handover-timeout"), checkpointDirectory,
                cluster.getDuration("entity-save-interval"),
                cluster.getInt("entity-states-kept"));
        if (settings.enabled() && seeds.isEmpty()) {
            throw new IllegalArgumentException("rill.cluster.enabled is on but rill.cluster.seed-nodes is empty: list "
                    + "\"host:port\" of one or more nodes (this one may be among them)");
        }
        return settings;
    }

    /**
     * The actor system's configuration: {@code config} as it is for a single node; for a cluster, with the cluster
     * provider, Artery on {@link #host}:{@link #port} and the seed nodes' addresses.
     */
    public Config actorSystemConfig(Config config, String systemName) {
        if (!enabled) {
            return config;
        }
        List<String> seedAddresses = seedNodes.stream().map(seed -> "akka://" + systemName + "@" + seed).toList();
        return ConfigFactory.empty()
                .withValue("akka.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
                .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedAddresses))
                .withFallback(config);
    }

    /** Where every node's directory of stream checkpoints is. */
    public Path nodesDirectory() {
        return sharedDirectory.resolve("nodes");
    }

    /** Where the stream checkpoints of node {@code name} go. */
    public Path nodeDirectory(String name) {
        return nodesDirectory().resolve(name);
    }

    /** Where the parameter-server entities keep their states. */
    public Path entitiesDirectory() {
        return sharedDirectory.resolve("entities");
    }
}
