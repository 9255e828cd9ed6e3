package io.rill.ingest;

import akka.Done;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An operator's pause for ingestion: while closed, each partition's stream waits before handing its next batch to
 * its actor, so Kafka polling stops by backpressure and nothing times out; opening it lets them all go on.
 * Thread-safe.
 */
public final class IngestValve {

    private CompletableFuture<Done> open = CompletableFuture.completedFuture(Done.getInstance());

    /** Completes when the valve is open (at once if it is). */
    public synchronized CompletionStage<Done> whenOpen() {
        return open;
    }

    public synchronized void close() {
        if (open.isDone()) {
            open = new CompletableFuture<>();
        }
    }

    public void open() {
        CompletableFuture<Done> waiting;
        synchronized (this) {
            waiting = open;
        }
        waiting.complete(Done.getInstance());
    }

    public synchronized boolean isClosed() {
        return !open.isDone();
    }
}
