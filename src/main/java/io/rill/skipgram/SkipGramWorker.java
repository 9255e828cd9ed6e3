package io.rill.skipgram;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.ps.ParameterServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A skip-gram worker: trains batches of (center, context) pairs in minibatches against the parameter-server shards.
 * For each minibatch it draws the negatives, maps the words to local rows grouped by the shard that owns them, pulls
 * copies of only those rows, runs the SGNS kernel on them, and pushes each shard its row deltas, without waiting for
 * the push to be applied. Workers never wait for each other.
 *
 * <p><b>Pipelined.</b> The rows of minibatch m + 1 are asked for before minibatch m is trained, so they are there when
 * m is done. They were served before m's deltas reached the shards (a shard handles one sender's messages in order,
 * and m's push leaves after m + 1's pull), so m's deltas are added to the rows both minibatches share as they
 * arrive; m + 1's deltas are then measured from that. A push computed on rows more than {@code max-staleness}
 * versions old is refused; at the end of a batch the worker waits for every push's answer and trains a refused
 * minibatch again on freshly pulled rows, pushing it to the refusing shard only (its deltas on the other shards are
 * in). Only then does it answer, so an answered batch has reached the model.
 *
 * <p>It blocks on its round trips, so it runs on a dispatcher of its own ({@link SkipGramSettings#WORKER_DISPATCHER}).
 *
 * <p>State it owns: its random generator, its two minibatches' buffers and its loss average. Lost when it
 * stops: nothing that matters; the parameters live in the shards.
 */
public final class SkipGramWorker extends AbstractBehavior<SkipGramWorker.Command> {

    public sealed interface Command {
    }

    /** Pairs {@code (centers[i], contexts[i])}, i < pairs, to train with these negatives and this learning rate. */
    public record Train(int[] centers, int[] contexts, int pairs, AliasTable negatives, float learningRate,
                        ActorRef<Trained> replyTo) implements Command {
    }

    /** The batch is trained and its deltas are applied. */
    public record Trained(long pairs, double lossSum) {
    }

    private static final Duration ROUND_TRIP_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_REFRESHES = 3;
    /** The loss is computed on one pair in this many (it is only reported). */
    private static final int LOSS_EVERY = 16;

    private final List<ActorRef<ParameterServer.Command>> shards;
    private final SgnsKernel kernel;
    private final SplitMix64 random;
    private final int minibatchPairs;
    private final int dim;
    private final SkipGramMetrics metrics;
    private final LossAverage loss = new LossAverage(1_000_000);
    private Minibatch current;
    private Minibatch previous;

    public static Behavior<Command> create(List<ActorRef<ParameterServer.Command>> shards, SkipGramSettings settings,
                                           long seed, SkipGramMetrics metrics) {
        return Behaviors.setup(context -> new SkipGramWorker(context, shards, settings, seed, metrics));
    }

    private SkipGramWorker(ActorContext<Command> context, List<ActorRef<ParameterServer.Command>> shards,
                           SkipGramSettings settings, long seed, SkipGramMetrics metrics) {
        super(context);
        this.shards = List.copyOf(shards);
        this.kernel = new SgnsKernel(settings.dimension(), settings.negatives());
        this.random = new SplitMix64(seed);
        this.minibatchPairs = settings.minibatchPairs();
        this.dim = settings.dimension();
        this.metrics = metrics;
        this.current = new Minibatch(settings.dimension(), settings.negatives());
        this.previous = new Minibatch(settings.dimension(), settings.negatives());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Train.class, this::onTrain)
                .build();
    }

    /** A push on its way: the minibatch's pairs, the shard, its answer. */
    private record Pushed(int from, int to, int shard, CompletableFuture<ParameterServer.RowsPushed> answer) {
    }

    private Behavior<Command> onTrain(Train train) {
        double lossSum = 0;
        if (train.negatives().size() > 0 && train.pairs() > 0) {
            List<Pushed> pushed = new ArrayList<>();
            previous.trained = false; // the last batch's pushes are all answered: its deltas are in what we pull
            plan(current, train, 0);
            pull(current);
            while (true) {
                receive(current, previous);
                int to = current.to;
                if (to < train.pairs()) {
                    plan(previous, train, to); // the previous minibatch's rows are merged: its buffers are free
                    pull(previous);
                }
                double minibatchLoss = current.batch.train(kernel, train.learningRate(), LOSS_EVERY);
                deltas(current);
                for (int shard = 0; shard < shards.size(); shard++) {
                    pushed.add(new Pushed(current.from, to, shard, push(current, shard)));
                }
                current.trained = true;
                lossSum += minibatchLoss;
                loss.add(minibatchLoss, to - current.from);
                metrics.trained(to - current.from, loss.value());
                Minibatch done = current;
                current = previous;
                previous = done;
                if (to >= train.pairs()) {
                    break;
                }
            }
            for (Pushed p : pushed) {
                if (!p.answer().join().applied()) {
                    retrain(train, p.from(), p.to(), p.shard());
                }
            }
        }
        train.replyTo().tell(new Trained(train.pairs(), lossSum));
        return this;
    }

    /**
     * A refused push: trains its pairs again on freshly pulled rows (nothing else is in flight now) and pushes only
     * to the refusing shard, until it is applied or the refreshes are spent.
     */
    private void retrain(Train train, int from, int to, int shard) {
        Minibatch again = previous;
        for (int attempt = 0; attempt < MAX_REFRESHES; attempt++) {
            again.trained = false;
            plan(again, train, from);
            pull(again);
            receive(again, null);
            again.batch.train(kernel, train.learningRate(), LOSS_EVERY);
            deltas(again);
            again.trained = true;
            if (push(again, shard).join().applied()) {
                return;
            }
        }
        getContext().getLog().warn("skip-gram worker: shard {} refused pairs {}..{} {} times as too stale; dropped",
                shard, from, to, MAX_REFRESHES + 1);
    }

    /** Draws the negatives of the pairs from {@code from} on and maps them all to local rows, grouped by shard. */
    private void plan(Minibatch m, Train train, int from) {
        int to = Math.min(train.pairs(), from + minibatchPairs);
        int n = (to - from) * kernel.negatives();
        if (m.negatives.length < n) {
            m.negatives = new int[n];
        }
        AliasTable table = train.negatives();
        for (int j = 0; j < n; j++) {
            m.negatives[j] = table.sample(random);
        }
        m.from = from;
        m.to = to;
        m.batch.plan(train.centers(), train.contexts(), from, to, m.negatives);
        m.batch.groupByShard(shards.size());
    }

    /**
     * Asks every shard for the minibatch's rows it owns, lending it the arrays this minibatch's buffers last pushed
     * to it to copy them into: the shard is done with them by then, since it handles this worker's messages in the
     * order sent, and the merge that read them is over.
     */
    private void pull(Minibatch m) {
        for (int shard = 0; shard < shards.size(); shard++) {
            m.inIds[shard] = m.batch.input().groupIds(shard);
            m.outIds[shard] = m.batch.output().groupIds(shard);
            List<int[]> ids = List.of(m.inIds[shard], m.outIds[shard]); // the shard's input and output blocks
            List<float[]> into = Arrays.asList(m.inRows[shard], m.outRows[shard]);
            m.pulls[shard] = AskPattern.<ParameterServer.Command, ParameterServer.Rows>ask(shards.get(shard),
                    replyTo -> new ParameterServer.PullRows(ids, into, replyTo), ROUND_TRIP_TIMEOUT,
                    getContext().getSystem().scheduler()).toCompletableFuture();
        }
    }

    /**
     * Waits for the minibatch's rows and copies them in; adds {@code before}'s deltas, if it has any, to the rows both
     * share (they were pulled before those deltas were pushed), in the local rows and in the pulled copies the next
     * deltas are measured from.
     */
    private void receive(Minibatch m, Minibatch before) {
        for (int shard = 0; shard < shards.size(); shard++) {
            ParameterServer.Rows rows = m.pulls[shard].join();
            m.pulls[shard] = null;
            m.inRows[shard] = rows.rows().get(SkipGramLearner.INPUT);
            m.outRows[shard] = rows.rows().get(SkipGramLearner.OUTPUT);
            m.versions[shard] = rows.version();
            copyIn(m.batch.input(), shard, m.inRows[shard]);
            copyIn(m.batch.output(), shard, m.outRows[shard]);
            if (before != null && before.trained) {
                merge(m.batch.input(), m.inRows[shard], before.batch.input(), before.inRows[shard], shard);
                merge(m.batch.output(), m.outRows[shard], before.batch.output(), before.outRows[shard], shard);
            }
        }
    }

    private void copyIn(RowBlock block, int shard, float[] rows) {
        int start = block.groupStart(shard);
        int floats = (block.groupEnd(shard) - start) * dim;
        if (rows.length < floats) {
            throw new IllegalStateException("shard " + shard + " sent " + rows.length + " floats for "
                    + (block.groupEnd(shard) - start) + " rows of " + dim);
        }
        System.arraycopy(rows, 0, block.values(), start * dim, floats);
    }

    /** Adds {@code deltas} (of {@code before}'s rows of the shard) to the rows of {@code block} that it shares. */
    private void merge(RowBlock block, float[] pulled, RowBlock before, float[] deltas, int shard) {
        float[] values = block.values();
        int start = block.groupStart(shard), beforeStart = before.groupStart(shard);
        int[] ids = block.ids();
        for (int r = start, end = block.groupEnd(shard); r < end; r++) {
            int b = before.find(ids[r]);
            if (b >= 0) {
                int from = (b - beforeStart) * dim;
                KernelRows.add(deltas, from, values, r * dim, dim);
                KernelRows.add(deltas, from, pulled, (r - start) * dim, dim);
            }
        }
    }

    /** Turns each shard's pulled copies into the deltas trained since: current − pulled, in place. */
    private void deltas(Minibatch m) {
        for (int shard = 0; shard < shards.size(); shard++) {
            subtract(m.batch.input(), shard, m.inRows[shard]);
            subtract(m.batch.output(), shard, m.outRows[shard]);
        }
    }

    private void subtract(RowBlock block, int shard, float[] pulled) {
        float[] values = block.values();
        int offset = block.groupStart(shard) * dim;
        for (int i = 0, n = (block.groupEnd(shard) - block.groupStart(shard)) * dim; i < n; i++) {
            pulled[i] = values[offset + i] - pulled[i];
        }
    }

    /**
     * Sends a shard the minibatch's deltas of its rows. The arrays go with the message: from now on they are only
     * read (by the shard, and by the next minibatch's merge).
     */
    private CompletableFuture<ParameterServer.RowsPushed> push(Minibatch m, int shard) {
        List<int[]> ids = List.of(m.inIds[shard], m.outIds[shard]);
        List<float[]> deltas = List.of(m.inRows[shard], m.outRows[shard]);
        long pulledAt = m.versions[shard];
        int pairs = m.to - m.from;
        return AskPattern.<ParameterServer.Command, ParameterServer.RowsPushed>ask(shards.get(shard),
                replyTo -> new ParameterServer.PushRows(ids, deltas, pairs, pulledAt, replyTo),
                ROUND_TRIP_TIMEOUT, getContext().getSystem().scheduler()).toCompletableFuture();
    }

    /** One minibatch's buffers: its pairs' range, negatives and local rows, and per shard its ids, rows and pull. */
    private final class Minibatch {
        final SparseBatch batch;
        final int[][] inIds = new int[shards.size()][];
        final int[][] outIds = new int[shards.size()][];
        /** Per shard, the rows as pulled (plus the previous minibatch's deltas), then the deltas once trained. */
        final float[][] inRows = new float[shards.size()][];
        final float[][] outRows = new float[shards.size()][];
        final long[] versions = new long[shards.size()];
        @SuppressWarnings("unchecked")
        final CompletableFuture<ParameterServer.Rows>[] pulls = new CompletableFuture[shards.size()];
        int[] negatives = new int[0];
        int from;
        int to;
        /** Whether inRows and outRows hold deltas that are pushed but may not be in the rows pulled next. */
        boolean trained;

        Minibatch(int dim, int negatives) {
            this.batch = new SparseBatch(dim, negatives);
        }
    }
}
