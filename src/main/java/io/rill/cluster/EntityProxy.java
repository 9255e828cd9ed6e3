package io.rill.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.EntityRef;

/**
 * A node-local stand-in for a sharded entity: everything sent to it goes to the entity, on whichever node it runs.
 * It lets workers, streams and generators hold a plain ActorRef whether the parameter servers are local or sharded.
 *
 * <p>State it owns: none. Lost when it stops: nothing (messages in its mailbox).
 */
public final class EntityProxy {

    private EntityProxy() {
    }

    public static <T> Behavior<T> create(EntityRef<T> entity) {
        return Behaviors.receiveMessage(message -> {
            entity.tell(message);
            return Behaviors.same();
        });
    }
}
