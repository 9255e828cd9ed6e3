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
import io.rill.learn.Spawner;
import io.rill.ps.ParameterServer;
import io.rill.ps.Placement;
import io.rill.ps.RowBlocks;
import io.rill.ps.ServerDesign;
import io.rill.ps.ServerMetrics;
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

    private record Placed(ActorRef<ParameterServer.Command> shard, ClusterMetrics metrics) {
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
        Map<String, ActorRef<ParameterServer.Command>> refs = placement.place(SHARD, List.of("0"),
                (id, restored, sink) -> ParameterServer.create(id, DESIGN, restored, sink, ServerMetrics.NONE));
        return new Placed(refs.get("0"), metrics);
    }

    /** A shard of a word table: input rows from their ids, output rows at zero, as skip-gram lays them out. */
    private static final Placement.Kind<ParameterServer.Command> SHARD = ParameterServer.kind("skipgram-shard");
    private static final ServerDesign DESIGN = ServerDesign.rows(() -> new RowBlocks(DIM, 1, 0, List.of(
            new RowBlocks.Block("input", (id, rows, offset, dim) -> Arrays.fill(rows, offset, offset + dim, 0.1f * id)),
            new RowBlocks.Block("output", RowBlocks.ZEROS))), 8);

    private static ParameterServer.Rows pull(ActorSystem<Void> system, ActorRef<ParameterServer.Command> shard) {
        return AskPattern.<ParameterServer.Command, ParameterServer.Rows>ask(shard,
                replyTo -> new ParameterServer.PullRows(List.of(new int[] {3}, new int[] {3}), replyTo), TIMEOUT,
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
        ParameterServer.Rows before = pull(second, onSecond.shard());
        ParameterServer.RowsPushed pushed = AskPattern.<ParameterServer.Command, ParameterServer.RowsPushed>ask(
                onSecond.shard(), replyTo -> new ParameterServer.PushRows(List.of(new int[] {3}, new int[] {3}),
                        List.of(delta, delta), 1, before.version(), replyTo), TIMEOUT, second.scheduler())
                .toCompletableFuture().join();
        assertThat(pushed.applied()).isTrue();
        ParameterServer.Rows learned = pull(second, onSecond.shard());

        boolean hostedByFirst = onFirst.metrics().getHostedEntities().contains("skipgram-shard/0");
        assertThat(hostedByFirst || onSecond.metrics().getHostedEntities().contains("skipgram-shard/0")).isTrue();
        ActorSystem<Void> host = hostedByFirst ? first : second;
        ActorSystem<Void> other = hostedByFirst ? second : first;
        Placed survivor = hostedByFirst ? onSecond : onFirst;
        Cluster.get(host).manager().tell(Leave.create(Cluster.get(host).selfMember().address()));
        host.getWhenTerminated().toCompletableFuture().join();

        ParameterServer.Rows after = await().atMost(TIMEOUT).ignoreExceptions()
                .until(() -> pull(other, survivor.shard()), pulled -> pulled != null);
        assertThat(after.rows().get(0)).containsExactly(learned.rows().get(0));
        assertThat(after.rows().get(1)).containsExactly(learned.rows().get(1));
        assertThat(after.version()).isEqualTo(learned.version());
        assertThat(survivor.metrics().getEntitiesRestored()).isEqualTo(1);
        assertThat(survivor.metrics().getHostedEntities()).isEqualTo("skipgram-shard/0");
    }
}
