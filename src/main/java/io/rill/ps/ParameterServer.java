package io.rill.ps;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.checkpoint.StateSink;
import io.rill.nn.Tensors;
import io.rill.state.StateFormat;
import io.rill.wire.BinaryArrays.FloatArrays;
import io.rill.wire.BinaryArrays.IntArrays;
import io.rill.wire.CborSerializable;
import io.rill.wire.LocalOnly;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parameter server: the one owner of a model's parameters (or of one shard of them), which workers update
 * asynchronously and read copies of. It holds named parameter blocks ({@link Parameters}) as the model's design says
 * ({@link ServerDesign}):
 * <ul>
 *   <li><b>dense blocks</b> (LSTM, CNN and attention weights): workers push the gradient of every step without
 *       waiting; the server pads a gradient computed before the blocks grew, clips it, steps the optimizer (Adam,
 *       Adadelta, SGD), applies the constraints (max-norm) and moves the version on. Workers pull a copy every few
 *       steps. A vocabulary that grows adds entries to a block group ({@link Grow}), filled as the design says;</li>
 *   <li><b>row-sparse blocks</b> (word embeddings): workers pull copies of the rows a minibatch touches and push their
 *       row deltas, one push per version, answered so a refused one can be recomputed.</li>
 * </ul>
 * An update computed on a copy more than {@code max-staleness} versions old is refused and counted.
 *
 * <p>State it owns: the parameters, the optimizer's state, version and examples trained, the subscribers. Lost when
 * it stops: whatever happened since the last checkpoint (or, on a cluster, its last save), which holds all of it but
 * the subscribers, who subscribe again now and then.
 */
public final class ParameterServer extends AbstractBehavior<ParameterServer.Command> {

    public sealed interface Command extends CborSerializable {
    }

    /** A gradient of the dense blocks, computed on the parameters of {@code version} from {@code examples}. */
    public record Push(Tensors gradients, long version, int examples, double loss) implements Command {
    }

    /**
     * Asks for a copy of the dense blocks. {@code reuse}, when not null, is an earlier copy the asker no longer reads:
     * if it still has the blocks' shapes the copy is written into it instead of into new arrays. ND4J allocates large
     * arrays slowly (tens of milliseconds for tens of megabytes of fresh native pages), so a worker that pulls a
     * large model every step hands its previous copy back; only on the server's own node, since across nodes the
     * copy travels anyway.
     */
    public record Pull(ActorRef<Snapshot> replyTo, Tensors reuse) implements Command {
        public Pull(ActorRef<Snapshot> replyTo) {
            this(replyTo, null);
        }
    }

    /** A copy of the dense blocks of server {@code server} at {@code version}, after {@code examples} trained. */
    public record Snapshot(String server, Tensors params, long version, long examples) implements CborSerializable {
    }

    /** Grows the dense blocks' group {@code group} (a vocabulary) to at least {@code size} entries. */
    public record Grow(String group, int size) implements Command {
    }

    /**
     * Copies of the rows {@code ids.get(b)} of every row block b. {@code into}, if not null, lends an array per block
     * to copy them into when it is long enough (else a new one is made): a worker on the same node hands back the
     * arrays of its earlier pushes and allocates nothing per pull. It is not sent between nodes.
     */
    public record PullRows(@IntArrays List<int[]> ids, @LocalOnly List<float[]> into, ActorRef<Rows> replyTo)
            implements Command {

        /** Rows copied into new arrays. */
        public PullRows(List<int[]> ids, ActorRef<Rows> replyTo) {
            this(ids, null, replyTo);
        }
    }

    /**
     * Rows of every block asked, row-major in the order asked, and the version they are at. An array may be longer
     * than its rows (a lent one, see {@link PullRows}): the rows are its first {@code ids.length · dim} floats.
     */
    public record Rows(@FloatArrays List<float[]> rows, long version) implements CborSerializable {
    }

    /**
     * Row deltas (new − old, row-major) of every row block, computed on rows pulled at {@code pulledVersion}; only the
     * first {@code ids.length · dim} floats of each array are read (it may be a lent array of {@link Rows}). The
     * sender does not write the arrays again: the server may read them any time until it answers.
     */
    public record PushRows(@IntArrays List<int[]> ids, @FloatArrays List<float[]> deltas, int examples,
                           long pulledVersion, ActorRef<RowsPushed> replyTo) implements Command {
    }

    /** Whether the push was applied, and the server's version after it. */
    public record RowsPushed(boolean applied, long version) implements CborSerializable {
    }

    /** Asks for every row of block {@code block} below id {@code idLimit} that this server owns (a query snapshot). */
    public record RowsBelow(int block, int idLimit, ActorRef<Rows> replyTo) implements Command {
    }

    /** An operator sets the optimizer's learning rate. */
    public record SetLearningRate(double rate) implements Command {
    }

    /**
     * Registers {@code listener} for a copy of the dense blocks every {@code publish-every} updates. Listeners send
     * it again now and then: on a cluster the server may have restarted on another node, without them.
     */
    public record Subscribe(ActorRef<Snapshot> listener) implements Command {
    }

    /** Asks for the server's whole state as bytes, for a checkpoint. */
    public record ExportState(ActorRef<ExportedState> replyTo) implements Command {
    }

    public record ExportedState(byte[] bytes) implements CborSerializable {
    }

    /** On a cluster: write the state to the server's own store now (a timer sends it). */
    public record SaveState() implements Command {
    }

    /** On a cluster: write the state, then stop (Cluster Sharding sends it before handing the server over). */
    public record SaveAndStop() implements Command {
    }

    /** A kind of parameter server, for {@link Placement}: its name is its sharding type and checkpoint section. */
    public static Placement.Kind<Command> kind(String name) {
        return new Placement.Kind<>(name, Command.class, new SaveState(), new SaveAndStop());
    }

    private final String name;
    private final ServerDesign design;
    private final Parameters parameters;
    private final ServerMetrics metrics;
    private final List<ActorRef<Snapshot>> listeners = new ArrayList<>();
    /** Where the server saves its own state on a cluster; null on a single node. */
    private final StateSink sink;

    /**
     * Server {@code name} of {@code design}, starting from {@code restored} (the bytes of an {@link ExportState}; null:
     * afresh), saving itself to {@code sink} if not null; fails, saying why, if the restored bytes do not fit.
     */
    public static Behavior<Command> create(String name, ServerDesign design, byte[] restored, StateSink sink,
                                           ServerMetrics metrics) {
        Parameters parameters = restored == null ? new Parameters(design) : read(name, design, restored);
        if (restored != null) {
            metrics.restored(parameters.version(), parameters.examples());
        }
        return Behaviors.setup(context -> new ParameterServer(context, name, design, parameters, metrics, sink));
    }

    /** The parameters of a saved state, read before the actor starts so that a misfit fails where it is placed. */
    private static Parameters read(String name, ServerDesign design, byte[] restored) {
        try {
            return Parameters.readFrom(new DataInputStream(new ByteArrayInputStream(restored)), design,
                    "parameter server " + name);
        } catch (IOException e) {
            throw new IllegalStateException("the saved state of parameter server " + name + " does not fit this "
                    + "configuration: " + e.getMessage() + " (restore the settings it was written with, or move the "
                    + "checkpoint aside)", e);
        }
    }

    private ParameterServer(ActorContext<Command> context, String name, ServerDesign design, Parameters parameters,
                            ServerMetrics metrics, StateSink sink) {
        super(context);
        this.name = name;
        this.design = design;
        this.parameters = parameters;
        this.metrics = metrics;
        this.sink = sink;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Push.class, this::onPush)
                .onMessage(Pull.class, this::onPull)
                .onMessage(Grow.class, this::onGrow)
                .onMessage(PullRows.class, this::onPullRows)
                .onMessage(PushRows.class, this::onPushRows)
                .onMessage(RowsBelow.class, this::onRowsBelow)
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(SetLearningRate.class, this::onSetLearningRate)
                .onMessage(ExportState.class, this::onExportState)
                .onMessage(SaveState.class, this::onSaveState)
                .onMessage(SaveAndStop.class, this::onSaveAndStop)
                .build();
    }

    private Behavior<Command> onPush(Push push) {
        long staleness = parameters.version() - push.version();
        if (staleness > design.maxStaleness()) {
            metrics.refusedStale(staleness);
            return this;
        }
        if (!parameters.fits(push.gradients())) {
            // Another node's model of another shape (its configuration differs from this one's).
            metrics.refusedMisshapen();
            getContext().getLog().warn("parameter server {}: refused a gradient of {}, the parameters are {}", name,
                    push.gradients().specs(), parameters.dense().specs());
            return this;
        }
        parameters.apply(push.gradients(), push.examples());
        metrics.applied(parameters.version(), staleness, push.examples(), push.loss());
        if (design.publishEvery() > 0 && parameters.version() % design.publishEvery() == 0 && !listeners.isEmpty()) {
            Snapshot snapshot = snapshot();
            listeners.forEach(listener -> listener.tell(snapshot));
        }
        return this;
    }

    private Behavior<Command> onPull(Pull pull) {
        metrics.pulled();
        Tensors dense = parameters.dense();
        if (pull.reuse() != null && pull.reuse().sameShapeAs(dense)) {
            for (int k = 0; k < dense.count(); k++) {
                pull.reuse().get(k).assign(dense.get(k));
            }
            pull.replyTo().tell(new Snapshot(name, pull.reuse(), parameters.version(), parameters.examples()));
            return this;
        }
        pull.replyTo().tell(snapshot());
        return this;
    }

    private Behavior<Command> onGrow(Grow grow) {
        if (parameters.grow(grow.group(), grow.size())) {
            metrics.grew(grow.group(), parameters.dense().groupSize(grow.group()));
        }
        return this;
    }

    private Behavior<Command> onPullRows(PullRows pull) {
        pull.replyTo().tell(new Rows(Arrays.asList(parameters.pullRows(pull.ids(), pull.into())), parameters.version()));
        return this;
    }

    private Behavior<Command> onPushRows(PushRows push) {
        long staleness = parameters.version() - push.pulledVersion();
        if (staleness > design.maxStaleness()) {
            metrics.refusedStale(staleness);
            push.replyTo().tell(new RowsPushed(false, parameters.version()));
            return this;
        }
        parameters.pushRows(push.ids(), push.deltas(), push.examples());
        metrics.applied(parameters.version(), staleness, push.examples(), Double.NaN);
        push.replyTo().tell(new RowsPushed(true, parameters.version()));
        return this;
    }

    private Behavior<Command> onRowsBelow(RowsBelow below) {
        below.replyTo().tell(new Rows(List.of(parameters.rows().rowsBelow(below.block(), below.idLimit())),
                parameters.version()));
        return this;
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        if (!listeners.contains(subscribe.listener())) { // listeners subscribe again now and then
            listeners.add(subscribe.listener());
        }
        return this;
    }

    private Behavior<Command> onSetLearningRate(SetLearningRate set) {
        parameters.learningRate(set.rate());
        getContext().getLog().info("parameter server {}: learning rate set to {} by an operator", name, set.rate());
        return this;
    }

    private Behavior<Command> onExportState(ExportState export) {
        export.replyTo().tell(new ExportedState(stateBytes()));
        return this;
    }

    private Behavior<Command> onSaveState(SaveState save) {
        sink.save(stateBytes());
        return this;
    }

    private Behavior<Command> onSaveAndStop(SaveAndStop stop) {
        sink.saveNow(stateBytes());
        getContext().getLog().info("parameter server {}: state saved at version {}, handing over", name,
                parameters.version());
        return Behaviors.stopped();
    }

    private byte[] stateBytes() {
        return StateFormat.toBytes(parameters::writeTo);
    }

    private Snapshot snapshot() {
        return new Snapshot(name, parameters.dense().copy(), parameters.version(), parameters.examples());
    }
}
