package io.rill.classify;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.rill.ps.ParameterServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The progress of one classifier: every {@code progress.interval}, if the model has moved on, it copies the model,
 * scores the held-out sentences (accuracy and mean loss, without dropout), sets them on JMX and publishes a progress
 * message, with the prequential accuracy, to the progress topic keyed by the model's name. It runs on the
 * classification dispatcher, apart from the classifier, so scoring never delays an answer.
 *
 * <p>State it owns: its copy of the model. Lost when it stops: nothing.
 */
public final class ClassifierProgress extends AbstractBehavior<ClassifierProgress.Command> {

    public sealed interface Command {
    }

    private enum Tick implements Command {
        INSTANCE
    }

    private record Fresh(ParameterServer.Snapshot snapshot, Throwable failure) implements Command {
    }

    private record Synced(ClassifierData.Synced synced, Throwable failure) implements Command {
    }

    /** Where progress messages go: the progress topic, keyed by model. */
    public interface Publisher {
        void publish(String key, byte[] value);
    }

    private static final int CHUNK = 100;

    private final String model;
    private final ActorRef<ParameterServer.Command> server;
    private final ActorRef<ClassifierData.Command> data;
    private final Duration timeout;
    private final ClassifierMetrics metrics;
    private final Publisher publisher;
    private final KimCnn engine;
    private final ModelCopy copy;
    private int pending;
    private long reportedVersion = -1;

    public static Behavior<Command> create(String model, CnnConfig config, ActorRef<ParameterServer.Command> server,
                                           ActorRef<ClassifierData.Command> data, boolean recycle,
                                           Duration interval, Duration timeout, ClassifierMetrics metrics,
                                           Publisher publisher) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ClassifierProgress(context, timers,
                model, config.withDropout(0), server, data, recycle, interval, timeout, metrics, publisher)));
    }

    private ClassifierProgress(ActorContext<Command> context, TimerScheduler<Command> timers, String model,
                               CnnConfig config, ActorRef<ParameterServer.Command> server,
                               ActorRef<ClassifierData.Command> data, boolean recycle, Duration interval,
                               Duration timeout, ClassifierMetrics metrics, Publisher publisher) {
        super(context);
        this.model = model;
        this.server = server;
        this.data = data;
        this.timeout = timeout;
        this.metrics = metrics;
        this.publisher = publisher;
        this.engine = new KimCnn(config);
        this.copy = new ModelCopy(config, recycle, true);
        timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessage(Fresh.class, this::onFresh)
                .onMessage(Synced.class, this::onSynced)
                .build();
    }

    private Behavior<Command> onTick() {
        if (pending > 0 || metrics.getVersion() == reportedVersion) {
            return this;
        }
        pending = 2;
        var reuse = copy.takeSpare();
        getContext().ask(ParameterServer.Snapshot.class, server, timeout,
                replyTo -> new ParameterServer.Pull(replyTo, reuse), Fresh::new);
        getContext().ask(ClassifierData.Synced.class, data, timeout, copy.data()::request, Synced::new);
        return this;
    }

    private Behavior<Command> onFresh(Fresh fresh) {
        if (fresh.failure() == null) {
            copy.apply(fresh.snapshot());
        }
        return arrived();
    }

    private Behavior<Command> onSynced(Synced synced) {
        if (synced.failure() == null) {
            copy.data().apply(synced.synced());
        }
        return arrived();
    }

    private Behavior<Command> arrived() {
        if (--pending > 0 || !copy.ready()) {
            return this;
        }
        DataCopy data = copy.data();
        List<int[]> heldOut = data.heldOut();
        double accuracy = Double.NaN;
        double loss = Double.NaN;
        if (!heldOut.isEmpty()) {
            KimCnn.Evaluation evaluation = engine.evaluate(copy.params(), data.base(), heldOut.toArray(int[][]::new),
                    data.heldOutLabels(), CHUNK);
            accuracy = (double) evaluation.correct() / evaluation.scored();
            loss = evaluation.lossSum() / evaluation.scored();
            metrics.heldOut(accuracy, loss, evaluation.scored());
        }
        reportedVersion = copy.version();
        publisher.publish(model, ClassificationJson.progress(model, copy.version(), metrics.getSentencesTrained(),
                metrics.getTrainingLoss(), metrics.getPrequentialAccuracy(), accuracy, loss, heldOut.size(),
                data.labels(), data.words(), Instant.now()));
        return this;
    }
}
