package io.rill.request;

/** The error codes every kind of request shares: what is wrong with the record, its JSON, its id or its model. */
public enum CommonError implements ErrorCode {
    /** The record has no value, zero bytes, or only white space. */
    EMPTY("empty"),
    /** The value is longer than the request type's {@code max-request-bytes}, or beyond a JSON limit (nesting). */
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
    /** No model of that name answers this kind of request on this node. */
    UNKNOWN_MODEL("unknown-model"),
    /** A failure inside rill, not the requester's fault (no answer within the timeout, a bug). */
    INTERNAL("internal");

    private final String wireName;

    CommonError(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}
