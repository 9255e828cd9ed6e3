package io.rill.ps;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.ops.SkipGramMetrics;
import io.rill.skipgram.SgnsKernel;
import io.rill.skipgram.SplitMix64;

import java.util.Arrays;

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
 * <p>State it owns: its rows and its version. Lost when it stops: all of it (checkpoints come with the
 * reliability work).
 */
public final class EmbeddingShard extends AbstractBehavior<EmbeddingShard.Command> {

    public sealed interface Command {
    }

    /** Copies of the input rows of {@code inIds} and the output rows of {@code outIds}, all owned by this shard. */
    public record Pull(int[] inIds, int[] outIds, ActorRef<Pulled> replyTo) implements Command {
    }

    /** The rows in the order asked, row-major, and the version they are at. */
    public record Pulled(float[] inRows, float[] outRows, long version) {
    }

    /** Row deltas (new − old, row-major in id order) computed on rows pulled at {@code pulledVersion}. */
    public record Push(int[] inIds, float[] inDeltas, int[] outIds, float[] outDeltas, long pulledVersion,
                       ActorRef<Pushed> replyTo) implements Command {
    }

    /** Whether the push was applied, and the shard's version after it. */
    public record Pushed(boolean applied, long version) {
    }

    /** Asks for a copy of every input row below {@code idLimit} that this shard owns, for a query snapshot. */
    public record Snapshot(int idLimit, ActorRef<Rows> replyTo) implements Command {
    }

    /** Input rows of ids {@code index, index + shards, ...}, row-major, unset rows zero; at {@code version}. */
    public record Rows(int index, float[] inRows, long version) {
    }

    private final int index;
    private final int shards;
    private final int dim;
    private final int maxStaleness;
    private final long seed;
    private final SkipGramMetrics metrics;
    private float[] in = new float[0];
    private float[] out = new float[0];
    private boolean[] initialised = new boolean[0];
    private long version;

    public static Behavior<Command> create(int index, int shards, int dim, int maxStaleness, long seed,
                                           SkipGramMetrics metrics) {
        return Behaviors.setup(context -> new EmbeddingShard(context, index, shards, dim, maxStaleness, seed, metrics));
    }

    private EmbeddingShard(ActorContext<Command> context, int index, int shards, int dim, int maxStaleness, long seed,
                           SkipGramMetrics metrics) {
        super(context);
        this.index = index;
        this.shards = shards;
        this.dim = dim;
        this.maxStaleness = maxStaleness;
        this.seed = seed;
        this.metrics = metrics;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Pull.class, this::onPull)
                .onMessage(Push.class, this::onPush)
                .onMessage(Snapshot.class, this::onSnapshot)
                .build();
    }

    private Behavior<Command> onPull(Pull pull) {
        float[] inRows = new float[pull.inIds().length * dim];
        for (int i = 0; i < pull.inIds().length; i++) {
            int row = rowOf(pull.inIds()[i]); // first: it may grow the arrays
            System.arraycopy(in, row * dim, inRows, i * dim, dim);
        }
        float[] outRows = new float[pull.outIds().length * dim];
        for (int i = 0; i < pull.outIds().length; i++) {
            int row = rowOf(pull.outIds()[i]);
            System.arraycopy(out, row * dim, outRows, i * dim, dim);
        }
        pull.replyTo().tell(new Pulled(inRows, outRows, version));
        return this;
    }

    private Behavior<Command> onPush(Push push) {
        long staleness = version - push.pulledVersion();
        if (staleness > maxStaleness) {
            metrics.pushRefused();
            push.replyTo().tell(new Pushed(false, version));
            return this;
        }
        addRows(in, push.inIds(), push.inDeltas());
        addRows(out, push.outIds(), push.outDeltas());
        version++;
        metrics.pushApplied(staleness);
        push.replyTo().tell(new Pushed(true, version));
        return this;
    }

    private void addRows(float[] matrix, int[] ids, float[] deltas) {
        for (int i = 0; i < ids.length; i++) {
            int row = rowOf(ids[i]); // rows were created by the pull this push follows
            SgnsKernel.axpy(1f, deltas, i * dim, matrix, row * dim, dim);
        }
    }

    private Behavior<Command> onSnapshot(Snapshot snapshot) {
        int rows = (snapshot.idLimit() - index + shards - 1) / shards;
        float[] copy = new float[Math.max(0, rows) * dim];
        System.arraycopy(in, 0, copy, 0, Math.min(copy.length, in.length));
        snapshot.replyTo().tell(new Rows(index, copy, version));
        return this;
    }

    /** The local row of a word id, growing and initialising rows on first use. */
    private int rowOf(int id) {
        if (id % shards != index) {
            throw new IllegalArgumentException("word id " + id + " belongs to shard " + id % shards + ", not " + index);
        }
        int row = id / shards;
        if (row >= initialised.length) {
            int rows = Math.max(row + 1, initialised.length * 2);
            in = Arrays.copyOf(in, rows * dim);
            out = Arrays.copyOf(out, rows * dim);
            initialised = Arrays.copyOf(initialised, rows);
        }
        if (!initialised[row]) {
            SgnsKernel.initInputRow(in, row, dim, new SplitMix64(seed ^ (0x9E3779B97F4A7C15L * (id + 1L))));
            initialised[row] = true;
        }
        return row;
    }
}
