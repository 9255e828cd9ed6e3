package io.rill.translate;

import io.rill.request.Request;
import java.util.List;
import java.util.Objects;

/**
 * A validated request to translate {@code text} with {@code model}: its words ({@link SentenceTokens}), the beam
 * width (1: greedy) and the most target words to produce.
 */
public record TranslationRequest(String id, String model, String text, List<String> words, int beam, int maxLength)
        implements Request {

    public TranslationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(text, "text");
        words = List.copyOf(words);
    }
}
