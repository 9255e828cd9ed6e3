package io.rill.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.ops.Health;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Watches the actors each model started on this node (its workers, generators, parameter servers or their local
 * stand-ins on a cluster: everything it spawned through the node) and says, for {@code /health}, whether they are all
 * alive. It owns nothing but that record, published in a map the health check reads; when it stops, nothing is lost
 * but the watching.
 */
final class LearnerWatch extends AbstractBehavior<LearnerWatch.Command> {

    sealed interface Command permits Watch, Stopped {
    }

    /** Watch {@code actor}, one of model {@code model}'s. */
    record Watch(String model, ActorRef<?> actor) implements Command {
    }

    private record Stopped(String model, ActorRef<?> actor) implements Command {
    }

    /** What the check reads: per model, the actors alive and the names of those that stopped. */
    static final class Status {
        private final Map<String, Integer> alive = new ConcurrentHashMap<>();
        private final Map<String, List<String>> stopped = new ConcurrentHashMap<>();
        private final Map<String, Boolean> models = new ConcurrentHashMap<>();
        private volatile boolean stopping;

        /** The node is stopping: its actors stop on purpose from now on. */
        void stopping() {
            stopping = true;
        }

        /** A model started (before any of its actors is watched). */
        void started(String model) {
            models.put(model, true);
        }

        /** The health of the learners: up when every model has all its actors. */
        Health.Part part() {
            if (stopping) {
                return Health.Part.down("stopping", "the node is stopping");
            }
            if (models.isEmpty()) {
                return Health.Part.up("none", "the node runs no model (rill.models)");
            }
            Map<String, String> down = new TreeMap<>();
            Map<String, Integer> up = new TreeMap<>();
            for (String model : models.keySet()) {
                List<String> gone = stopped.getOrDefault(model, List.of());
                if (gone.isEmpty()) {
                    up.put(model, alive.getOrDefault(model, 0));
                } else {
                    down.put(model, "actor" + (gone.size() > 1 ? "s " : " ") + String.join(", ", gone) + " stopped");
                }
            }
            String running = up.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " actors)")
                    .collect(Collectors.joining(", "));
            if (down.isEmpty()) {
                return Health.Part.up("learning", "models " + running + " running");
            }
            return Health.Part.down("failed", down.entrySet().stream().map(e -> "model " + e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining("; ")) + (running.isEmpty() ? "" : "; running: " + running));
        }
    }

    static Behavior<Command> create(Status status) {
        return Behaviors.setup(context -> new LearnerWatch(context, status));
    }

    private final Status status;

    private LearnerWatch(ActorContext<Command> context, Status status) {
        super(context);
        this.status = status;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Watch.class, this::onWatch)
                .onMessage(Stopped.class, this::onStopped)
                .build();
    }

    private Behavior<Command> onWatch(Watch watch) {
        getContext().watchWith(watch.actor(), new Stopped(watch.model(), watch.actor()));
        status.alive.merge(watch.model(), 1, Integer::sum);
        return this;
    }

    private Behavior<Command> onStopped(Stopped stopped) {
        status.alive.merge(stopped.model(), -1, Integer::sum);
        status.stopped.merge(stopped.model(), List.of(stopped.actor().path().name()),
                (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList());
        if (!status.stopping) {
            getContext().getLog().warn("actor {} of model {} stopped: /health reports the learners down",
                    stopped.actor().path(), stopped.model());
        }
        return this;
    }
}
