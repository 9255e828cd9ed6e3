package io.rill.generate;

/**
 * Why a generation request got an error instead of samples. The {@link #wireName()} is what the {@code code} field
 * of an error message on {@code rill.generated} carries, so it is part of rill's public contract: never rename one.
 */
public enum ErrorCode {
    /** The record has no value, zero bytes, or only white space. */
    EMPTY("empty"),
    /** The value is longer than {@link GenerationLimits#maxRequestBytes()}, or beyond a JSON size limit (nesting). */
    TOO_LARGE("too-large"),
    /** The bytes are not well-formed UTF-8 (the wire format is UTF-8 JSON only). */
    MALFORMED_UTF8("malformed-utf8"),
    /** The text is not one well-formed JSON value. */
    NOT_JSON("not-json"),
    /** The JSON is well-formed but not an object. */
    NOT_AN_OBJECT("not-an-object"),
    /** The object has a field rill does not know (a typo should not silently mean something else). */
    UNKNOWN_FIELD("unknown-field"),
    BAD_ID("bad-id"),
    BAD_MODEL("bad-model"),
    BAD_COUNT("bad-count"),
    BAD_TEMPERATURE("bad-temperature"),
    BAD_TOP_K("bad-top-k"),
    BAD_PREFIX("bad-prefix"),
    BAD_MAX_LENGTH("bad-max-length"),
    BAD_NOVEL_ONLY("bad-novel-only"),
    /** Raised by the generator: no model of that name runs here. */
    UNKNOWN_MODEL("unknown-model"),
    /** Raised by the generator: the prefix holds characters the model has never seen, so it cannot feed them. */
    UNKNOWN_CHARACTERS("unknown-characters"),
    /** A failure inside rill, not the requester's fault. */
    INTERNAL("internal");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
