package io.rill.lstm;

import io.rill.request.ErrorCode;

/**
 * The error codes of generation requests beyond the ones every request shares ({@link io.rill.request.CommonError}):
 * one per field, and what a generator refuses. Part of rill's public contract: never rename one.
 */
public enum GenerationError implements ErrorCode {
    BAD_COUNT("bad-count"),
    BAD_TEMPERATURE("bad-temperature"),
    BAD_TOP_K("bad-top-k"),
    BAD_PREFIX("bad-prefix"),
    BAD_MAX_LENGTH("bad-max-length"),
    BAD_NOVEL_ONLY("bad-novel-only"),
    /** Raised by the generator: the prefix holds characters the model has never seen, so it cannot feed them. */
    UNKNOWN_CHARACTERS("unknown-characters");

    private final String wireName;

    GenerationError(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}
