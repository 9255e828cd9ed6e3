package io.rill.text;

/** The outcome of decoding one record's value: usable text, or a rejection with its reason. */
public sealed interface Decoded {

    /** Well-formed text that passed every check. */
    record Text(String text) implements Decoded {
    }

    /** A refused value; {@code detail} says where and what, for the dead-letter header and the log. */
    record Rejected(RejectReason reason, String detail) implements Decoded {
    }
}
