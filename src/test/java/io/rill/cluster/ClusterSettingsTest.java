package io.rill.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

    private static final Path SHARED = Path.of("shared");

    private static Config config(String text) {
        return ConfigFactory.parseString(text).withFallback(ConfigFactory.load()).resolve();
    }

    @Test
    void offByDefaultAndTheActorSystemStaysLocal() {
        Config config = config("");
        ClusterSettings cluster = ClusterSettings.from(config, SHARED);
        assertThat(cluster.enabled()).isFalse();
        assertThat(cluster.actorSystemConfig(config, "rill").getString("akka.actor.provider")).isEqualTo("local");
    }

    @Test
    void onItSetsTheClusterProviderArteryAndTheSeedsAddresses() {
        Config config = config("""
                rill.cluster { enabled = true, host = "10.0.0.5", port = 25521,
                               seed-nodes = " 10.0.0.5:25521, 10.0.0.6:25521 ,", node-name = "" }
                """);
        ClusterSettings cluster = ClusterSettings.from(config, SHARED);
        Config system = cluster.actorSystemConfig(config, "rill");

        assertThat(system.getString("akka.actor.provider")).isEqualTo("cluster");
        assertThat(system.getString("akka.remote.artery.canonical.hostname")).isEqualTo("10.0.0.5");
        assertThat(system.getInt("akka.remote.artery.canonical.port")).isEqualTo(25521);
        assertThat(system.getStringList("akka.cluster.seed-nodes"))
                .containsExactly("akka://rill@10.0.0.5:25521", "akka://rill@10.0.0.6:25521");
        assertThat(cluster.nodeName()).as("host-port when not named").isEqualTo("10.0.0.5-25521");
        assertThat(cluster.nodeDirectory(cluster.nodeName())).isEqualTo(SHARED.resolve("nodes").resolve("10.0.0.5-25521"));
        assertThat(cluster.entitiesDirectory()).isEqualTo(SHARED.resolve("entities"));
    }

    @Test
    void onWithoutSeedsIsRefusedSayingWhatToSet() {
        assertThatThrownBy(() -> ClusterSettings.from(config("rill.cluster.enabled = true"), SHARED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rill.cluster.seed-nodes");
    }

    @Test
    void aNodeNameThatCannotNameADirectoryIsRefused() {
        assertThatThrownBy(() -> ClusterSettings.from(config("rill.cluster.node-name = \"../elsewhere\""), SHARED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node-name");
    }
}
