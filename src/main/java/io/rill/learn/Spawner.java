package io.rill.learn;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;

/** What spawns top-level actors: the node's SpawnProtocol guardian, behind a function. */
public interface Spawner {

    <T> ActorRef<T> spawn(Behavior<T> behavior, String name, Props props);
}
