package io.rill.classify;

import io.rill.request.Request;
import java.util.Objects;

/** A validated request to classify {@code text} with {@code model}; with {@code explain}, each token's weight. */
public record ClassificationRequest(String id, String model, String text, boolean explain) implements Request {

    public ClassificationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(text, "text");
    }
}
