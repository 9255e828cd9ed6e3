package io.rill.testing;

/** The broker a test runs against: its bootstrap address and what it is (a container or the embedded broker). */
public record TestKafka(String bootstrapServers, String kind) {
}
