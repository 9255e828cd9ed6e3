package io.rill.classify;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.rill.ps.ParameterServer;
import io.rill.request.CommonError;
import io.rill.request.RequestError;
import io.rill.request.RequestHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Answers the classification requests of one model on this node from a copy of its parameters and data, refreshed
 * every {@code snapshot-interval}: classifying reads only the copy, so it never waits for training and training never
 * waits for it. A request's text is cut as requests are ({@link Tokens#ofRequest}); a word the model has never seen
 * reads its pre-trained vector if the model's source has one, else a zero row.
 *
 * <p>State it owns: the copy, the pre-trained lookup, requests that came before the first copy. Lost when it stops:
 * nothing the model needs; unanswered requests are answered by the request path with an error.
 */
public final class Classifier extends AbstractBehavior<Classifier.Command> {

    public sealed interface Command {
    }

    public record Classify(ClassificationRequest request, ActorRef<RequestHandler.Answer> replyTo)
            implements Command {
    }

    private enum Refresh implements Command {
        INSTANCE
    }

    private record Fresh(ParameterServer.Snapshot snapshot, Throwable failure) implements Command {
    }

    private record Synced(ClassifierData.Synced synced, Throwable failure) implements Command {
    }

    private record Looked(Pretrained vectors, Throwable failure) implements Command {
    }

    private static final int MAX_WAITING = 1000;

    private final String model;
    private final ActorRef<ParameterServer.Command> server;
    private final ActorRef<ClassifierData.Command> data;
    private final VectorSource source;
    private final Duration timeout;
    private final ClassificationMetrics metrics;
    private final KimCnn engine;
    private final ModelCopy copy;
    private final Deque<Classify> waiting = new ArrayDeque<>();
    private final float[] row;
    private Pretrained vectors;
    private boolean pulling;
    private boolean syncing;
    private long vectorsForBase = -2;

    public static Behavior<Command> create(String model, CnnConfig config, ActorRef<ParameterServer.Command> server,
                                           ActorRef<ClassifierData.Command> data, VectorSource source,
                                           boolean recycle, Duration interval, Duration timeout,
                                           ClassificationMetrics metrics) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Classifier(context, timers, model,
                config.withDropout(0), server, data, source, recycle, interval, timeout, metrics)));
    }

    private Classifier(ActorContext<Command> context, TimerScheduler<Command> timers, String model, CnnConfig config,
                       ActorRef<ParameterServer.Command> server, ActorRef<ClassifierData.Command> data,
                       VectorSource source, boolean recycle, Duration interval, Duration timeout,
                       ClassificationMetrics metrics) {
        super(context);
        this.model = model;
        this.server = server;
        this.data = data;
        this.source = source;
        this.timeout = timeout;
        this.metrics = metrics;
        this.engine = new KimCnn(config, true);
        this.copy = new ModelCopy(config, recycle, false);
        this.row = new float[config.dimension()];
        timers.startTimerWithFixedDelay(Refresh.INSTANCE, interval);
        refresh();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Classify.class, this::onClassify)
                .onMessageEquals(Refresh.INSTANCE, this::onRefresh)
                .onMessage(Fresh.class, this::onFresh)
                .onMessage(Synced.class, this::onSynced)
                .onMessage(Looked.class, this::onLooked)
                .build();
    }

    private Behavior<Command> onRefresh() {
        refresh();
        return this;
    }

    private void refresh() {
        if (!pulling) {
            pulling = true;
            var reuse = copy.takeSpare();
            getContext().ask(ParameterServer.Snapshot.class, server, timeout,
                    replyTo -> new ParameterServer.Pull(replyTo, reuse), Fresh::new);
        }
        if (!syncing) {
            syncing = true;
            getContext().ask(ClassifierData.Synced.class, data, timeout, copy.data()::request, Synced::new);
        }
    }

    private Behavior<Command> onFresh(Fresh fresh) {
        pulling = false;
        if (fresh.failure() == null) {
            copy.apply(fresh.snapshot());
            engine.parametersChanged();
        } else {
            getContext().getLog().warn("classifier {}: no parameters from the server ({}); the next refresh asks "
                    + "again", model, fresh.failure().toString());
        }
        answerWaiting();
        return this;
    }

    private Behavior<Command> onSynced(Synced synced) {
        syncing = false;
        if (synced.failure() == null) {
            copy.data().apply(synced.synced());
            if (vectorsForBase != copy.data().baseVersion()) {
                vectorsForBase = copy.data().baseVersion();
                getContext().pipeToSelf(source.vectors(), Looked::new); // the lookup follows the base rows
            }
        } else {
            getContext().getLog().warn("classifier {}: no data ({}); the next refresh asks again", model,
                    synced.failure().toString());
        }
        answerWaiting();
        return this;
    }

    private Behavior<Command> onLooked(Looked looked) {
        if (looked.failure() == null && looked.vectors().dimension() == row.length) {
            vectors = looked.vectors();
        }
        return this;
    }

    private Behavior<Command> onClassify(Classify classify) {
        if (copy.ready()) {
            answer(classify);
        } else if (untrained()) {
            classify.replyTo().tell(new RequestHandler.Refused(new RequestError(ClassificationError.UNTRAINED,
                    "model \"" + model + "\" has not learned any class yet: send it labelled lines first")));
        } else if (waiting.size() < MAX_WAITING) {
            waiting.add(classify);
        } else {
            classify.replyTo().tell(new RequestHandler.Refused(new RequestError(CommonError.INTERNAL,
                    "the model has no copy yet and " + MAX_WAITING + " requests are already waiting")));
        }
        return this;
    }

    private void answerWaiting() {
        while (!waiting.isEmpty() && (copy.ready() || untrained())) {
            onClassify(waiting.poll());
        }
    }

    /** Both copies arrived and the model has no class yet. */
    private boolean untrained() {
        return copy.params() != null && copy.data().baseVersion() >= 0 && copy.data().labels().isEmpty();
    }

    private void answer(Classify classify) {
        long start = System.nanoTime();
        ClassificationRequest request = classify.request();
        DataCopy data = copy.data();
        List<String> tokens = Tokens.ofRequest(request.text());
        ExtendedRows rows = new ExtendedRows(data.base());
        int[] ids = new int[tokens.size()];
        boolean[] known = new boolean[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = data.id(tokens.get(i));
            known[i] = ids[i] >= 0;
            if (!known[i] && vectors != null && vectors.vector(tokens.get(i), row, 0)) {
                ids[i] = rows.add(row);
            }
        }
        KimCnn.Classification result = engine.classify(copy.params(), rows, ids, request.explain());
        List<String> labels = data.labels();
        double[] probabilities = Arrays.copyOf(result.probabilities(), labels.size());
        double sum = Arrays.stream(probabilities).sum();
        for (int c = 0; c < probabilities.length; c++) {
            probabilities[c] /= sum; // a class the data does not name yet (a growth on its way) is left out
        }
        List<ClassificationJson.Token> explained = null;
        if (request.explain()) {
            explained = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                explained.add(new ClassificationJson.Token(tokens.get(i), result.tokenWeights()[i], known[i]));
            }
        }
        metrics.classified(System.nanoTime() - start);
        classify.replyTo().tell(new RequestHandler.Reply(ClassificationJson.classification(request.id(),
                request.model(), copy.version(), labels, probabilities, explained)));
    }
}
