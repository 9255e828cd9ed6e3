package io.rill.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.Leave;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.ops.ClusterMetrics;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.ps.EmbeddingRows;
import io.rill.ps.EmbeddingShard;
import io.rill.learn.Spawner;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two actor systems in one JVM form a cluster on loopback (messages between them go through Artery and the CBOR
 * serializer). A sharded embedding shard learns a delta from one node; then the node that hosts it leaves. Cluster
 * Sharding hands the shard over: it saves its rows and stops, and the next message starts it on the other node,
 * from the saved rows.
 */
class ShardedPlacementTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int DIM = 8;

    @TempDir
    Path shared;

    private ActorSystem<Void> first;
    private ActorSystem<Void> second;

    @AfterEach
    void stop() {
        for (ActorSystem<Void> system : new ActorSystem[] {first, second}) {
            if (system != null) {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().join();
            }
        }
    }

    private static ActorSystem<Void> node() {
        Config config = ConfigFactory.parseString("""
                akka.actor.provider = cluster
                akka.remote.artery.canonical.hostname = "127.0.0.1"
                akka.remote.artery.canonical.port = 0
                akka.cluster.jmx.multi-mbeans-in-same-jvm = on
                akka.coordinated-shutdown.terminate-actor-system = on
                """).withFallback(ConfigFactory.load());
        return ActorSystem.create(Behaviors.empty(), "rill", config);
    }

    private record Placed(ActorRef<EmbeddingShard.Command> shard, ClusterMetrics metrics) {
    }

    private Placed place(ActorSystem<Void> system) {
        ClusterMetrics metrics = new ClusterMetrics(system.address().toString(), () -> null, () -> "");
        Spawner spawner = new Spawner() {
            @Override
            public <T> ActorRef<T> spawn(Behavior<T> behavior, String name, Props props) {
                return system.systemActorOf(behavior, name, props);
            }
        };
        ShardedPlacement placement = new ShardedPlacement(system, spawner, shared, Duration.ofHours(1), 2, metrics);
        Map<String, ActorRef<EmbeddingShard.Command>> refs = placement.place(EmbeddingShard.KIND, List.of("0"),
                (id, restored, sink) -> EmbeddingShard.create(restored == null
                        ? new EmbeddingRows(0, 1, DIM, 7)
                        : read(restored), 8, new SkipGramMetrics(), sink));
        return new Placed(refs.get("0"), metrics);
    }

    private static EmbeddingRows read(byte[] state) {
        try {
            return EmbeddingRows.readFrom(new DataInputStream(new ByteArrayInputStream(state)), 0, 1,
                    DIM, 7);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static EmbeddingShard.Pulled pull(ActorSystem<Void> system, ActorRef<EmbeddingShard.Command> shard) {
        return AskPattern.<EmbeddingShard.Command, EmbeddingShard.Pulled>ask(shard,
                replyTo -> new EmbeddingShard.Pull(new int[] {3}, new int[] {3}, replyTo), TIMEOUT,
                system.scheduler()).toCompletableFuture().join();
    }

    @Test
    void aShardHandedOverToAnotherNodeKeepsWhatItLearned() {
        first = node();
        second = node();
        Cluster.get(first).manager().tell(Join.create(Cluster.get(first).selfMember().address()));
        Cluster.get(second).manager().tell(Join.create(Cluster.get(first).selfMember().address()));
        await().atMost(TIMEOUT).until(() -> Cluster.get(first).state().members().size() == 2
                && Cluster.get(second).selfMember().status() == MemberStatus.up());
        Placed onFirst = place(first);
        Placed onSecond = place(second);

        float[] delta = new float[DIM];
        Arrays.fill(delta, 0.25f);
        EmbeddingShard.Pulled before = pull(second, onSecond.shard());
        EmbeddingShard.Pushed pushed = AskPattern.<EmbeddingShard.Command, EmbeddingShard.Pushed>ask(onSecond.shard(),
                replyTo -> new EmbeddingShard.Push(new int[] {3}, delta, new int[] {3}, delta, before.version(),
                        replyTo), TIMEOUT, second.scheduler()).toCompletableFuture().join();
        assertThat(pushed.applied()).isTrue();
        EmbeddingShard.Pulled learned = pull(second, onSecond.shard());

        boolean hostedByFirst = onFirst.metrics().getHostedEntities().contains("skipgram-shard/0");
        assertThat(hostedByFirst || onSecond.metrics().getHostedEntities().contains("skipgram-shard/0")).isTrue();
        ActorSystem<Void> host = hostedByFirst ? first : second;
        ActorSystem<Void> other = hostedByFirst ? second : first;
        Placed survivor = hostedByFirst ? onSecond : onFirst;
        Cluster.get(host).manager().tell(Leave.create(Cluster.get(host).selfMember().address()));
        host.getWhenTerminated().toCompletableFuture().join();

        EmbeddingShard.Pulled after = await().atMost(TIMEOUT).ignoreExceptions()
                .until(() -> pull(other, survivor.shard()), pulled -> pulled != null);
        assertThat(after.inRows()).containsExactly(learned.inRows());
        assertThat(after.outRows()).containsExactly(learned.outRows());
        assertThat(after.version()).isEqualTo(learned.version());
        assertThat(survivor.metrics().getEntitiesRestored()).isEqualTo(1);
        assertThat(survivor.metrics().getHostedEntities()).isEqualTo("skipgram-shard/0");
    }
}
