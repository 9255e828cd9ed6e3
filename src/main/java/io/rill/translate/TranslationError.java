package io.rill.translate;

import io.rill.request.ErrorCode;

/**
 * The error codes of translation requests beyond the ones every request shares ({@link io.rill.request.CommonError}):
 * one per field, and what a translator refuses. Part of rill's public contract: never rename one.
 */
public enum TranslationError implements ErrorCode {
    /** {@code text} is missing, not a string, empty, or holds control characters. */
    BAD_TEXT("bad-text"),
    /** {@code text} has no word to translate (only white space, or nothing the tokenizer keeps). */
    NO_WORDS("no-words"),
    /** {@code text} has more words than {@code rill.translation.max-text-words}. */
    TEXT_TOO_LONG("text-too-long"),
    BAD_BEAM("bad-beam"),
    BAD_MAX_LENGTH("bad-max-length"),
    /** Raised by the translator: the model has not learned from a single pair yet. */
    NOT_TRAINED("not-trained");

    private final String wireName;

    TranslationError(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}
