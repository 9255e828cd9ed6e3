package io.rill.learn;

import akka.actor.typed.Behavior;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One running model, as the rest of the node sees it: the actor it keeps per stream it learns from, and the parts
 * of a node checkpoint its servers contribute. Its JMX bean and request handlers it registers itself when its kind
 * starts it ({@link LearnerContext}). Not an actor: it wires actors and hands out their behaviors.
 */
public interface Learner {

    /** The model's name. */
    String name();

    /** The model's actor for the stream (topic, partition), from its checkpointed state (null: fresh). */
    Behavior<StreamLearner.Command> streamLearner(String topic, int partition, byte[] restored);

    /**
     * The model's servers' parts of a node checkpoint, section name → how to ask for the bytes; asked only on a
     * single node (on a cluster the servers save themselves). Section names start with the model's kind of server
     * and end with its id, so models never collide.
     */
    Map<String, Supplier<CompletionStage<byte[]>>> checkpointParts(Duration timeout);
}
