package io.rill.learn;

import akka.actor.typed.ActorRef;
import java.util.List;

/**
 * The protocol of a learner's per-stream actor: the actor a model keeps for each (topic, partition) it learns from,
 * a child of that stream's actor, so whatever it carries from record to record (a sliding window, an LSTM's hidden
 * state, a mini-batch being filled) lives as long as the stream. The stream's actor sends it the records of each
 * batch and acknowledges the batch to Kafka once every learner of the stream has answered; at a checkpoint's
 * barrier it asks for the learner's state and later lets it go on.
 *
 * <p>{@link Command} is open: a learner's stream actor adds its own private messages (answers of its servers and
 * workers) by implementing it.
 */
public final class StreamLearner {

    private StreamLearner() {
    }

    /** What a learner's stream actor understands. */
    public interface Command {
    }

    /**
     * The accepted records of a batch of the stream, in offset order. A record the actor has already taken in (a
     * restarted source delivers it again) must not be learned from twice. {@code replyTo} learns when the batch is
     * taken in: only then may Kafka commit it, so the answer is the learner's promise that the records are in the
     * model or in state a checkpoint holds.
     */
    public record Learn(List<AcceptedRecord> records, ActorRef<Learned> replyTo) implements Command {
    }

    /** The records up to {@code offset} are taken in (-1: none yet). */
    public record Learned(long offset) {
    }

    /**
     * A checkpoint's barrier: answered with the actor's state once nothing it sent is still on its way to the model
     * (a step in flight is finished first); after that it sends nothing to the model until {@link Resume}, so the
     * model cannot move past what the bytes hold. Batches that arrive meanwhile may be taken in and answered.
     */
    public record ExportState(ActorRef<ExportedState> replyTo) implements Command {
    }

    public record ExportedState(byte[] bytes) {
    }

    /** The checkpoint has the model's state too: go on. */
    public enum Resume implements Command {
        INSTANCE
    }
}
