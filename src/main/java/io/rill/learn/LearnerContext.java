package io.rill.learn;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.rill.ops.Jmx;
import io.rill.ps.Placement;
import io.rill.request.Request;
import io.rill.request.RequestHandler;
import io.rill.request.RequestKind;
import java.util.Optional;

/** What the node gives a model it starts: the actor system, where its servers run, JMX, Kafka, the other models. */
public interface LearnerContext {

    ActorSystem<?> system();

    /** Spawns the model's top-level actors (workers, generators). */
    Spawner spawner();

    /** Where the model's parameter servers run: the node's own actors, or Cluster Sharding entities. */
    Placement placement();

    /** Whether the node is one of a cluster (then some actors run once in the cluster, as singletons). */
    boolean clustered();

    /** The node's JMX registry; beans registered there are unregistered when the node stops. */
    Jmx jmx();

    /** Writes progress messages to Kafka. */
    Publisher publisher();

    /** Dead-letters the lines a model's streams refuse. */
    LineRejects lineRejects();

    /** The node's whole configuration. */
    Config config();

    /** A model started before this one (its kind comes earlier in the node's list), by name. */
    Optional<Learner> model(String name);

    /** Makes {@code handler} answer the requests of {@code kind} that name {@code model}. */
    <R extends Request> void serve(RequestKind<R> kind, String model, RequestHandler<R> handler);
}
