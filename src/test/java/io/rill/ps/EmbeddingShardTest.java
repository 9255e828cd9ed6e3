package io.rill.ps;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.testing.StateBytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The shard's protocol over its rows: pulls, pushes one version each, refusal of stale pushes, snapshots. */
class EmbeddingShardTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static EmbeddingShard.Pulled pull(ActorRef<EmbeddingShard.Command> shard, int[] in, int[] out) {
        TestProbe<EmbeddingShard.Pulled> probe = testKit.createTestProbe();
        shard.tell(new EmbeddingShard.Pull(in, out, probe.getRef()));
        return probe.receiveMessage();
    }

    private static EmbeddingShard.Pushed push(ActorRef<EmbeddingShard.Command> shard, int[] in, float[] inDeltas,
                                              int[] out, float[] outDeltas, long pulledVersion) {
        TestProbe<EmbeddingShard.Pushed> probe = testKit.createTestProbe();
        shard.tell(new EmbeddingShard.Push(in, inDeltas, out, outDeltas, pulledVersion, probe.getRef()));
        return probe.receiveMessage();
    }

    @Test
    void pullsPushesRefusalsAndSnapshotsWorkOnFreshAndOnRestoredRows() {
        int dim = 4;
        ActorRef<EmbeddingShard.Command> shard = testKit.spawn(EmbeddingShard.create(1, 2, dim, 1, 9,
                new SkipGramMetrics()));
        EmbeddingRows reference = new EmbeddingRows(1, 2, dim, 9);

        EmbeddingShard.Pulled pulled = pull(shard, new int[] {3, 1}, new int[] {5});
        assertThat(pulled.version()).isZero();
        assertThat(pulled.inRows()).isEqualTo(reference.copyInputRows(new int[] {3, 1}));
        assertThat(pulled.outRows()).containsOnly(0f).hasSize(dim);

        float[] ones = {1, 1, 1, 1};
        int[] none = new int[0];
        float[] noDeltas = new float[0];
        assertThat(push(shard, new int[] {3}, ones, new int[] {5}, ones, 0))
                .isEqualTo(new EmbeddingShard.Pushed(true, 1));
        assertThat(push(shard, new int[] {3}, ones, none, noDeltas, 0)).isEqualTo(new EmbeddingShard.Pushed(true, 2));
        // pulled at 0, now at 2: staleness 2 exceeds the bound of 1
        assertThat(push(shard, new int[] {3}, ones, none, noDeltas, 0)).isEqualTo(new EmbeddingShard.Pushed(false, 2));
        reference.apply(new int[] {3}, ones, new int[] {5}, ones);
        reference.apply(new int[] {3}, ones, none, noDeltas);

        TestProbe<EmbeddingShard.Rows> rows = testKit.createTestProbe();
        shard.tell(new EmbeddingShard.Snapshot(8, rows.getRef()));
        EmbeddingShard.Rows snapshot = rows.receiveMessage();
        assertThat(snapshot.index()).isEqualTo(1);
        assertThat(snapshot.version()).isEqualTo(2);
        assertThat(snapshot.inRows()).isEqualTo(reference.inputRowsBelow(8)).hasSize(4 * dim);

        EmbeddingRows restored = StateBytes.roundTrip(reference::writeTo,
                in -> EmbeddingRows.readFrom(in, 1, 2, dim, 9));
        ActorRef<EmbeddingShard.Command> again = testKit.spawn(EmbeddingShard.create(restored, 1,
                new SkipGramMetrics()));
        EmbeddingShard.Pulled fromRestored = pull(again, new int[] {3, 7}, new int[] {5});
        EmbeddingShard.Pulled fromShard = pull(shard, new int[] {3, 7}, new int[] {5});
        assertThat(fromRestored.version()).isEqualTo(fromShard.version()).isEqualTo(2);
        assertThat(fromRestored.inRows()).isEqualTo(fromShard.inRows());
        assertThat(fromRestored.outRows()).isEqualTo(fromShard.outRows());
    }
}
