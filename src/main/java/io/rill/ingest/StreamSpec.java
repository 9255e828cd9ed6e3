package io.rill.ingest;

import io.rill.text.TokenizerKind;

/** One topic rill consumes, the tokenizer for its text, and the most bytes of values in one ingest batch. */
public record StreamSpec(String topic, TokenizerKind tokenizer, long batchBytes) {
}
