package io.rill.classify;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.learn.StreamLearner;
import io.rill.nn.Tensors;
import io.rill.ps.ParameterServer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Trains one classifier's mini-batches: every stream of the model sends its next batch of sentences; the worker
 * runs forward and backward over the whole batch ({@link KimCnn}), counts how many sentences the model predicted
 * right before training on them (prequential accuracy), pushes the gradient to the parameter server without
 * waiting, and answers the stream. Every {@code pull-every-steps} steps it asks for fresh parameters and a sync of
 * the model's data (new words' base rows, a refresh), and goes on with the copies it has until they arrive; every
 * {@code static-refresh-steps} steps it asks the data to refresh its base rows from a source that keeps learning.
 *
 * <p>Copies are recycled, because ND4J allocates large arrays slowly: a pull hands the server the copy of the
 * parameters the worker read before the current one, to be overwritten (on a single node), and a pushed gradient's
 * arrays are used again, with only the word rows it wrote cleared, once the answer to a pull sent after the push
 * shows the server has applied it (the server takes a worker's messages in order). At most
 * {@code pull-every-steps} + 1 pushes are unconfirmed at a time, which bounds both the memory and the staleness.
 *
 * <p>State it owns: its copies of the parameters and data, gradient buffers, batches waiting for a step. Lost when
 * it stops: nothing the model needs; the waiting streams ask again after their step timeout.
 */
public final class ClassifierWorker extends AbstractBehavior<ClassifierWorker.Command> {

    public sealed interface Command {
    }

    /** A mini-batch of one stream: sentences as word ids, their label ids. */
    public record Train(int[][] sentences, int[] labels, ActorRef<Trained> replyTo) implements Command {
    }

    /** The batch is trained: how many the model predicted right before, the loss, the parameters' version. */
    public record Trained(int correct, int count, double loss, long version) implements StreamLearner.Command {
    }

    private record Fresh(ParameterServer.Snapshot snapshot, Throwable failure, long afterPush) implements Command {
    }

    private record Synced(ClassifierData.Synced synced, Throwable failure) implements Command {
    }

    /** A gradient buffer and the word rows its last step wrote. */
    private record Gradient(CnnParams gradient, int[] written, long push) {
    }

    private final CnnConfig config;
    private final ClassifierSettings settings;
    private final ActorRef<ParameterServer.Command> server;
    private final ActorRef<ClassifierData.Command> data;
    private final boolean recycle;
    private final boolean refreshes;
    private final ClassifierMetrics metrics;
    private final KimCnn engine;
    private final Random random;
    private final DataCopy copy;
    private final Deque<Train> waiting = new ArrayDeque<>();
    private final Deque<Gradient> unconfirmed = new ArrayDeque<>();
    private final List<Gradient> free = new ArrayList<>();
    private CnnParams params;
    private Tensors spare;
    private long version;
    private boolean pullInFlight;
    private boolean syncInFlight;
    private int stepsSincePull;
    private long pushes;
    private long steps;

    /**
     * @param recycle whether pulls hand the server an old copy to overwrite (only when the server is on this node:
     *                across nodes the copy would travel for nothing)
     * @param refreshes whether the data's source keeps learning (then the worker asks for refreshes)
     */
    public static Behavior<Command> create(CnnConfig config, ClassifierSettings settings,
                                           ActorRef<ParameterServer.Command> server,
                                           ActorRef<ClassifierData.Command> data, boolean recycle, boolean refreshes,
                                           ClassifierMetrics metrics, long seed) {
        return Behaviors.setup(context -> new ClassifierWorker(context, config, settings, server, data, recycle,
                refreshes, metrics, seed));
    }

    private ClassifierWorker(ActorContext<Command> context, CnnConfig config, ClassifierSettings settings,
                             ActorRef<ParameterServer.Command> server, ActorRef<ClassifierData.Command> data,
                             boolean recycle, boolean refreshes, ClassifierMetrics metrics, long seed) {
        super(context);
        this.config = config;
        this.settings = settings;
        this.server = server;
        this.data = data;
        this.recycle = recycle;
        this.refreshes = refreshes;
        this.metrics = metrics;
        this.engine = new KimCnn(config);
        this.random = new Random(seed);
        this.copy = new DataCopy(config.dimension(), false);
        pull();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Train.class, this::onTrain)
                .onMessage(Fresh.class, this::onFresh)
                .onMessage(Synced.class, this::onSynced)
                .build();
    }

    private Behavior<Command> onTrain(Train train) {
        waiting.add(train);
        stepWhilePossible();
        return this;
    }

    private Behavior<Command> onFresh(Fresh fresh) {
        pullInFlight = false;
        if (fresh.failure() != null) {
            getContext().getLog().warn("no parameters from the server ({}); pulling again",
                    fresh.failure().toString());
            pull();
            return this;
        }
        // The server has applied every push sent before this pull: their buffers are free again.
        while (!unconfirmed.isEmpty() && unconfirmed.peek().push() <= fresh.afterPush()) {
            free.add(unconfirmed.poll());
        }
        ParameterServer.Snapshot snapshot = fresh.snapshot();
        if (params != null && params.tensors() != snapshot.params()) {
            spare = params.tensors();
        }
        params = CnnParams.wrap(config, snapshot.params());
        version = snapshot.version();
        stepWhilePossible();
        return this;
    }

    private Behavior<Command> onSynced(Synced synced) {
        syncInFlight = false;
        if (synced.failure() != null) {
            getContext().getLog().warn("no data from the model's data actor ({}); asking again",
                    synced.failure().toString());
        } else {
            copy.apply(synced.synced());
        }
        stepWhilePossible();
        return this;
    }

    private void stepWhilePossible() {
        while (!waiting.isEmpty()) {
            if (params == null) {
                pull();
                return;
            }
            if (unconfirmed.size() > settings.pullEverySteps()) {
                pull(); // bounded: wait for the server to confirm some
                return;
            }
            Train train = waiting.peek();
            int maxWord = -1;
            int maxLabel = -1;
            for (int s = 0; s < train.sentences().length; s++) {
                for (int id : train.sentences()[s]) {
                    maxWord = Math.max(maxWord, id);
                }
                maxLabel = Math.max(maxLabel, train.labels()[s]);
            }
            if (maxLabel >= params.classes() || (config.variant().trained() && maxWord >= params.wordRows())) {
                pull(); // the vocabularies grew since our copy
                return;
            }
            if (maxWord >= copy.base().size()) {
                sync();
                return;
            }
            step(waiting.poll());
        }
    }

    private void step(Train train) {
        long start = System.nanoTime();
        Gradient buffer = takeGradient();
        buffer.gradient().clearWordRows(buffer.written());
        KimCnn.Step result = engine.train(params, copy.base(), train.sentences(), train.labels(),
                buffer.gradient(), random);
        int count = train.sentences().length;
        server.tell(new ParameterServer.Push(buffer.gradient().tensors(), version, count, result.loss()));
        unconfirmed.add(new Gradient(buffer.gradient(), result.wordIds(), ++pushes));
        boolean[] right = new boolean[count];
        int correct = 0;
        for (int s = 0; s < count; s++) {
            right[s] = result.predicted()[s] == train.labels()[s];
            correct += right[s] ? 1 : 0;
        }
        metrics.step(right, System.nanoTime() - start);
        train.replyTo().tell(new Trained(correct, count, result.loss(), version));
        steps++;
        if (refreshes && steps % settings.staticRefreshSteps() == 0) {
            data.tell(new ClassifierData.Refresh());
        }
        if (++stepsSincePull >= settings.pullEverySteps()) {
            pull();
        }
    }

    /** A free gradient buffer shaped like the parameters, or a new one. */
    private Gradient takeGradient() {
        while (!free.isEmpty()) {
            Gradient candidate = free.remove(free.size() - 1);
            if (candidate.gradient().tensors().sameShapeAs(params.tensors())) {
                return candidate;
            }
        }
        return new Gradient(params.zerosLike(), new int[0], 0);
    }

    private void pull() {
        if (pullInFlight) {
            return;
        }
        pullInFlight = true;
        stepsSincePull = 0;
        long after = pushes;
        Tensors reuse = recycle ? spare : null;
        spare = null;
        // Asked with a timeout: a pull lost with its server (a node that died) must not stop this worker forever.
        getContext().ask(ParameterServer.Snapshot.class, server, settings.stepTimeout(),
                replyTo -> new ParameterServer.Pull(replyTo, reuse),
                (snapshot, failure) -> new Fresh(snapshot, failure, after));
        sync();
    }

    private void sync() {
        if (syncInFlight) {
            return;
        }
        syncInFlight = true;
        getContext().ask(ClassifierData.Synced.class, data, settings.stepTimeout(), copy::request, Synced::new);
    }
}
