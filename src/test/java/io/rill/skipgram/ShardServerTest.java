package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.rill.ps.Parameters;
import io.rill.ps.ParameterServer;
import io.rill.testing.StateBytes;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A skip-gram shard's protocol over its rows (a generic parameter server with the shard's design): pulls, pushes one
 * version each, refusal of stale pushes, snapshots, and the same answers from a server restored from its state.
 */
class ShardServerTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static ParameterServer.Rows pull(ActorRef<ParameterServer.Command> shard, int[] in, int[] out) {
        TestProbe<ParameterServer.Rows> probe = testKit.createTestProbe();
        shard.tell(new ParameterServer.PullRows(List.of(in, out), probe.getRef()));
        return probe.receiveMessage();
    }

    private static ParameterServer.RowsPushed push(ActorRef<ParameterServer.Command> shard, int[] in,
                                                   float[] inDeltas, int[] out, float[] outDeltas,
                                                   long pulledVersion) {
        TestProbe<ParameterServer.RowsPushed> probe = testKit.createTestProbe();
        shard.tell(new ParameterServer.PushRows(List.of(in, out), List.of(inDeltas, outDeltas), 1, pulledVersion,
                probe.getRef()));
        return probe.receiveMessage();
    }

    private static ActorRef<ParameterServer.Command> spawn(int index, int shards, int dim, int maxStaleness,
                                                            long seed, byte[] restored) {
        SkipGramSettings settings = SkipGramSettings.of(ConfigFactory.parseString(
                "shards = %d, dimension = %d, seed = %d, max-staleness = %d".formatted(shards, dim, seed, maxStaleness))
                .withFallback(ConfigFactory.load().getConfig("rill.skipgram")));
        return testKit.spawn(ParameterServer.create("shard-" + index,
                SkipGramLearner.shardDesign(settings, index), restored, null, new SkipGramMetrics()));
    }

    @Test
    void pullsPushesRefusalsAndSnapshotsWorkOnFreshAndOnRestoredRows() {
        int dim = 4;
        ActorRef<ParameterServer.Command> shard = spawn(1, 2, dim, 1, 9, null);
        Parameters reference = ShardRowsTest.shard(1, 2, dim, 9);

        ParameterServer.Rows pulled = pull(shard, new int[] {3, 1}, new int[] {5});
        assertThat(pulled.version()).isZero();
        assertThat(pulled.rows().get(0)).isEqualTo(ShardRowsTest.copyInputRows(reference, new int[] {3, 1}));
        assertThat(pulled.rows().get(1)).containsOnly(0f).hasSize(dim);

        float[] ones = {1, 1, 1, 1};
        int[] none = new int[0];
        float[] noDeltas = new float[0];
        assertThat(push(shard, new int[] {3}, ones, new int[] {5}, ones, 0))
                .isEqualTo(new ParameterServer.RowsPushed(true, 1));
        assertThat(push(shard, new int[] {3}, ones, none, noDeltas, 0))
                .isEqualTo(new ParameterServer.RowsPushed(true, 2));
        // pulled at 0, now at 2: staleness 2 exceeds the bound of 1
        assertThat(push(shard, new int[] {3}, ones, none, noDeltas, 0))
                .isEqualTo(new ParameterServer.RowsPushed(false, 2));
        ShardRowsTest.apply(reference, new int[] {3}, ones, new int[] {5}, ones);
        ShardRowsTest.apply(reference, new int[] {3}, ones, none, noDeltas);

        TestProbe<ParameterServer.Rows> rows = testKit.createTestProbe();
        shard.tell(new ParameterServer.RowsBelow(SkipGramLearner.INPUT, 8, rows.getRef()));
        ParameterServer.Rows snapshot = rows.receiveMessage();
        assertThat(snapshot.version()).isEqualTo(2);
        assertThat(snapshot.rows().get(0)).isEqualTo(ShardRowsTest.inputRowsBelow(reference, 8)).hasSize(4 * dim);

        byte[] state = StateBytes.of(reference::writeTo);
        ActorRef<ParameterServer.Command> again = spawn(1, 2, dim, 1, 9, state);
        ParameterServer.Rows fromRestored = pull(again, new int[] {3, 7}, new int[] {5});
        ParameterServer.Rows fromShard = pull(shard, new int[] {3, 7}, new int[] {5});
        assertThat(fromRestored.version()).isEqualTo(fromShard.version()).isEqualTo(2);
        assertThat(fromRestored.rows().get(0)).isEqualTo(fromShard.rows().get(0));
        assertThat(fromRestored.rows().get(1)).isEqualTo(fromShard.rows().get(1));
    }
}
