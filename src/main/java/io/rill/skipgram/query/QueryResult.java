package io.rill.skipgram.query;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * The answer to a query that names words: either a value, or the list of query words the snapshot
 * does not hold. An unknown word is an expected outcome of a user's query, not a fault, so it is a
 * result the caller turns into an error reply ({@link #error()}) rather than an exception.
 *
 * <p>Exactly one of {@code value} and a non-empty {@code unknownWords} is present.
 */
public record QueryResult<T>(T value, List<String> unknownWords) {

    public QueryResult {
        unknownWords = List.copyOf(unknownWords);
        if ((value == null) == unknownWords.isEmpty()) {
            throw new IllegalArgumentException("exactly one of a value and unknown words is required");
        }
    }

    public static <T> QueryResult<T> ok(T value) {
        return new QueryResult<>(value, List.of());
    }

    public static <T> QueryResult<T> unknown(List<String> words) {
        return new QueryResult<>(null, words);
    }

    public boolean isOk() {
        return value != null;
    }

    /** A one-line reason for a failed query, e.g. {@code unknown words: foo, bar}; empty when ok. */
    public String error() {
        if (isOk()) return "";
        return (unknownWords.size() == 1 ? "unknown word: " : "unknown words: ") + String.join(", ", unknownWords);
    }

    /** The value, or {@link NoSuchElementException} carrying {@link #error()}. */
    public T orElseThrow() {
        if (!isOk()) throw new NoSuchElementException(error());
        return value;
    }
}
