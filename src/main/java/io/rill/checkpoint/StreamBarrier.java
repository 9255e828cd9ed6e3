package io.rill.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The node's streams as a checkpoint sees them: something that can hold every stream still at a barrier and hand
 * over their states. Whoever owns the streams (ingest) implements it; the checkpoint knows nothing else of them.
 *
 * <p>A stream reaches the barrier once the learning step it has in flight is done: it answers with its state and
 * the offset it has taken in up to, and then holds every further batch until {@link Held#resume}. With every stream
 * still, nothing is on its way to a learner, so the learners' states asked for next include exactly the records
 * before those offsets.
 */
public interface StreamBarrier {

    /**
     * Holds every stream of the node at barrier {@code sequence}; completes with their states, or fails when a stream
     * does not answer within {@code timeout} (the streams that did are resumed before it fails).
     */
    CompletionStage<Held> hold(long sequence, Duration timeout);

    /** The streams at a barrier. */
    interface Held {

        /** Each held stream's state. */
        List<StreamState> states();

        /**
         * Checkpointed states of partitions that have no stream here yet (restored at start, not yet assigned), by
         * "topic-partition": a checkpoint carries those forward unchanged.
         */
        Map<String, byte[]> unclaimed();

        /** Lets the held streams take batches again. */
        void resume();
    }

    /**
     * A stream's state at a barrier: its bytes, and the next offset to read after restoring them (-1 when it has
     * taken nothing in, so nothing to seek to).
     */
    record StreamState(long sequence, String topic, int partition, long nextOffset, byte[] state) {
    }
}
