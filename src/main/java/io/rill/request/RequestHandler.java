package io.rill.request;

import java.util.concurrent.CompletionStage;

/**
 * How one model answers valid requests of one kind: the reply's JSON, or the error to answer with (an unknown prefix
 * character, no parameters yet, ...). The request path adds the rest: reading and checking the request, the timeout,
 * writing the reply keyed by the request's id, and committing the request's offset once the reply is written.
 */
public interface RequestHandler<R extends Request> {

    /** The answer to {@code request}; a failed stage is answered as an internal error. */
    CompletionStage<Answer> answer(R request);

    /** What a request gets from its model. */
    sealed interface Answer {
    }

    /** A reply: the JSON value written to the replies topic under the request's id. */
    record Reply(byte[] json) implements Answer {
    }

    /** An error the model refuses the request with. */
    record Refused(RequestError error) implements Answer {
    }
}
