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
 * reads only the snapshot, so it never waits for training and training never waits for it.
 *
 * <p><b>One pass for what is waiting.</b> A request does not start a sampling pass of its own: the generator notes it
 * and sends itself a {@code Flush}, which queues behind every request already in its mailbox, so the flush answers
 * all the requests that arrived meanwhile (at most {@code batch-samples} samples' worth per pass) with their
 * samples side by side in one pass ({@link Sampler#sample(List, Random)}: one step of the model per character for
 * all of them). Under load a pass answers many requests for little more than the cost of one; idle, a request is
 * answered at once. With {@code novelOnly} a request draws more, in further rounds of the pass, until it has enough
 * that the seen set does not know, or gives up after {@code novel-attempts} × count draws. A node runs
 * {@code generators-per-model} generators per model, each with its own snapshot, the requests dealt round-robin.
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

    /** Answer what is pending; queued behind the requests already in the mailbox. */
    private enum Flush implements Command {
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
    private final int batchSamples;
    private final Deque<Generate> waiting = new ArrayDeque<>();
    private final List<Generate> pending = new ArrayList<>();
    private boolean flushQueued;
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
        return create(views, snapshotInterval, seenRefreshInterval, novelAttempts, DEFAULT_BATCH_SAMPLES, seed,
                metrics);
    }

    /** @param batchSamples the most samples one pass draws for the requests waiting (one request may draw more) */
    public static Behavior<Command> create(Views views, Duration snapshotInterval,
                                           Duration seenRefreshInterval, int novelAttempts, int batchSamples,
                                           long seed, GenerationMetrics metrics) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Generator(context, timers, views,
                snapshotInterval, seenRefreshInterval, novelAttempts, batchSamples, seed, metrics)));
    }

    static final int DEFAULT_BATCH_SAMPLES = 256;

    private Generator(ActorContext<Command> context, TimerScheduler<Command> timers,
                      Views views, Duration snapshotInterval,
                      Duration seenRefreshInterval, int novelAttempts, int batchSamples, long seed,
                      GenerationMetrics metrics) {
        super(context);
        this.views = views;
        this.batchSamples = Math.max(1, batchSamples);
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
                .onMessageEquals(Flush.INSTANCE, this::onFlush)
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
        pending.addAll(waiting);
        waiting.clear();
        queueFlush();
        return this;
    }

    private Behavior<Command> onGenerate(Generate generate) {
        if (snapshot != null) {
            pending.add(generate);
            queueFlush();
        } else if (waiting.size() < MAX_WAITING) {
            waiting.add(generate);
        } else {
            generate.replyTo().tell(new RequestHandler.Refused(new RequestError(CommonError.INTERNAL,
                    "the model has no parameters yet and " + MAX_WAITING + " requests are already waiting")));
        }
        return this;
    }

    private void queueFlush() {
        if (!flushQueued && !pending.isEmpty()) {
            flushQueued = true;
            getContext().getSelf().tell(Flush.INSTANCE);
        }
    }

    /** Answers the pending requests, up to {@code batch-samples} samples' worth, in one pass; the rest next. */
    private Behavior<Command> onFlush() {
        flushQueued = false;
        List<Generate> batch = new ArrayList<>();
        int samples = 0;
        while (!pending.isEmpty() && (batch.isEmpty() || samples + pending.get(0).request().count() <= batchSamples)) {
            Generate next = pending.remove(0);
            samples += next.request().count();
            batch.add(next);
        }
        answer(batch);
        queueFlush();
        return this;
    }

    /** One request of a pass: what it has drawn so far. */
    private final class Draws {
        final Generate generate;
        final GenerationRequest request;
        final List<GeneratedSample> samples;
        final int maxAttempts;
        int attempts;

        Draws(Generate generate) {
            this.generate = generate;
            this.request = generate.request();
            this.samples = new ArrayList<>(request.count());
            this.maxAttempts = request.novelOnly() ? request.count() * novelAttempts : request.count();
        }

        /** How many more to draw in the next round: 0 when it has enough or may draw no more. */
        int next() {
            return samples.size() < request.count() ? Math.min(request.count() - samples.size(),
                    maxAttempts - attempts) : 0;
        }
    }

    private void answer(List<Generate> batch) {
        long start = System.nanoTime();
        List<Draws> draws = new ArrayList<>(batch.size());
        for (Generate generate : batch) {
            RequestError unknown = unknownCharacters(generate.request());
            if (unknown != null) {
                generate.replyTo().tell(new RequestHandler.Refused(unknown));
            } else {
                draws.add(new Draws(generate));
            }
        }
        if (draws.isEmpty()) {
            return;
        }
        while (true) { // rounds: the first draws every request's count, later ones only novelOnly's shortfalls
            List<Draws> drawing = new ArrayList<>();
            List<Sampler.Order> orders = new ArrayList<>();
            for (Draws d : draws) {
                int n = d.next();
                if (n > 0) {
                    drawing.add(d);
                    orders.add(new Sampler.Order(d.request.prefix(), n, d.request.temperature(), d.request.topK(),
                            d.request.maxLength()));
                }
            }
            if (orders.isEmpty()) {
                break;
            }
            List<List<Sampler.Sample>> drawn = sampler.sample(orders, random);
            for (int k = 0; k < drawing.size(); k++) {
                Draws d = drawing.get(k);
                for (Sampler.Sample sample : drawn.get(k)) {
                    boolean inTraining = seen.mightContain(sample.text());
                    if (!d.request.novelOnly() || !inTraining) {
                        d.samples.add(new GeneratedSample(sample.text(), sample.logProbability(), inTraining,
                                sample.ended()));
                    }
                }
                d.attempts += orders.get(k).count();
            }
        }
        long nanos = System.nanoTime() - start;
        metrics.pass(draws.size());
        for (Draws d : draws) {
            metrics.sampled(d.samples.size(), nanos);
            d.generate.replyTo().tell(new RequestHandler.Reply(GenerationJson.reply(d.request.id(),
                    d.request.model(), snapshot.version(), d.samples, d.attempts)));
        }
    }

    /** The error for a prefix with characters the snapshot's vocabulary lacks, or null. */
    private RequestError unknownCharacters(GenerationRequest request) {
        List<String> unknown = request.prefix().codePoints()
                .filter(cp -> !snapshot.vocabulary().contains(cp))
                .distinct()
                .mapToObj(cp -> "'" + new String(Character.toChars(cp)) + "' (U+%04X)".formatted(cp))
                .toList();
        if (unknown.isEmpty()) {
            return null;
        }
        return new RequestError(GenerationError.UNKNOWN_CHARACTERS, "prefix has characters model \""
                + request.model() + "\" has never seen: " + String.join(", ", unknown));
    }

    /** The samples' texts, for logs and the live view. */
    static String texts(List<GeneratedSample> samples) {
        return samples.stream().map(GeneratedSample::text).collect(Collectors.joining(" "));
    }
}
