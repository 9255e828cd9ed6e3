package io.rill.ingest;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.rill.checkpoint.StreamBarrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The node's streams as checkpoints see them ({@link StreamBarrier}): the stream actors the supervisor has, each
 * sent a barrier and, once the checkpoint has what it needs, told to resume. Not an actor: it only asks actors.
 */
public final class SupervisedStreams implements StreamBarrier {

    private final ActorSystem<?> system;
    private final ActorRef<StreamSupervisor.Command> supervisor;

    public SupervisedStreams(ActorSystem<?> system, ActorRef<StreamSupervisor.Command> supervisor) {
        this.system = system;
        this.supervisor = supervisor;
    }

    @Override
    public CompletionStage<Held> hold(long sequence, Duration timeout) {
        return AskPattern.<StreamSupervisor.Command, StreamSupervisor.StreamList>ask(supervisor,
                StreamSupervisor.ListStreams::new, timeout, system.scheduler()).thenCompose(list -> {
            List<CompletableFuture<StreamState>> states = new ArrayList<>();
            for (ActorRef<StreamActor.Command> stream : list.streams()) {
                states.add(AskPattern.<StreamActor.Command, StreamState>ask(stream,
                        replyTo -> new StreamActor.Barrier(sequence, replyTo), timeout, system.scheduler())
                        .toCompletableFuture());
            }
            HeldStreams held = new HeldStreams(sequence, list.streams(), list.unclaimed());
            return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).handle((all, failure) -> {
                if (failure != null) {
                    held.resume(); // the ones that reached the barrier go on; the others never held
                    long missing = states.stream().filter(s -> s.isCompletedExceptionally()).count();
                    throw new IllegalStateException(missing + " of " + states.size()
                            + " streams did not reach the barrier within " + timeout, failure);
                }
                held.states.addAll(states.stream().map(CompletableFuture::join).toList());
                return held;
            });
        });
    }

    /** Streams at barrier {@code sequence}. */
    private static final class HeldStreams implements Held {
        private final long sequence;
        private final List<ActorRef<StreamActor.Command>> streams;
        private final Map<String, byte[]> unclaimed;
        private final List<StreamState> states = new ArrayList<>();

        HeldStreams(long sequence, List<ActorRef<StreamActor.Command>> streams, Map<String, byte[]> unclaimed) {
            this.sequence = sequence;
            this.streams = streams;
            this.unclaimed = unclaimed;
        }

        @Override
        public List<StreamState> states() {
            return states;
        }

        @Override
        public Map<String, byte[]> unclaimed() {
            return unclaimed;
        }

        @Override
        public void resume() {
            streams.forEach(stream -> stream.tell(new StreamActor.Resume(sequence)));
        }
    }
}
