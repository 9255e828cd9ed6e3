package io.rill.translate;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.rill.request.CommonError;
import io.rill.request.RequestError;
import io.rill.request.RequestHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Answers the translation requests of one attention model from a copy of its parameters and vocabularies
 * ({@link TranslatorView}), refreshed every {@code snapshot-interval}: decoding reads only the copy, so it never
 * waits for training and training never waits for it. Unknown source words are read as the unknown-word symbol and
 * named in the reply; a model that has not trained on a single pair refuses with {@code not-trained}.
 *
 * <p>State it owns: the copy, and requests that arrived before the first one. Lost when it stops: nothing that is not
 * in the model's servers; unanswered requests are answered by the request path with an error.
 */
public final class Translator extends AbstractBehavior<Translator.Command> {

    public sealed interface Command {
    }

    /** A valid request whose model is this translator's. */
    public record Translate(TranslationRequest request, ActorRef<RequestHandler.Answer> replyTo) implements Command {
    }

    private enum Refresh implements Command {
        INSTANCE
    }

    private record Refreshed(TranslatorView view, Throwable failure) implements Command {
    }

    private static final int MAX_WAITING = 1000;

    private final Supplier<CompletionStage<TranslatorView>> views;
    private final TranslationMetrics metrics;
    private final Decoding decoding;
    private final Deque<Translate> waiting = new ArrayDeque<>();
    private TranslatorView view;
    private boolean refreshInFlight;

    public static Behavior<Command> create(Supplier<CompletionStage<TranslatorView>> views, TranslatorConfig config,
                                           Duration snapshotInterval, TranslationMetrics metrics) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Translator(context, timers, views,
                config, snapshotInterval, metrics)));
    }

    private Translator(ActorContext<Command> context, TimerScheduler<Command> timers,
                       Supplier<CompletionStage<TranslatorView>> views, TranslatorConfig config,
                       Duration snapshotInterval, TranslationMetrics metrics) {
        super(context);
        this.views = views;
        this.metrics = metrics;
        this.decoding = new Decoding(config);
        timers.startTimerWithFixedDelay(Refresh.INSTANCE, snapshotInterval);
        refresh();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Translate.class, this::onTranslate)
                .onMessageEquals(Refresh.INSTANCE, this::onRefresh)
                .onMessage(Refreshed.class, this::onRefreshed)
                .build();
    }

    private Behavior<Command> onRefresh() {
        refresh();
        return this;
    }

    private void refresh() {
        if (!refreshInFlight) {
            refreshInFlight = true;
            getContext().pipeToSelf(views.get(), Refreshed::new);
        }
    }

    private Behavior<Command> onRefreshed(Refreshed message) {
        refreshInFlight = false;
        if (message.failure() != null) {
            getContext().getLog().warn("no copy of the model from its servers ({}); the next refresh asks again",
                    message.failure().toString());
            return this;
        }
        view = message.view();
        while (!waiting.isEmpty()) {
            answer(waiting.poll());
        }
        return this;
    }

    private Behavior<Command> onTranslate(Translate translate) {
        if (view != null) {
            answer(translate);
        } else if (waiting.size() < MAX_WAITING) {
            waiting.add(translate);
        } else {
            translate.replyTo().tell(new RequestHandler.Refused(new RequestError(CommonError.INTERNAL,
                    "the model has no copy yet and " + MAX_WAITING + " requests are already waiting")));
        }
        return this;
    }

    private void answer(Translate translate) {
        TranslationRequest request = translate.request();
        if (!view.trained()) {
            translate.replyTo().tell(new RequestHandler.Refused(new RequestError(TranslationError.NOT_TRAINED,
                    "model \"" + request.model() + "\" has not learned from any sentence pair yet; send pairs to its"
                            + " topics first")));
            return;
        }
        long start = System.nanoTime();
        TranslatedSentence sentence = view.translate(decoding, request.words(), request.beam(), request.maxLength());
        metrics.translated(sentence.unknown().size(), System.nanoTime() - start);
        translate.replyTo().tell(new RequestHandler.Reply(TranslationJson.reply(request.id(), request.model(),
                view.version(), request.beam(), sentence)));
    }
}
