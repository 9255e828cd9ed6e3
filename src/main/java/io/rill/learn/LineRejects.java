package io.rill.learn;

import java.util.concurrent.CompletionStage;

/**
 * Where a learner sends the lines of a record it refuses (a labelled line without a tab, a sentence pair with an
 * empty side, ...) while it learns from the rest of the record: each refused line goes to the dead-letter topic with
 * where it came from and why, and is counted on JMX ({@code rill:type=DeadLetters}, {@code RejectedLinesByReason}).
 * A learner answers a batch only once the broker has its refused lines, so a refused line is never lost either.
 */
public interface LineRejects {

    /** Completes when the broker has the line's dead-letter copy; fails if it could not be written. */
    CompletionStage<?> reject(RejectedLine line);

    /**
     * Line {@code line} (0-based) of the record at {@code offset} of (topic, partition), its text, and the reason (a
     * short code such as {@code no-tab}, the same for every line refused for it) with a detail for a person.
     */
    record RejectedLine(String topic, int partition, long offset, int line, String text, String reason,
                        String detail) {
    }
}
