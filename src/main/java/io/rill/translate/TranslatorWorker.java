package io.rill.translate;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.ps.ParameterServer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Trains one attention model's mini-batches: each stream of the model sends its next batch of sentence pairs (word
 * ids), the worker runs forward and backward once for it ({@link AttentionNet}), answers the stream, and pushes the
 * gradient to the parameter server without waiting. Every {@code pull-every-steps} steps it asks for fresh parameters.
 * With {@code fresh-parameters} the next step waits for them (the server applies the update meanwhile; on one node
 * every gradient is then computed on the parameters of the update before); without, the worker goes on with the copy
 * it has, so training and the server's updates overlap at the price of stale gradients. The server counts how stale
 * each gradient was. A batch whose words the copy does not have rows for yet (a vocabulary that grew since) waits
 * for a pull that has them.
 *
 * <p>State it owns: its copy of the parameters and their version, the batches waiting. Lost when it stops: nothing the
 * model needs; the streams send their batches again after their step timeout.
 */
public final class TranslatorWorker extends AbstractBehavior<TranslatorWorker.Command> {

    public sealed interface Command {
    }

    /** A stream's mini-batch: source and target word ids (targets without the end symbol). */
    public record Train(int[][] sources, int[][] targets, ActorRef<Trained> replyTo) implements Command {
    }

    /** The batch's mean loss per target word, and the parameter version it was computed on. */
    public record Trained(double loss, long version) {
    }

    private record Fresh(ParameterServer.Snapshot snapshot, Throwable failure) implements Command {
    }

    private static final int MAX_WAITING = 64;

    private final TranslatorSettings settings;
    private final ActorRef<ParameterServer.Command> server;
    private final TranslatorMetrics metrics;
    private final AttentionNet net;
    private final Deque<Train> waiting = new ArrayDeque<>();
    private TranslatorParams params;
    private long version;
    private boolean pullInFlight;
    private int stepsSincePull;

    public static Behavior<Command> create(TranslatorSettings settings, ActorRef<ParameterServer.Command> server,
                                           TranslatorMetrics metrics) {
        return Behaviors.setup(context -> new TranslatorWorker(context, settings, server, metrics));
    }

    private TranslatorWorker(ActorContext<Command> context, TranslatorSettings settings,
                             ActorRef<ParameterServer.Command> server, TranslatorMetrics metrics) {
        super(context);
        this.settings = settings;
        this.server = server;
        this.metrics = metrics;
        this.net = new AttentionNet(settings.architecture());
        pull();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Train.class, this::onTrain)
                .onMessage(Fresh.class, this::onFresh)
                .build();
    }

    private Behavior<Command> onTrain(Train train) {
        if (waiting.size() >= MAX_WAITING) {
            waiting.poll(); // its stream has given up on it long ago and sends it again
        }
        waiting.add(train);
        trainWaiting();
        return this;
    }

    private Behavior<Command> onFresh(Fresh fresh) {
        pullInFlight = false;
        if (fresh.failure() != null) {
            getContext().getLog().warn("translator worker: no parameters from the server ({}); pulling again",
                    fresh.failure().toString());
            pull();
            return this;
        }
        params = TranslatorParams.wrap(settings.architecture(), fresh.snapshot().params());
        version = fresh.snapshot().version();
        trainWaiting();
        return this;
    }

    private void trainWaiting() {
        while (!waiting.isEmpty() && params != null && !(settings.freshParameters() && pullInFlight)) {
            Train train = waiting.peek();
            if (!covered(train)) {
                pull(); // a vocabulary grew since our copy: wait for one with the new words
                return;
            }
            waiting.poll();
            step(train);
        }
    }

    private void step(Train train) {
        long start = System.nanoTime();
        TranslatorParams gradients = TranslatorParams.zeros(settings.architecture(), params.sourceSize(),
                params.targetSize());
        double loss = net.train(params, new AttentionNet.Batch(train.sources(), train.targets()), gradients);
        // The pushed buffer belongs to the server from now on.
        server.tell(new ParameterServer.Push(gradients.tensors(), version, train.sources().length, loss));
        metrics.step(train.sources().length, System.nanoTime() - start);
        train.replyTo().tell(new Trained(loss, version));
        if (++stepsSincePull >= settings.pullEverySteps()) {
            pull();
        }
    }

    private boolean covered(Train train) {
        return maxId(train.sources()) < params.sourceSize() && maxId(train.targets()) < params.targetSize();
    }

    private void pull() {
        if (!pullInFlight) {
            pullInFlight = true;
            stepsSincePull = 0;
            getContext().ask(ParameterServer.Snapshot.class, server, settings.stepTimeout(), ParameterServer.Pull::new,
                    Fresh::new);
        }
    }

    private static int maxId(int[][] sentences) {
        int max = 0;
        for (int[] sentence : sentences) {
            for (int id : sentence) {
                max = Math.max(max, id);
            }
        }
        return max;
    }
}
