package io.rill.checkpoint;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.rill.ops.CheckpointMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes the node's checkpoints: every {@code interval}; when {@code every-records} records were taken in since the
 * last; when records were taken in since the last and then none for {@code quiet-after} (a burst is over: its
 * offsets are committed soon after, not an interval later); on request (JMX, a rebalance) and at shutdown. The two
 * triggered by records wait at least {@code min-interval}, and five times as long as the last checkpoint took, after
 * the last one ended, so that checkpoints take at most about a sixth of the time however cheap or dear they are. A checkpoint is a consistent cut: the coordinator sends every stream actor a barrier; each finishes the
 * learning step it has in flight, answers with its own state and the offset it has taken in up to, and then holds
 * new batches. With every stream still, nothing is on its way to a learner, so the learners' states, asked for next,
 * include exactly the records before those offsets. The streams resume as soon as the states are in memory; the
 * file is written (atomically, see {@link CheckpointStore}) off the actors' threads, and only then does the
 * {@link CommitGate} let Kafka commit the offsets the checkpoint includes.
 *
 * <p>Partitions whose state the node restored at start but that have not been assigned to it since (the group has
 * not settled yet, or another node has them) keep their restored state and offset in every checkpoint: nothing of
 * them was read here, so that state is still exact, and dropping it would lose it at the next restart.
 *
 * <p>If a stream does not answer within {@code barrier-timeout}, or a learner fails to export, the checkpoint is
 * abandoned (streams resume, nothing is committed by it) and counted as a failure; the next one tries again.
 *
 * <p>State it owns: the next sequence number, the checkpoint in progress and whoever waits for it. Lost when it
 * stops: nothing (files on disk are the state).
 */
public final class CheckpointCoordinator extends AbstractBehavior<CheckpointCoordinator.Command> {

    public sealed interface Command {
    }

    /** Writes a checkpoint now (or joins the one in progress) and answers when it is on disk or has failed. */
    public record CheckpointNow(ActorRef<Result> replyTo) implements Command {
    }

    public record Result(boolean written, long sequence, String description) {
    }

    /** One learner's part of a checkpoint: a named section and how to get its bytes (asked of its actor). */
    public interface StatePart {
        String section();

        CompletionStage<byte[]> export();
    }

    private enum Tick implements Command {
        INSTANCE
    }

    /** The streams are at the barrier of {@code sequence}, or why not. */
    private record StreamsHeld(long sequence, StreamBarrier.Held held, Throwable failure) implements Command {
    }

    private record PartsExported(long sequence, Map<String, byte[]> parts, Throwable failure) implements Command {
    }

    private record Written(long sequence, long bytes, Throwable failure) implements Command {
    }

    private static final Duration TICK = Duration.ofMillis(50);
    /** A checkpoint triggered by records waits this many times the last one's duration after it ended. */
    private static final int SPACING_FACTOR = 5;

    private final CheckpointSettings settings;
    private final CheckpointStore store;
    private final CommitGate gate;
    private final StreamBarrier streams;
    private final Supplier<List<StatePart>> parts;
    private final LongSupplier recordsTaken;
    private final Map<TopicPartition, Long> restoredOffsets;
    private final CheckpointMetrics metrics;
    private final Executor blocking;

    private long nextSequence;
    private long lastStartedNanos = System.nanoTime();
    private long recordsAtLast;
    /** Records taken in as last seen, when that last changed, and when the last checkpoint ended and how long it took. */
    private long recordsSeen;
    private long lastActivityNanos = System.nanoTime();
    private long lastEndedNanos = System.nanoTime() - Long.MAX_VALUE / 4;
    private long lastDurationNanos;
    /** Why the checkpoint in progress was started. */
    private String trigger = "";
    /** The checkpoint in progress (-1: none), its held streams, their states, when it started and who waits. */
    private long current = -1;
    private StreamBarrier.Held held;
    /** Restored stream states of partitions not assigned here since the start: carried into every checkpoint. */
    private Map<String, byte[]> unclaimed = Map.of();
    private final Set<String> carriedForward = new HashSet<>();
    private final Map<String, StreamBarrier.StreamState> collected = new LinkedHashMap<>();
    private long startedNanos;
    private long pauseMillis;
    private Map<TopicPartition, Long> offsets = Map.of();
    private final List<ActorRef<Result>> waiting = new ArrayList<>();
    private boolean again;

    public static Behavior<Command> create(CheckpointSettings settings, CheckpointStore store, CommitGate gate,
                                           StreamBarrier streams,
                                           Supplier<List<StatePart>> parts, LongSupplier recordsTaken,
                                           CheckpointMetrics metrics, long firstSequence,
                                           Map<TopicPartition, Long> restoredOffsets) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new CheckpointCoordinator(context, timers,
                settings, store, gate, streams, parts, recordsTaken, metrics, firstSequence, restoredOffsets)));
    }

    private CheckpointCoordinator(ActorContext<Command> context, TimerScheduler<Command> timers,
                                  CheckpointSettings settings, CheckpointStore store, CommitGate gate,
                                  StreamBarrier streams, Supplier<List<StatePart>> parts,
                                  LongSupplier recordsTaken, CheckpointMetrics metrics, long firstSequence,
                                  Map<TopicPartition, Long> restoredOffsets) {
        super(context);
        this.restoredOffsets = Map.copyOf(restoredOffsets);
        this.settings = settings;
        this.store = store;
        this.gate = gate;
        this.streams = streams;
        this.parts = parts;
        this.recordsTaken = recordsTaken;
        this.metrics = metrics;
        this.nextSequence = firstSequence;
        this.recordsAtLast = recordsTaken.getAsLong();
        this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessage(CheckpointNow.class, this::onCheckpointNow)
                .onMessage(StreamsHeld.class, this::onStreamsHeld)
                .onMessage(PartsExported.class, this::onPartsExported)
                .onMessage(Written.class, this::onWritten)
                .build();
    }

    private Behavior<Command> onTick() {
        long now = System.nanoTime();
        long taken = recordsTaken.getAsLong();
        if (taken != recordsSeen) {
            recordsSeen = taken;
            lastActivityNanos = now;
        }
        if (current >= 0) {
            return this;
        }
        if (now - lastStartedNanos >= settings.interval().toNanos()) {
            begin("interval");
            return this;
        }
        long sinceLast = taken - recordsAtLast;
        boolean spaced = now - lastEndedNanos >= Math.max(settings.minInterval().toNanos(),
                SPACING_FACTOR * lastDurationNanos);
        if (!spaced || sinceLast <= 0) {
            return this;
        }
        if (settings.everyRecords() > 0 && sinceLast >= settings.everyRecords()) {
            begin("records");
        } else if (!settings.quietAfter().isZero() && now - lastActivityNanos >= settings.quietAfter().toNanos()) {
            begin("quiet");
        }
        return this;
    }

    private Behavior<Command> onCheckpointNow(CheckpointNow request) {
        waiting.add(request.replyTo());
        if (current < 0) {
            begin("request");
        } else {
            again = true; // the one in progress may have cut before the caller's records: write another after it
        }
        return this;
    }

    private void begin(String why) {
        trigger = why;
        current = nextSequence++;
        lastStartedNanos = System.nanoTime();
        recordsAtLast = recordsTaken.getAsLong();
        startedNanos = System.nanoTime();
        collected.clear();
        long sequence = current;
        getContext().pipeToSelf(streams.hold(sequence, settings.barrierTimeout()),
                (streamsHeld, failure) -> new StreamsHeld(sequence, streamsHeld, failure));
    }

    private Behavior<Command> onStreamsHeld(StreamsHeld message) {
        if (message.sequence() != current) {
            if (message.held() != null) {
                message.held().resume(); // held for a checkpoint already given up on
            }
            return this;
        }
        if (message.failure() != null) {
            return fail("the streams did not reach the barrier: " + message.failure().getMessage());
        }
        held = message.held();
        unclaimed = held.unclaimed();
        for (StreamBarrier.StreamState state : held.states()) {
            collected.put(Checkpoint.streamKey(state.topic(), state.partition()), state);
        }
        return exportParts();
    }

    /** Every stream is still: ask the learners for their states, then let the streams go on. */
    private Behavior<Command> exportParts() {
        long sequence = current;
        Map<TopicPartition, Long> cut = new LinkedHashMap<>();
        for (StreamBarrier.StreamState stream : collected.values()) {
            if (stream.nextOffset() >= 0) {
                cut.put(new TopicPartition(stream.topic(), stream.partition()), stream.nextOffset());
            }
        }
        // A partition restored at start but not assigned since: nothing of it was read, its state and offset hold.
        carriedForward.clear();
        restoredOffsets.forEach((tp, next) -> {
            String key = Checkpoint.streamKey(tp.topic(), tp.partition());
            if (unclaimed.containsKey(key) && !collected.containsKey(key)) {
                cut.put(tp, next);
                carriedForward.add(key);
            }
        });
        offsets = cut;
        List<StatePart> learnerParts = parts.get();
        List<CompletableFuture<byte[]>> exports = new ArrayList<>();
        for (StatePart part : learnerParts) {
            exports.add(part.export().toCompletableFuture());
        }
        CompletableFuture.allOf(exports.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
            Map<String, byte[]> sections = new LinkedHashMap<>();
            if (failure == null) {
                for (int i = 0; i < learnerParts.size(); i++) {
                    sections.put(learnerParts.get(i).section(), exports.get(i).join());
                }
            }
            getContext().getSelf().tell(new PartsExported(sequence, sections, failure));
        });
        return this;
    }

    private Behavior<Command> onPartsExported(PartsExported exported) {
        if (exported.sequence() != current) {
            return this;
        }
        resumeStreams();
        if (exported.failure() != null) {
            return fail("a learner could not export its state: " + exported.failure());
        }
        Map<String, byte[]> sections = new LinkedHashMap<>();
        collected.forEach((key, stream) -> sections.put(Checkpoint.streamSection(key), stream.state()));
        // Carried forward with their restored offsets only: on a cluster, states adopted for partitions whose
        // streams have not started yet belong to the checkpoint of the node they came from.
        unclaimed.forEach((key, state) -> {
            if (carriedForward.contains(key)) {
                sections.putIfAbsent(Checkpoint.streamSection(key), state);
            }
        });
        sections.putAll(exported.parts());
        Checkpoint checkpoint = new Checkpoint(current, Instant.now(), offsets,
                sections);
        long sequence = current;
        CompletableFuture.supplyAsync(() -> {
            try {
                return store.write(checkpoint);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, blocking).whenComplete((path, failure) -> getContext().getSelf().tell(
                new Written(sequence, failure == null ? sizeOf(path) : 0, failure)));
        return this;
    }

    private Behavior<Command> onWritten(Written written) {
        if (written.sequence() != current) {
            return this;
        }
        if (written.failure() != null) {
            return fail("writing the checkpoint failed: " + written.failure());
        }
        gate.checkpointed(offsets);
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        metrics.written(current, Instant.now(), written.bytes(), millis, pauseMillis, trigger);
        getContext().getLog().info("checkpoint {} ({}) written: {} bytes, {} streams, {} ms (streams held {} ms)",
                current, trigger, written.bytes(), collected.size(), millis, pauseMillis);
        return finish(new Result(true, current, "checkpoint " + current + " written, " + written.bytes()
                + " bytes, offsets " + offsets));
    }

    private Behavior<Command> fail(String reason) {
        resumeStreams();
        metrics.failed();
        getContext().getLog().warn("checkpoint {} abandoned: {}", current, reason);
        return finish(new Result(false, current, "checkpoint " + current + " abandoned: " + reason));
    }

    private Behavior<Command> finish(Result result) {
        lastEndedNanos = System.nanoTime();
        lastDurationNanos = lastEndedNanos - startedNanos;
        current = -1;
        collected.clear();
        if (again) {
            again = false;
            begin("request"); // whoever asked during the last one gets the next one
            return this;
        }
        waiting.forEach(replyTo -> replyTo.tell(result));
        waiting.clear();
        return this;
    }

    private void resumeStreams() {
        if (held != null) {
            pauseMillis = (System.nanoTime() - startedNanos) / 1_000_000;
            held.resume();
            held = null;
        }
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }
}
