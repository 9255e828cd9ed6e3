package io.rill.skipgram.query;

/** One answer of a similarity query: a word and the cosine between its vector and the query vector. */
public record Neighbor(String word, double cosine) {
}
