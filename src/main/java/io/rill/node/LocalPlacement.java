package io.rill.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import io.rill.ps.Placement;
import io.rill.learn.Spawner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The parameter servers of a single node: the node's own actors, each starting from its section of the checkpoint
 * the node restored (if any). They save nothing themselves: the node's checkpoint asks them for their state.
 */
final class LocalPlacement implements Placement {

    private final Spawner spawner;
    private final Function<String, byte[]> restoredSections;

    /** @param restoredSections a section's bytes by name in the restored checkpoint, null when absent */
    LocalPlacement(Spawner spawner, Function<String, byte[]> restoredSections) {
        this.spawner = spawner;
        this.restoredSections = restoredSections;
    }

    @Override
    public <T> Map<String, ActorRef<T>> place(Kind<T> kind, List<String> ids, Factory<T> factory) {
        Map<String, ActorRef<T>> refs = new LinkedHashMap<>();
        for (String id : ids) {
            // A failed message must not wipe the parameters: resume.
            refs.put(id, spawner.spawn(Behaviors.supervise(factory.create(id, restoredSections.apply(kind.section(id)),
                    null)).onFailure(SupervisorStrategy.resume()), kind.name() + "-" + id, Props.empty()));
        }
        return refs;
    }
}
