package io.rill.request;

/**
 * Why a request got an error reply instead of an answer. The {@link #wireName()} is what the {@code code} field of an
 * error reply carries, so it is part of rill's public contract: never rename one. The codes every request type
 * shares are {@link CommonError}; each request type adds its own (one per field, and what its answers can refuse).
 */
public interface ErrorCode {

    String wireName();
}
