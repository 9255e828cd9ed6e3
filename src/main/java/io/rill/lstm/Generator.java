package io.rill.lstm;

import io.rill.request.CommonError;
import io.rill.request.RequestError;
import io.rill.request.RequestHandler;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Answers the generation requests of one character model from a snapshot of its parameters, its vocabulary and its
 * set of seen training sequences, which it asks the parameter server for every {@code snapshot-interval}: sampling
 * reads only the snapshot, so it never waits for training and training never waits for it. A request's samples
 * are drawn side by side (one batched step per character for all of them); with {@code novelOnly} it draws more
 * until it has enough that the seen set does not know, or gives up after {@code novel-attempts} × count draws.
 *
 * <p>State it owns: the snapshot, and requests that arrived before the first snapshot. Lost when it stops: nothing
 * that is not in the parameter server; unanswered requests are answered by the request stream with an error.
 */
public final class Generator extends AbstractBehavior<Generator.Command> {

    public sealed interface Command {
    }

    /**
     * Samples for a valid request whose model is this generator's: the reply (samples from the parameters of a
     * version, and how many were drawn in all), or an error (unknown prefix characters, no parameters yet).
     */
    public record Generate(GenerationRequest request, ActorRef<RequestHandler.Answer> replyTo) implements Command {
    }

    private enum Refresh implements Command {
        INSTANCE
    }

    /** A refresh's answer: a copy of the model, or why there is none (on a cluster, its servers may be moving). */
    private record Refreshed(CharModelView snapshot, Throwable failure) implements Command {
    }

    /**
     * Where copies of the model come from: asked with the seen set or without, the copy or why there is none. The
     * asks have a timeout: a refresh lost with its server (a node that died) must not stop refreshes forever.
     */
    public interface Views extends Function<Boolean, CompletionStage<CharModelView>> {
    }

    private static final int MAX_WAITING = 1000;

    private final Views views;
    private final int novelAttempts;
    private final GenerationMetrics metrics;
    private final Random random;
    private final Deque<Generate> waiting = new ArrayDeque<>();
    private final long seenRefreshNanos;
    private CharModelView snapshot;
    private Sampler sampler;
    private boolean refreshInFlight;
    /** The training sequences seen, refreshed less often than the parameters; when they were copied. */
    private SeenSequences seen;
    private long seenAtNanos;

    /**
     * @param snapshotInterval     how often the parameters are refreshed
     * @param seenRefreshInterval  how often the seen set comes with them: it is as large as the parameters, and on a
     *                             cluster every copy crosses the network
     */
    public static Behavior<Command> create(Views views, Duration snapshotInterval,
                                           Duration seenRefreshInterval, int novelAttempts, long seed,
                                           GenerationMetrics metrics) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Generator(context, timers, views,
                snapshotInterval, seenRefreshInterval, novelAttempts, seed, metrics)));
    }

    private Generator(ActorContext<Command> context, TimerScheduler<Command> timers,
                      Views views, Duration snapshotInterval,
                      Duration seenRefreshInterval, int novelAttempts, long seed, GenerationMetrics metrics) {
        super(context);
        this.views = views;
        this.seenRefreshNanos = seenRefreshInterval.toNanos();
        this.novelAttempts = novelAttempts;
        this.metrics = metrics;
        this.random = new Random(seed);
        timers.startTimerWithFixedDelay(Refresh.INSTANCE, snapshotInterval);
        refresh();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Generate.class, this::onGenerate)
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
            boolean withSeen = seen == null || System.nanoTime() - seenAtNanos >= seenRefreshNanos;
            getContext().pipeToSelf(views.apply(withSeen), Refreshed::new);
        }
    }

    private Behavior<Command> onRefreshed(Refreshed message) {
        refreshInFlight = false;
        if (message.failure() != null) {
            getContext().getLog().warn("no snapshot from the model's server ({}); the next refresh asks again",
                    message.failure().toString());
            return this;
        }
        snapshot = message.snapshot();
        if (snapshot.seen() != null) {
            seen = snapshot.seen();
            seenAtNanos = System.nanoTime();
        }
        sampler = new Sampler(snapshot.params(), snapshot.vocabulary());
        while (!waiting.isEmpty()) {
            answer(waiting.poll());
        }
        return this;
    }

    private Behavior<Command> onGenerate(Generate generate) {
        if (snapshot != null) {
            answer(generate);
        } else if (waiting.size() < MAX_WAITING) {
            waiting.add(generate);
        } else {
            generate.replyTo().tell(new RequestHandler.Refused(new RequestError(CommonError.INTERNAL,
                    "the model has no parameters yet and " + MAX_WAITING + " requests are already waiting")));
        }
        return this;
    }

    private void answer(Generate generate) {
        GenerationRequest request = generate.request();
        List<String> unknown = request.prefix().codePoints()
                .filter(cp -> !snapshot.vocabulary().contains(cp))
                .distinct()
                .mapToObj(cp -> "'" + new String(Character.toChars(cp)) + "' (U+%04X)".formatted(cp))
                .toList();
        if (!unknown.isEmpty()) {
            generate.replyTo().tell(new RequestHandler.Refused(new RequestError(GenerationError.UNKNOWN_CHARACTERS,
                    "prefix has characters model \"" + request.model() + "\" has never seen: "
                            + String.join(", ", unknown))));
            return;
        }
        long start = System.nanoTime();
        List<GeneratedSample> samples = new ArrayList<>(request.count());
        int attempts = 0;
        int maxAttempts = request.novelOnly() ? request.count() * novelAttempts : request.count();
        while (samples.size() < request.count() && attempts < maxAttempts) {
            int draw = Math.min(request.count() - samples.size(), maxAttempts - attempts);
            for (Sampler.Sample sample : sampler.sample(request.prefix(), draw, request.temperature(), request.topK(),
                    request.maxLength(), random)) {
                boolean inTraining = seen.mightContain(sample.text());
                if (!request.novelOnly() || !inTraining) {
                    samples.add(new GeneratedSample(sample.text(), sample.logProbability(), inTraining,
                            sample.ended()));
                }
            }
            attempts += draw;
        }
        metrics.sampled(samples.size(), System.nanoTime() - start);
        generate.replyTo().tell(new RequestHandler.Reply(GenerationJson.reply(request.id(), request.model(),
                snapshot.version(), samples, attempts)));
    }

    /** The samples' texts, for logs and the live view. */
    static String texts(List<GeneratedSample> samples) {
        return samples.stream().map(GeneratedSample::text).collect(Collectors.joining(" "));
    }
}
