package io.rill.ps;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import io.rill.checkpoint.StateSink;
import java.util.List;
import java.util.Map;

/**
 * Where the parameter servers run. On a single node they are the node's own actors, restored from the node's
 * checkpoint; on a cluster they are Cluster Sharding entities, each on one node at a time, keeping their own state
 * durable in a shared directory. Whoever uses them holds a plain {@link ActorRef} either way.
 */
public interface Placement {

    /** Starts (or, on a cluster, makes reachable) the servers {@code ids} of {@code kind}; their refs by id. */
    <T> Map<String, ActorRef<T>> place(Kind<T> kind, List<String> ids, Factory<T> factory);

    /**
     * A kind of parameter server: its name (the sharding type and the checkpoint section prefix), its protocol,
     * the message that makes it save its state, and the one that makes it save and stop (for a handoff).
     */
    record Kind<T>(String name, Class<T> protocol, T saveMessage, T saveAndStopMessage) {

        /** The node checkpoint's section of server {@code id}. */
        public String section(String id) {
            return name + ":" + id;
        }
    }

    /** Makes the behavior of server {@code id}, from its restored state (null: afresh), saving to {@code sink}. */
    interface Factory<T> {
        /** @param sink where the server saves its state itself, or null when the node checkpoint asks for it */
        Behavior<T> create(String id, byte[] restored, StateSink sink);
    }
}
