package io.rill.request;

/** The outcome of reading one request: a valid request, or the error to answer with. */
public sealed interface ParsedRequest<R extends Request> {

    /** A request that passed every check. */
    record Valid<R extends Request>(R request) implements ParsedRequest<R> {
    }

    /**
     * A refused request. {@code id} is the request's id when it could be read and was valid, so the error can be
     * matched to the request; null when the value was unreadable or the id itself was the problem.
     */
    record Invalid<R extends Request>(String id, RequestError error) implements ParsedRequest<R> {
    }
}
