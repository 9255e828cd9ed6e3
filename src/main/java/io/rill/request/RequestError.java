package io.rill.request;

import java.util.Objects;

/**
 * An error answered to a request: the machine-readable {@code code} and a {@code message} written for the person who
 * sent the request (which field, what was received, what is allowed).
 */
public record RequestError(ErrorCode code, String message) {

    public RequestError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
