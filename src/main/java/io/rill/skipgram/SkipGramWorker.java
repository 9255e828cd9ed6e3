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
 * A skip-gram worker: trains batches of (center, context) pairs in minibatches. For each minibatch it draws the
 * negatives, pulls from the parameter-server shards copies of only the rows the minibatch touches, runs the SGNS
 * kernel on them, and pushes each shard its row deltas. Workers never wait for each other, only for their own
 * round trips; a shard that refuses a push as too stale gets one computed on fresh rows instead.
 *
 * <p>It blocks on its round trips, so it runs on a dispatcher of its own ({@link SkipGramSettings#WORKER_DISPATCHER}).
 *
 * <p>State it owns: its random generator, its reusable minibatch buffers and its loss average. Lost when it
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

    private final List<ActorRef<ParameterServer.Command>> shards;
    private final SgnsKernel kernel;
    private final SparseBatch batch;
    private final PairBuffer minibatch = new PairBuffer();
    private final SplitMix64 random;
    private final int minibatchPairs;
    private final int dim;
    private final SkipGramMetrics metrics;
    private final LossAverage loss = new LossAverage(1_000_000);
    private int[] negatives = new int[0];

    public static Behavior<Command> create(List<ActorRef<ParameterServer.Command>> shards, SkipGramSettings settings,
                                           long seed, SkipGramMetrics metrics) {
        return Behaviors.setup(context -> new SkipGramWorker(context, shards, settings, seed, metrics));
    }

    private SkipGramWorker(ActorContext<Command> context, List<ActorRef<ParameterServer.Command>> shards,
                           SkipGramSettings settings, long seed, SkipGramMetrics metrics) {
        super(context);
        this.shards = List.copyOf(shards);
        this.kernel = new SgnsKernel(settings.dimension(), settings.negatives());
        this.batch = new SparseBatch(settings.dimension(), settings.negatives());
        this.random = new SplitMix64(seed);
        this.minibatchPairs = settings.minibatchPairs();
        this.dim = settings.dimension();
        this.metrics = metrics;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Train.class, this::onTrain)
                .build();
    }

    private Behavior<Command> onTrain(Train train) {
        double lossSum = 0;
        if (train.negatives().size() > 0) {
            for (int from = 0; from < train.pairs(); from += minibatchPairs) {
                int to = Math.min(train.pairs(), from + minibatchPairs);
                minibatch.clear();
                for (int i = from; i < to; i++) {
                    minibatch.add(train.centers()[i], train.contexts()[i]);
                }
                double minibatchLoss = trainMinibatch(train.negatives(), train.learningRate());
                lossSum += minibatchLoss;
                loss.add(minibatchLoss, to - from);
                metrics.trained(to - from, loss.value());
            }
        }
        train.replyTo().tell(new Trained(train.pairs(), lossSum));
        return this;
    }

    /** Pull, train, push; on a refusal, pull again, retrain and push to the refusing shards only. */
    private double trainMinibatch(AliasTable table, float lr) {
        int k = kernel.negatives();
        int n = minibatch.size() * k;
        if (negatives.length < n) {
            negatives = new int[n];
        }
        for (int j = 0; j < n; j++) {
            negatives[j] = table.sample(random);
        }
        boolean[] pending = new boolean[shards.size()];
        Arrays.fill(pending, true);
        double lossSum = 0;
        for (int attempt = 0; attempt <= MAX_REFRESHES && any(pending); attempt++) {
            batch.plan(minibatch, negatives);
            Split in = new Split(batch.input());
            Split out = new Split(batch.output());
            long[] versions = pull(in, out);
            lossSum = batch.train(kernel, lr);
            push(in, out, versions, pending);
        }
        return lossSum;
    }

    /** A block's local rows and their word ids, split by the shard that owns each word (id % shards). */
    private final class Split {
        final int[][] rows;
        final int[][] ids;

        Split(RowBlock block) {
            rows = rowsByShard(block);
            ids = new int[rows.length][];
            for (int shard = 0; shard < rows.length; shard++) {
                ids[shard] = new int[rows[shard].length];
                for (int i = 0; i < rows[shard].length; i++) {
                    ids[shard][i] = block.ids()[rows[shard][i]];
                }
            }
        }
    }

    private long[] pull(Split in, Split out) {
        int s = shards.size();
        List<CompletableFuture<ParameterServer.Rows>> replies = new ArrayList<>(s);
        for (int shard = 0; shard < s; shard++) {
            List<int[]> ids = List.of(in.ids[shard], out.ids[shard]); // the shard's input and output blocks
            replies.add(AskPattern.<ParameterServer.Command, ParameterServer.Rows>ask(shards.get(shard),
                    replyTo -> new ParameterServer.PullRows(ids, replyTo), ROUND_TRIP_TIMEOUT,
                    getContext().getSystem().scheduler()).toCompletableFuture());
        }
        long[] versions = new long[s];
        for (int shard = 0; shard < s; shard++) {
            ParameterServer.Rows pulled = replies.get(shard).join();
            scatter(pulled.rows().get(SkipGramLearner.INPUT), in.rows[shard], batch.input().values());
            scatter(pulled.rows().get(SkipGramLearner.OUTPUT), out.rows[shard], batch.output().values());
            versions[shard] = pulled.version();
        }
        batch.input().markPulled();
        batch.output().markPulled();
        return versions;
    }

    private void push(Split in, Split out, long[] versions, boolean[] pending) {
        int s = shards.size();
        float[] inDeltas = batch.input().deltas();
        float[] outDeltas = batch.output().deltas();
        List<CompletableFuture<ParameterServer.RowsPushed>> replies = new ArrayList<>(s);
        for (int shard = 0; shard < s; shard++) {
            if (!pending[shard]) {
                replies.add(null);
                continue;
            }
            List<int[]> ids = List.of(in.ids[shard], out.ids[shard]);
            List<float[]> deltas = List.of(gather(inDeltas, in.rows[shard]), gather(outDeltas, out.rows[shard]));
            long pulledAt = versions[shard];
            int pairs = minibatch.size();
            replies.add(AskPattern.<ParameterServer.Command, ParameterServer.RowsPushed>ask(shards.get(shard),
                    replyTo -> new ParameterServer.PushRows(ids, deltas, pairs, pulledAt, replyTo),
                    ROUND_TRIP_TIMEOUT, getContext().getSystem().scheduler()).toCompletableFuture());
        }
        for (int shard = 0; shard < s; shard++) {
            if (replies.get(shard) != null && replies.get(shard).join().applied()) {
                pending[shard] = false;
            }
        }
    }

    /** The local rows of a block, split by the shard owning each row's word. */
    private int[][] rowsByShard(RowBlock block) {
        int s = shards.size();
        int[] counts = new int[s];
        for (int r = 0; r < block.size(); r++) {
            counts[block.ids()[r] % s]++;
        }
        int[][] rows = new int[s][];
        for (int shard = 0; shard < s; shard++) {
            rows[shard] = new int[counts[shard]];
        }
        int[] next = new int[s];
        for (int r = 0; r < block.size(); r++) {
            int shard = block.ids()[r] % s;
            rows[shard][next[shard]++] = r;
        }
        return rows;
    }

    private void scatter(float[] pulled, int[] localRows, float[] values) {
        for (int i = 0; i < localRows.length; i++) {
            System.arraycopy(pulled, i * dim, values, localRows[i] * dim, dim);
        }
    }

    private float[] gather(float[] deltas, int[] localRows) {
        float[] out = new float[localRows.length * dim];
        for (int i = 0; i < localRows.length; i++) {
            System.arraycopy(deltas, localRows[i] * dim, out, i * dim, dim);
        }
        return out;
    }

    private static boolean any(boolean[] flags) {
        for (boolean f : flags) {
            if (f) {
                return true;
            }
        }
        return false;
    }
}
