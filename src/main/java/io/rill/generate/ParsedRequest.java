package io.rill.generate;

/** The outcome of reading one generation request: a valid request, or the error to answer with. */
public sealed interface ParsedRequest {

    /** A request that passed every check. */
    record Valid(GenerationRequest request) implements ParsedRequest {
    }

    /**
     * A refused request. {@code id} is the request's id when it could be read and was valid, so the error can be
     * matched to the request; null when the value was unreadable or the id itself was the problem.
     */
    record Invalid(String id, GenerationError error) implements ParsedRequest {
    }
}
