package io.rill.classify;

import io.rill.request.ErrorCode;

/**
 * The error codes of classification requests beyond the ones every request shares
 * ({@link io.rill.request.CommonError}). Part of rill's public contract: never rename one.
 */
public enum ClassificationError implements ErrorCode {
    /** text is missing, not a string, empty or only white space, too long, or holds control characters. */
    BAD_TEXT("bad-text"),
    /** explain is not true or false. */
    BAD_EXPLAIN("bad-explain"),
    /** Raised by the classifier: the model has not learned any class yet. */
    UNTRAINED("untrained");

    private final String wireName;

    ClassificationError(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}
