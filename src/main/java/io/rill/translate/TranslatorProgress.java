package io.rill.translate;

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
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Watches one attention model learn: every {@code progress.every-steps} updates its parameter server sends a copy
 * ({@link ParameterServer.Subscribe}), and the reporter takes a matching copy of the model ({@link TranslatorView}),
 * measures held-out loss and BLEU-4 ({@link HeldOutScores}), translates the sample sentence and publishes it all with
 * the attention map on the replies topic, keyed by the model's name, and on JMX; so a subscriber watches the
 * translations and their maps improve. Copies that arrive while it is busy are dropped but the latest. It runs on the
 * translation dispatcher, apart from the request translator.
 *
 * <p>State it owns: nothing between reports. Lost when it stops: nothing.
 */
public final class TranslatorProgress extends AbstractBehavior<TranslatorProgress.Command> {

    public sealed interface Command {
    }

    private record Progress(ParameterServer.Snapshot snapshot) implements Command {
    }

    private record Viewed(TranslatorView view, Throwable failure) implements Command {
    }

    private enum Resubscribe implements Command {
        INSTANCE
    }

    /** How often it subscribes again: a sharded server that moved to another node has forgotten its listeners. */
    private static final Duration RESUBSCRIBE = Duration.ofSeconds(5);

    /** Where the progress messages go. */
    public interface Publisher {
        void publish(String key, byte[] value);
    }

    private final String model;
    private final TranslatorSettings settings;
    private final ActorRef<ParameterServer.Command> server;
    private final Supplier<CompletionStage<TranslatorView>> views;
    private final TranslatorMetrics metrics;
    private final Publisher publisher;
    private final ActorRef<ParameterServer.Snapshot> listener;
    private final AttentionNet net;
    private final Decoding decoding;
    private boolean busy;
    private boolean again;

    public static Behavior<Command> create(String model, TranslatorSettings settings,
                                           ActorRef<ParameterServer.Command> server,
                                           Supplier<CompletionStage<TranslatorView>> views,
                                           TranslatorMetrics metrics, Publisher publisher) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new TranslatorProgress(context, timers, model,
                settings, server, views, metrics, publisher)));
    }

    private TranslatorProgress(ActorContext<Command> context, TimerScheduler<Command> timers, String model,
                               TranslatorSettings settings, ActorRef<ParameterServer.Command> server,
                               Supplier<CompletionStage<TranslatorView>> views, TranslatorMetrics metrics,
                               Publisher publisher) {
        super(context);
        this.model = model;
        this.settings = settings;
        this.server = server;
        this.views = views;
        this.metrics = metrics;
        this.publisher = publisher;
        this.net = new AttentionNet(settings.architecture());
        this.decoding = new Decoding(settings.architecture());
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
        if (busy) {
            again = true; // one more report once this one is out, from a fresh copy
            return this;
        }
        busy = true;
        getContext().pipeToSelf(views.get(), Viewed::new);
        return this;
    }

    private Behavior<Command> onViewed(Viewed viewed) {
        busy = false;
        if (viewed.failure() != null) {
            getContext().getLog().debug("no progress report this time: {}", viewed.failure().toString());
        } else {
            report(viewed.view());
        }
        if (again) {
            again = false;
            busy = true;
            getContext().pipeToSelf(views.get(), Viewed::new);
        }
        return this;
    }

    private void report(TranslatorView view) {
        HeldOutScores scores = HeldOutScores.of(view, net, decoding, settings.progressMaxPairs());
        List<String> words = SentenceTokens.of(settings.progressSentence());
        TranslatedSentence sample = words.isEmpty() || !view.trained() ? null
                : view.translate(decoding, words, 1, 2 * words.size() + 10);
        String shown = sample == null ? "" : String.join(" ", words) + " → " + sample.text();
        metrics.progress(scores.loss(), scores.bleu(), scores.sentences(), shown, sample);
        publisher.publish(model, TranslationJson.progress(model, view.version(), view.pairsTrained(),
                metrics.getTrainingLoss(), scores.loss(), scores.bleu(), scores.pairs(), sample, Instant.now()));
        getContext().getLog().info("translator {} version {}: held-out loss {}, BLEU-4 {} on {} sentences; {}", model,
                view.version(), String.format(Locale.ROOT, "%.4f", scores.loss()),
                String.format(Locale.ROOT, "%.2f", scores.bleu()), scores.sentences(), shown);
    }
}
