package io.rill.translate;

import java.util.List;

/**
 * A translation as the outside world sees it: the source's words (as the tokenizer cut them, unknown ones included
 * under their own spelling), those the model does not know (read as the unknown-word symbol), the target words, the
 * log-probability, and the attention matrix, one row per target word with one weight per source word.
 */
public record TranslatedSentence(List<String> sourceTokens, List<String> unknown, List<String> targetTokens,
                                 double logProbability, boolean ended, double[][] attention) {

    /** The target words joined by spaces. */
    public String text() {
        return String.join(" ", targetTokens);
    }
}
