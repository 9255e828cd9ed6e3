package io.rill.generate;

import java.util.Objects;

/**
 * A validated request to draw {@code count} samples from {@code model}. Each sample starts with {@code prefix} and is
 * at most {@code maxLength} code points long, prefix included; {@code topK} 0 means no restriction; with
 * {@code novelOnly} the generator keeps only samples not seen in training (as far as {@link io.rill.lstm.SeenSequences} knows).
 */
public record GenerationRequest(String id, String model, int count, double temperature, int topK, String prefix,
                                int maxLength, boolean novelOnly) {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prefix, "prefix");
    }
}
