package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.javadsl.AskPattern;
import io.rill.ps.ParameterServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The continuous generated-name stream of one character model: every {@code progress.every-steps} updates the
 * parameter server sends it a snapshot, and it publishes a few fresh samples with the model's version, its recent
 * training loss and its loss on the held-out lines, so a subscriber of the generated topic watches the names get
 * better. It runs on the generation dispatcher, apart from the request generator, so measuring held-out loss never
 * delays an answer.
 *
 * <p>State it owns: nothing between snapshots. Lost when it stops: nothing.
 */
public final class ProgressReporter extends AbstractBehavior<ProgressReporter.Command> {

    public sealed interface Command {
    }

    /** The parameter server's copy, every {@code progress.every-steps} updates. */
    private record Progress(ParameterServer.Snapshot snapshot) implements Command {
    }

    /** The copy with the data it goes with, or why there is none (the vocabulary grew meanwhile: skip this one). */
    private record Viewed(CharModelView view, Throwable failure) implements Command {
    }

    private static final Duration DATA_TIMEOUT = Duration.ofSeconds(10);

    private enum Resubscribe implements Command {
        INSTANCE
    }

    /** How often it subscribes again: a sharded server that moved to another node has forgotten its listeners. */
    private static final Duration RESUBSCRIBE = Duration.ofSeconds(5);

    /** Where the progress messages go: the generated topic, keyed by model. */
    public interface Publisher {
        void publish(String key, byte[] value);
    }

    private final int samples;
    private final double temperature;
    private final int maxLength;
    private final CharModelMetrics modelMetrics;
    private final Publisher publisher;
    private final Random random;
    private final ActorRef<ParameterServer.Command> server;
    private final ActorRef<CharModelData.Command> data;
    private final LstmConfig config;
    private final ActorRef<ParameterServer.Snapshot> listener;

    public static Behavior<Command> create(ActorRef<ParameterServer.Command> server, ActorRef<CharModelData.Command> data,
                                           LstmConfig config, int samples, double temperature, int maxLength,
                                           long seed, CharModelMetrics modelMetrics, Publisher publisher) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ProgressReporter(context, timers, server,
                data, config, samples, temperature, maxLength, seed, modelMetrics, publisher)));
    }

    private ProgressReporter(ActorContext<Command> context, TimerScheduler<Command> timers,
                             ActorRef<ParameterServer.Command> server, ActorRef<CharModelData.Command> data,
                             LstmConfig config, int samples, double temperature, int maxLength, long seed,
                             CharModelMetrics modelMetrics, Publisher publisher) {
        super(context);
        this.samples = samples;
        this.temperature = temperature;
        this.maxLength = maxLength;
        this.modelMetrics = modelMetrics;
        this.publisher = publisher;
        this.random = new Random(seed);
        this.server = server;
        this.data = data;
        this.config = config;
        this.listener = context.messageAdapter(ParameterServer.Snapshot.class, Progress::new);
        server.tell(new ParameterServer.Subscribe(listener));
        timers.startTimerWithFixedDelay(Resubscribe.INSTANCE, RESUBSCRIBE);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Progress.class, this::onProgress)
                .onMessage(Viewed.class, this::onViewed)
                .onMessageEquals(Resubscribe.INSTANCE, this::onResubscribe)
                .build();
    }

    private Behavior<Command> onResubscribe() {
        server.tell(new ParameterServer.Subscribe(listener));
        return this;
    }

    private Behavior<Command> onProgress(Progress progress) {
        ParameterServer.Snapshot snapshot = progress.snapshot();
        getContext().pipeToSelf(AskPattern.<CharModelData.Command, CharModelData.Data>ask(data,
                        replyTo -> new CharModelData.GetData(true, replyTo), DATA_TIMEOUT,
                        getContext().getSystem().scheduler())
                        .thenCompose(got -> CharModelView.of(snapshot, got, config)), Viewed::new);
        return this;
    }

    private Behavior<Command> onViewed(Viewed viewed) {
        if (viewed.failure() != null) {
            getContext().getLog().debug("no progress report this time: {}", viewed.failure().toString());
            return this;
        }
        CharModelView snapshot = viewed.view();
        double heldOutLoss = heldOutLoss(snapshot);
        List<GeneratedSample> drawn = new ArrayList<>(samples);
        if (samples > 0) {
            Sampler sampler = new Sampler(snapshot.params(), snapshot.vocabulary());
            for (Sampler.Sample sample : sampler.sample("", samples, temperature, 0, maxLength, random)) {
                drawn.add(new GeneratedSample(sample.text(), sample.logProbability(),
                        snapshot.seen().mightContain(sample.text()), sample.ended()));
            }
        }
        modelMetrics.progress(heldOutLoss, snapshot.heldOut().size(), Generator.texts(drawn));
        publisher.publish(snapshot.model(), GenerationJson.samples(snapshot.model(), snapshot.version(),
                snapshot.charactersTrained(), modelMetrics.getTrainingLoss(), heldOutLoss, drawn, Instant.now()));
        getContext().getLog().info("model {} version {}: held-out loss {}, samples: {}", snapshot.model(),
                snapshot.version(), "%.4f".formatted(heldOutLoss), Generator.texts(drawn));
        return this;
    }

    /** Nats per character of the held-out units read as one text after end-of-sequence; NaN without any. */
    private static double heldOutLoss(CharModelView snapshot) {
        List<int[]> units = snapshot.heldOut();
        if (units.isEmpty()) {
            return Double.NaN;
        }
        int length = 1;
        for (int[] unit : units) {
            length += unit.length;
        }
        int[] ids = new int[length];
        ids[0] = CharVocabulary.EOS;
        int at = 1;
        for (int[] unit : units) {
            System.arraycopy(unit, 0, ids, at, unit.length);
            at += unit.length;
        }
        return HeldOutLoss.natsPerCharacter(snapshot.params(), ids);
    }
}
