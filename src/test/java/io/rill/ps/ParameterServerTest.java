package io.rill.ps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.nn.MaxNorm;
import io.rill.nn.Sgd;
import io.rill.nn.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The generic parameter server over dense blocks: updates one version each, padded when computed before a group
 * grew, clipped, constrained; stale and misshapen gradients refused; copies for pulls and subscribers; a restored
 * server continues exactly.
 */
class ParameterServerTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A 2 × 3 weight matrix growing by rows with a "classes" group, and a fixed 1 × 3 bias. */
    private static Tensors tensors(int classes) {
        return Tensors.zeros(DataType.FLOAT,
                Tensors.Spec.growing("output", classes, 3, "classes", Tensors.Axis.ROWS),
                Tensors.Spec.fixed("bias", 1, 3));
    }

    private static ServerDesign design(double clip, double maxNorm) {
        return ServerDesign.dense(() -> tensors(2), params -> new Sgd(1.0),
                Map.of("classes", (name, existing) -> 0.5), clip,
                maxNorm > 0 ? List.of(params -> MaxNorm.apply(params.get("output"), Tensors.Axis.ROWS, maxNorm))
                        : List.of(), 1, 2);
    }

    private static Tensors gradient(int classes, float value) {
        Tensors g = tensors(classes);
        for (int k = 0; k < g.count(); k++) {
            g.get(k).assign(value);
        }
        return g;
    }

    private static final class Recorded implements ServerMetrics {
        final List<Long> applied = new ArrayList<>();
        int stale;
        int misshapen;

        @Override
        public void applied(long version, long staleness, long examples, double loss) {
            applied.add(version);
        }

        @Override
        public void refusedStale(long staleness) {
            stale++;
        }

        @Override
        public void refusedMisshapen() {
            misshapen++;
        }

        @Override
        public void pulled() {
        }

        @Override
        public void restored(long version, long examples) {
        }
    }

    private static ParameterServer.Snapshot pull(ActorRef<ParameterServer.Command> server) {
        TestProbe<ParameterServer.Snapshot> probe = testKit.createTestProbe();
        server.tell(new ParameterServer.Pull(probe.getRef()));
        return probe.receiveMessage();
    }

    @Test
    void updatesArePaddedClippedConstrainedAndVersionedAndStaleOrMisshapenOnesRefused() {
        Recorded metrics = new Recorded();
        ActorRef<ParameterServer.Command> server = testKit.spawn(ParameterServer.create("m", design(0, 0), null,
                null, metrics));
        TestProbe<ParameterServer.Snapshot> subscriber = testKit.createTestProbe();
        server.tell(new ParameterServer.Subscribe(subscriber.getRef()));

        server.tell(new ParameterServer.Push(gradient(2, 0.1f), 0, 5, 1.0));
        server.tell(new ParameterServer.Grow("classes", 3)); // a third class: its row starts at the group's fill
        server.tell(new ParameterServer.Push(gradient(2, 0.1f), 1, 5, 1.0)); // computed before the growth: padded
        ParameterServer.Snapshot second = subscriber.receiveMessage(); // every 2 updates
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.examples()).isEqualTo(10);
        assertThat(second.params().get("output").getFloat(0, 0)).isCloseTo(-0.2f, within(1e-6f));
        assertThat(second.params().get("output").getFloat(2, 0)).isCloseTo(0.5f, within(1e-6f));

        server.tell(new ParameterServer.Push(gradient(3, 0.1f), 0, 1, 1.0)); // 2 versions old, bound 1: refused
        server.tell(new ParameterServer.Push(gradient(4, 0.1f), 2, 1, 1.0)); // more classes than the server
        ParameterServer.Snapshot after = pull(server);
        assertThat(after.version()).isEqualTo(2);
        assertThat(metrics.stale).isEqualTo(1);
        assertThat(metrics.misshapen).isEqualTo(1);
        assertThat(metrics.applied).containsExactly(1L, 2L);
        // the copy is the server's no more: changing it changes nothing there
        after.params().get("output").assign(9);
        assertThat(pull(server).params().get("output").getFloat(0, 0)).isCloseTo(-0.2f, within(1e-6f));
    }

    @Test
    void aPullWritesIntoTheCopyItHandsBackWhenItStillFits() {
        ActorRef<ParameterServer.Command> server = testKit.spawn(ParameterServer.create("m", design(0, 0), null,
                null, ServerMetrics.NONE));
        ParameterServer.Snapshot first = pull(server);
        server.tell(new ParameterServer.Push(gradient(2, 0.1f), 0, 1, 0.0));
        TestProbe<ParameterServer.Snapshot> probe = testKit.createTestProbe();
        server.tell(new ParameterServer.Pull(probe.getRef(), first.params()));
        ParameterServer.Snapshot second = probe.receiveMessage();
        assertThat(second.params()).isSameAs(first.params());
        assertThat(second.version()).isEqualTo(1);
        assertThat(second.params().get("output").getFloat(0, 0)).isCloseTo(-0.1f, within(1e-6f));

        server.tell(new ParameterServer.Grow("classes", 3)); // the old copy no longer fits: a new one
        server.tell(new ParameterServer.Pull(probe.getRef(), first.params()));
        ParameterServer.Snapshot third = probe.receiveMessage();
        assertThat(third.params()).isNotSameAs(first.params());
        assertThat(third.params().get("output").rows()).isEqualTo(3);
    }

    @Test
    void clippingAndMaxNormBoundTheUpdate() {
        ActorRef<ParameterServer.Command> server = testKit.spawn(ParameterServer.create("m", design(1.0, 0.3), null,
                null, ServerMetrics.NONE));
        server.tell(new ParameterServer.Push(gradient(2, 10f), 0, 1, 0.0));
        ParameterServer.Snapshot snapshot = pull(server);
        // the gradient's global norm (10 × √9) is clipped to 1, so each entry moves by 1/3 ...
        assertThat(snapshot.params().get("bias").getFloat(0, 0)).isCloseTo(-1f / 3, within(1e-5f));
        // ... and each output row, at norm 1/√3 after the step, is capped at 0.3
        assertThat(snapshot.params().get("output").getRow(0).norm2Number().doubleValue()).isCloseTo(0.3, within(1e-5));
    }

    @Test
    void aServerRestoredFromItsStateGoesOnExactlyAndAMisfitStateIsRefused() {
        ActorRef<ParameterServer.Command> server = testKit.spawn(ParameterServer.create("m", design(0, 0), null,
                null, ServerMetrics.NONE));
        server.tell(new ParameterServer.Grow("classes", 4));
        server.tell(new ParameterServer.Push(gradient(4, 0.25f), 0, 3, 0.0));
        TestProbe<ParameterServer.ExportedState> exported = testKit.createTestProbe();
        server.tell(new ParameterServer.ExportState(exported.getRef()));
        byte[] state = exported.receiveMessage().bytes();

        ActorRef<ParameterServer.Command> restored = testKit.spawn(ParameterServer.create("m", design(0, 0), state,
                null, ServerMetrics.NONE));
        server.tell(new ParameterServer.Push(gradient(4, 0.5f), 1, 3, 0.0));
        restored.tell(new ParameterServer.Push(gradient(4, 0.5f), 1, 3, 0.0));
        ParameterServer.Snapshot a = pull(server);
        ParameterServer.Snapshot b = pull(restored);
        assertThat(b.version()).isEqualTo(a.version()).isEqualTo(2);
        assertThat(b.examples()).isEqualTo(6);
        assertThat(b.params().get("output").toFloatMatrix()).isEqualTo(a.params().get("output").toFloatMatrix());

        ServerDesign other = ServerDesign.dense(() -> Tensors.zeros(DataType.FLOAT,
                Tensors.Spec.fixed("weights", 2, 2)), params -> new Sgd(1.0), Map.of(), 0, List.of(), 1, 0);
        assertThatThrownBy(() -> ParameterServer.create("m", other, state, null, ServerMetrics.NONE))
                .hasMessageContaining("does not fit this configuration");
    }
}
