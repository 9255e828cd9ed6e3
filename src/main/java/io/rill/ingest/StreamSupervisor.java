package io.rill.ingest;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.checkpoint.Checkpoint;
import io.rill.ops.NodeStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Parent of the stream actors: hands out the actor of a (topic, partition), spawning it the first time the
 * partition is assigned to this node. On a single node, a partition that is revoked and assigned again finds its
 * actor, and so its state, still here; a stream of a partition that the checkpoint the node started from holds
 * starts from that state, at once (its counts are on JMX before its partition is assigned).
 *
 * <p>On a cluster, partitions come and go with their state (the cluster's StreamHandover): a revoked
 * partition's actor is retired ({@link Retire}) once its state is checkpointed, and an assigned partition's stream
 * starts from the newest state any node checkpointed ({@link Adopt}), unless it came straight back to this node.
 *
 * <p>State it owns: the map from (topic, partition) to stream actor, the retired actors until they stop, the states
 * waiting for their streams. Lost when it stops: all of it and, with it, its children.
 */
public final class StreamSupervisor extends AbstractBehavior<StreamSupervisor.Command> {

    public sealed interface Command {
    }

    /** Asks for the actor of a stream, spawning it if needed. */
    public record StreamFor(String topic, int partition, ActorRef<ActorRef<StreamActor.Command>> replyTo)
            implements Command {
    }

    /**
     * On a cluster, partitions just assigned here: their states as checkpointed by whichever node had them last
     * (by "topic-partition"; absent: start afresh). A stream in {@code keep} whose actor this node retired in the
     * same rebalance (the partition came straight back, and the newest state is this node's own) keeps that actor,
     * which is at least as new; any other actor this node still has for them is stale and is replaced. Answered
     * once the states are in place.
     */
    public record Adopt(Map<String, byte[]> states, Set<String> keep, ActorRef<Done> replyTo) implements Command {
    }

    /**
     * On a cluster, partitions revoked (by "topic-partition"), after their states were checkpointed: their actors are
     * stopped after {@code grace} unless the partitions come back first, so that a batch still in flight is answered
     * rather than failing its stream; what such a batch teaches is read again by the next owner.
     */
    public record Retire(Set<String> streams, Duration grace) implements Command {
    }

    private record StopIfRetired(String stream, ActorRef<StreamActor.Command> actor) implements Command {
    }

    /** Asks for every stream actor this node has. */
    public record ListStreams(ActorRef<StreamList> replyTo) implements Command {
    }

    /**
     * The node's stream actors, and the checkpointed states of partitions that have none yet (restored at start,
     * not yet assigned here), by "topic-partition": a checkpoint must carry those forward unchanged.
     */
    public record StreamList(List<ActorRef<StreamActor.Command>> streams, Map<String, byte[]> unclaimed) {
    }

    private final NodeStatus status;
    private final int maxDistinctTokens;
    private final BiFunction<String, Integer, StreamActor.Learners> learners;
    private final Function<String, StreamActor.Intake> intakes;
    private final Map<String, ActorRef<StreamActor.Command>> streams = new HashMap<>();
    /** Actors of revoked partitions, by "topic-partition", until they stop or their partitions come back. */
    private final Map<String, ActorRef<StreamActor.Command>> retired = new HashMap<>();
    /** Numbers the actors' names: a stream adopted again gets a new actor while the retired one may still stop. */
    private long incarnations;
    /** Stream states from the checkpoint the node started from, by "topic-partition", used once. */
    private final Map<String, byte[]> restored;

    /**
     * @param learners the models a (topic, partition) stream feeds ({@link StreamActor.Learners#NONE} for none)
     * @param restored stream states from the checkpoint the node started from, by "topic-partition"
     */
    public static Behavior<Command> create(NodeStatus status, int maxDistinctTokens,
                                           BiFunction<String, Integer, StreamActor.Learners> learners,
                                           Map<String, byte[]> restored) {
        return create(status, maxDistinctTokens, learners, restored, topic -> null);
    }

    /** As above, the streams of each topic taking raw records as {@code intakes} says for the topic. */
    public static Behavior<Command> create(NodeStatus status, int maxDistinctTokens,
                                           BiFunction<String, Integer, StreamActor.Learners> learners,
                                           Map<String, byte[]> restored,
                                           Function<String, StreamActor.Intake> intakes) {
        return Behaviors.setup(context -> new StreamSupervisor(context, status, maxDistinctTokens, learners,
                restored, intakes));
    }

    private StreamSupervisor(ActorContext<Command> context, NodeStatus status, int maxDistinctTokens,
                             BiFunction<String, Integer, StreamActor.Learners> learners,
                             Map<String, byte[]> restored, Function<String, StreamActor.Intake> intakes) {
        super(context);
        this.intakes = intakes;
        this.restored = new HashMap<>(restored);
        this.status = status;
        this.maxDistinctTokens = maxDistinctTokens;
        this.learners = learners;
        startRestoredStreams();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamFor.class, this::onStreamFor)
                .onMessage(ListStreams.class, this::onListStreams)
                .onMessage(Adopt.class, this::onAdopt)
                .onMessage(Retire.class, this::onRetire)
                .onMessage(StopIfRetired.class, this::onStopIfRetired)
                .onSignal(Terminated.class, this::onTerminated)
                .build();
    }

    private Behavior<Command> onStreamFor(StreamFor request) {
        request.replyTo().tell(streamFor(request.topic(), request.partition()));
        return this;
    }

    private ActorRef<StreamActor.Command> streamFor(String topic, int partition) {
        String key = Checkpoint.streamKey(topic, partition);
        return streams.computeIfAbsent(key, k -> {
            // A failing batch must not wipe the stream's state: resume, and let the unanswered ask fail the
            // Kafka stream, which then re-reads from the committed offsets.
            Behavior<StreamActor.Command> behavior = Behaviors.supervise(StreamActor.create(topic, partition,
                    maxDistinctTokens, status.stream(topic, partition), learners.apply(topic, partition),
                    restored.remove(k), intakes.apply(topic)))
                    .onFailure(SupervisorStrategy.resume());
            ActorRef<StreamActor.Command> child = getContext().spawn(behavior, "stream-" + k + "-" + incarnations++);
            getContext().watch(child);
            return child;
        });
    }

    /**
     * The streams of a topic the node reads whose states the checkpoint it started from holds start at once, so their
     * counts show on JMX from the start, before the group assigns their partitions (on a single node it assigns them
     * here); the states of other topics' partitions stay as they are, carried into every checkpoint.
     */
    private void startRestoredStreams() {
        for (String key : List.copyOf(restored.keySet())) {
            int dash = key.lastIndexOf('-');
            if (dash <= 0) {
                continue;
            }
            String topic = key.substring(0, dash);
            int partition;
            try {
                partition = Integer.parseInt(key.substring(dash + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (intakes.apply(topic) != null) {
                streamFor(topic, partition);
            }
        }
    }

    private Behavior<Command> onAdopt(Adopt adopt) {
        for (String key : adopt.keep()) {
            ActorRef<StreamActor.Command> back = retired.remove(key);
            if (back != null) {
                streams.put(key, back);
            }
        }
        for (Map.Entry<String, byte[]> state : adopt.states().entrySet()) {
            if (streams.containsKey(state.getKey()) && adopt.keep().contains(state.getKey())) {
                continue;
            }
            stop(streams.remove(state.getKey()));
            stop(retired.remove(state.getKey()));
            restored.put(state.getKey(), state.getValue());
        }
        adopt.replyTo().tell(Done.getInstance());
        return this;
    }

    private Behavior<Command> onRetire(Retire retire) {
        for (String key : retire.streams()) {
            restored.remove(key);
            ActorRef<StreamActor.Command> actor = streams.remove(key);
            if (actor != null) {
                retired.put(key, actor);
                getContext().scheduleOnce(retire.grace(), getContext().getSelf(), new StopIfRetired(key, actor));
            }
        }
        return this;
    }

    private Behavior<Command> onStopIfRetired(StopIfRetired stop) {
        if (retired.remove(stop.stream(), stop.actor())) {
            stop(stop.actor());
        }
        return this;
    }

    private void stop(ActorRef<StreamActor.Command> actor) {
        if (actor != null) {
            actor.tell(new StreamActor.Stop());
        }
    }

    private Behavior<Command> onListStreams(ListStreams request) {
        request.replyTo().tell(new StreamList(List.copyOf(streams.values()), Map.copyOf(restored)));
        return this;
    }

    private Behavior<Command> onTerminated(Terminated terminated) {
        streams.values().removeIf(ref -> ref.equals(terminated.getRef()));
        retired.values().removeIf(ref -> ref.equals(terminated.getRef()));
        return this;
    }
}
