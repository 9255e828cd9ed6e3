package io.rill.lstm;

import io.rill.request.Request;
import java.util.Objects;

/**
 * A validated request to draw {@code count} samples from {@code model}. Each sample starts with {@code prefix} and is
 * at most {@code maxLength} code points long, prefix included; {@code topK} 0 means no restriction; with
 * {@code novelOnly} the generator keeps only samples not seen in training (as far as {@link SeenSequences} knows).
 */
public record GenerationRequest(String id, String model, int count, double temperature, int topK, String prefix,
                                int maxLength, boolean novelOnly) implements Request {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prefix, "prefix");
    }
}
