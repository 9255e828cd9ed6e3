package io.rill.wire;

/**
 * Marks a message that may travel between rill nodes: Akka serializes it with its Jackson CBOR serializer (the
 * binding is in {@code application.conf}, {@code akka.actor.serialization-bindings}). Large numeric payloads in such
 * messages travel as CBOR byte strings in a compact binary form, never as arrays of CBOR numbers.
 */
public interface CborSerializable {
}
