package io.rill.checkpoint;

/**
 * Where an actor that keeps its own state durable writes it: a cluster-sharded parameter server saves its state
 * here on a timer and before it stops for a handoff (see {@link EntityStateStore}). A node-local actor has none:
 * the node's checkpoint asks it for its state instead.
 */
public interface StateSink {

    /** Writes {@code state} soon, without blocking the caller; a newer state may replace it before it is written. */
    void save(byte[] state);

    /** Writes {@code state} before returning. */
    void saveNow(byte[] state);
}
