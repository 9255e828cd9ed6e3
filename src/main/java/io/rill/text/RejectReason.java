package io.rill.text;

/**
 * Why a record was refused at the door. The {@link #code()} is what a dead-letter record carries in its
 * {@code rill.error.reason} header and what the counters are named by, so it is part of rill's public contract.
 */
public enum RejectReason {
    /** The record has no value at all (a tombstone, or a producer that sent null). */
    NULL_VALUE("null-value"),
    /** The value is zero bytes long, or holds only white space: nothing to learn from. */
    EMPTY("empty"),
    /** The bytes are not well-formed UTF-8 (never silently replaced by U+FFFD). */
    MALFORMED_UTF8("malformed-utf8"),
    /** The value is longer than {@code rill.ingest.max-record-bytes}. */
    TOO_LARGE("too-large"),
    /** The text holds a control character other than newline and tab (CR, NUL, ESC, ...). */
    CONTROL_CHARACTER("control-character");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
