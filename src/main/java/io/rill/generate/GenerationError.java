package io.rill.generate;

import java.util.Objects;

/**
 * An error answered to a generation request: the machine-readable {@code code} and a {@code message} written for the
 * person who sent the request (which field, what was received, what is allowed).
 */
public record GenerationError(ErrorCode code, String message) {

    public GenerationError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
