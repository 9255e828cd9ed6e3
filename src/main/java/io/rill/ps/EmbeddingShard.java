package io.rill.ps;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.checkpoint.StateSink;
import io.rill.wire.BinaryArrays.Floats;
import io.rill.wire.BinaryArrays.Ints;
import io.rill.wire.CborSerializable;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.state.StateFormat;

/**
 * One shard of the parameter server of the word embeddings: it owns the input and output rows of the word ids
 * {@code id % shards == index}, serves copies of the rows a worker asks for (a sparse pull, stamped with the
 * shard's version), and applies the row deltas workers push, one push per version. A push computed on rows older
 * than {@code maxStaleness} versions is refused, and the worker refreshes and recomputes.
 *
 * <p>Rows live in plain float arrays, local row = id / shards, grown as ids appear: every access is a handful of
 * rows, and one ND4J call costs more than updating a row by hand (≈27 µs here), so the row loops run over the
 * arrays themselves. A new input row starts uniform in ±0.5/dim, seeded by its id (as word2vec), an output row at 0.
 *
 * <p>State it owns: its rows and its version, an {@link EmbeddingRows}. Lost when it stops: all of it, unless it is
 * started again from rows written to a checkpoint.
 */
public final class EmbeddingShard extends AbstractBehavior<EmbeddingShard.Command> {

    public sealed interface Command extends CborSerializable {
    }

    /** Copies of the input rows of {@code inIds} and the output rows of {@code outIds}, all owned by this shard. */
    public record Pull(@Ints int[] inIds, @Ints int[] outIds, ActorRef<Pulled> replyTo) implements Command {
    }

    /** The rows in the order asked, row-major, and the version they are at. */
    public record Pulled(@Floats float[] inRows, @Floats float[] outRows, long version) implements CborSerializable {
    }

    /** Row deltas (new − old, row-major in id order) computed on rows pulled at {@code pulledVersion}. */
    public record Push(@Ints int[] inIds, @Floats float[] inDeltas, @Ints int[] outIds, @Floats float[] outDeltas,
                       long pulledVersion, ActorRef<Pushed> replyTo) implements Command {
    }

    /** Whether the push was applied, and the shard's version after it. */
    public record Pushed(boolean applied, long version) implements CborSerializable {
    }

    /** On a cluster: write the state to the actor's own store now (a timer sends it). */
    public record SaveState() implements Command {
    }

    /** On a cluster: write the state, then stop (Cluster Sharding sends it before handing the actor over). */
    public record SaveAndStop() implements Command {
    }

    /** Asks for the actor's whole state as bytes, for a checkpoint. */
    public record ExportState(ActorRef<ExportedState> replyTo) implements Command {
    }

    public record ExportedState(byte[] bytes) implements CborSerializable {
    }

    /** Asks for a copy of every input row below {@code idLimit} that this shard owns, for a query snapshot. */
    public record Snapshot(int idLimit, ActorRef<Rows> replyTo) implements Command {
    }

    /** Input rows of ids {@code index, index + shards, ...}, row-major, unset rows zero; at {@code version}. */
    public record Rows(int index, @Floats float[] inRows, long version) implements CborSerializable {
    }

    private final EmbeddingRows rows;
    private final int maxStaleness;
    private final SkipGramMetrics metrics;
    /** Where the actor saves its own state on a cluster; null on a single node. */
    private final StateSink sink;

    public static Behavior<Command> create(int index, int shards, int dim, int maxStaleness, long seed,
                                           SkipGramMetrics metrics) {
        return Behaviors.setup(context -> new EmbeddingShard(context, new EmbeddingRows(index, shards, dim, seed),
                maxStaleness, metrics, null));
    }

    /**
     * A shard that starts from {@code rows}, say ones restored from a checkpoint, and owns them from then on: nothing
     * else may use them.
     */
    public static Behavior<Command> create(EmbeddingRows rows, int maxStaleness, SkipGramMetrics metrics) {
        return create(rows, maxStaleness, metrics, null);
    }

    /** As {@link #create(EmbeddingRows, int, SkipGramMetrics)}, saving its own state to {@code sink} on a cluster. */
    public static Behavior<Command> create(EmbeddingRows rows, int maxStaleness, SkipGramMetrics metrics,
                                           StateSink sink) {
        return Behaviors.setup(context -> new EmbeddingShard(context, rows, maxStaleness, metrics, sink));
    }

    /** The kind of server, for {@link Placement}. */
    public static final Placement.Kind<Command> KIND =
            new Placement.Kind<>("skipgram-shard", Command.class, new SaveState(), new SaveAndStop());

    private EmbeddingShard(ActorContext<Command> context, EmbeddingRows rows, int maxStaleness,
                           SkipGramMetrics metrics, StateSink sink) {
        super(context);
        this.sink = sink;
        this.rows = rows;
        this.maxStaleness = maxStaleness;
        this.metrics = metrics;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Pull.class, this::onPull)
                .onMessage(Push.class, this::onPush)
                .onMessage(Snapshot.class, this::onSnapshot)
                .onMessage(ExportState.class, this::onExportState)
                .onMessage(SaveState.class, this::onSaveState)
                .onMessage(SaveAndStop.class, this::onSaveAndStop)
                .build();
    }

    private Behavior<Command> onPull(Pull pull) {
        float[] inRows = rows.copyInputRows(pull.inIds());
        float[] outRows = rows.copyOutputRows(pull.outIds());
        pull.replyTo().tell(new Pulled(inRows, outRows, rows.version()));
        return this;
    }

    private Behavior<Command> onPush(Push push) {
        long staleness = rows.version() - push.pulledVersion();
        if (staleness > maxStaleness) {
            metrics.pushRefused();
            push.replyTo().tell(new Pushed(false, rows.version()));
            return this;
        }
        rows.apply(push.inIds(), push.inDeltas(), push.outIds(), push.outDeltas());
        metrics.pushApplied(staleness);
        push.replyTo().tell(new Pushed(true, rows.version()));
        return this;
    }

    private Behavior<Command> onSnapshot(Snapshot snapshot) {
        snapshot.replyTo().tell(new Rows(rows.index(), rows.inputRowsBelow(snapshot.idLimit()), rows.version()));
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
        getContext().getLog().info("embedding shard: state saved, handing over");
        return Behaviors.stopped();
    }

    private byte[] stateBytes() {
        return StateFormat.toBytes(rows::writeTo);
    }
}
