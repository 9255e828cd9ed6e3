package io.rill.learn;

import java.util.concurrent.CompletionStage;

/** Writes a record to a Kafka topic with the node's one producer: progress streams, samples, attention maps. */
public interface Publisher {

    /** Completes when the broker has the record, fails when it could not be written. */
    CompletionStage<?> publish(String topic, byte[] key, byte[] value);
}
