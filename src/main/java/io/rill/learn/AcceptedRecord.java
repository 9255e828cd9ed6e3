package io.rill.learn;

import io.rill.text.TokenizedText;

/** A record that passed decoding: its offset in the partition, its size on the wire and its tokens. */
public record AcceptedRecord(long offset, int bytes, TokenizedText text) {
}
