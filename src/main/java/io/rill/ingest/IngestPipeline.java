package io.rill.ingest;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.kafka.ConsumerSettings;
import akka.kafka.RestrictedConsumer;
import io.rill.checkpoint.CommitGate;
import io.rill.ops.IngestStreamMetrics;
import io.rill.ops.NodeStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path of records from their topics to their streams' actors: one consumer thread polls Kafka and hands each
 * poll's records of a partition, as they came, to the partition's {@link StreamActor} in one message
 * ({@link StreamActor.IngestRecords}, at most {@code batch-size} records and {@code batch-bytes} of values):
 * <pre>
 *   poll (the group's partitions) → per partition: a short queue of batches → the stream actor, one batch at a time
 *     (it decodes, counts, dead-letters and learns; it answers once all of that is done)
 *   → acknowledged offsets → committed once a checkpoint holds them (the {@link CommitGate})
 * </pre>
 * Nothing runs per record here: the actor does the per-record work, on its own thread, so partitions are read and
 * counted in parallel while this thread only polls, queues and commits.
 *
 * <p>Backpressure: a partition whose queue holds {@code prefetch-batches} batches is paused (Kafka stops fetching
 * it) until its actor has taken one in. An operator's pause ({@link IngestValve}) and a stop hold the batches too.
 *
 * <p>Delivery: an offset is committed only after the stream actor acknowledged every record up to it (taken in by
 * its learners, or dead-lettered with the broker's acknowledgement) and a checkpoint on disk includes it. A batch that
 * is not acknowledged (a learner or the dead-letter topic failed, or no answer within {@code ask-timeout}) is read
 * again: its partition seeks back to the batch's first offset after a backoff, and everything read after it is
 * dropped. A failing consumer is closed and made again with exponential backoff; partitions then start where the
 * {@link PartitionHandover} says (the checkpoint's offsets) or at the committed offsets. Records may come twice,
 * never be skipped; the stream actors take an offset in once.
 */
public final class IngestPipeline {

    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
    /** The poll timeout while a partition waits for room in its queue: it is resumed within this long. */
    private static final Duration SHORT_POLL = Duration.ofMillis(2);
    private static final long COMMIT_RETRY_NANOS = 1_000_000_000L;

    private final ActorSystem<?> system;
    private final IngestSettings settings;
    private final Set<String> topics;
    private final ConsumerSettings<byte[], byte[]> consumerSettings;
    private final ActorRef<StreamSupervisor.Command> supervisor;
    private final NodeStatus status;
    private final CommitGate gate;
    private final IngestValve valve;
    private final PartitionHandover handover;
    private final int maxQueuedRecords;
    private final long maxQueuedBytes;

    /** Work for the consumer thread from other threads (partitions ready after assignment, a consumer failure). */
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Done> done = new CompletableFuture<>();
    private final Thread thread;
    /** No new batch goes to an actor: the node is stopping. */
    private volatile boolean stopping;
    /** The thread commits what it may, closes the consumer and ends, once no batch is in flight or by the deadline. */
    private volatile long closeDeadline;
    private volatile boolean closing;

    // The consumer thread's own.
    private Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Partition> partitions = new HashMap<>();
    /** The consumer is being closed: the rebalance listener drops partitions without handing them over. */
    private boolean closingConsumer;
    private int failuresInRow;
    private long lastFailureNanos;
    private long restartAtNanos;
    private int starts;
    private long commitRetryAtNanos;
    private long gateVersionSeen = -1;

    private IngestPipeline(ActorSystem<?> system, IngestSettings settings, String groupId,
                           Map<String, String> clientProperties, String bootstrap,
                           ActorRef<StreamSupervisor.Command> supervisor, NodeStatus status, CommitGate gate,
                           IngestValve valve, PartitionHandover handover) {
        this.system = system;
        this.settings = settings;
        this.topics = settings.streams().stream().map(StreamSpec::topic).collect(Collectors.toUnmodifiableSet());
        this.consumerSettings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(bootstrap)
                .withGroupId(groupId)
                .withProperties(clientProperties);
        this.supervisor = supervisor;
        this.status = status;
        this.gate = gate;
        this.valve = valve;
        this.handover = handover;
        this.maxQueuedRecords = Math.max(1, settings.prefetchBatches()) * settings.batchSize();
        this.maxQueuedBytes = Math.max(1, settings.prefetchBatches()) * settings.batchBytes();
        this.thread = new Thread(this::run, "rill-ingest-consumer");
        this.thread.setDaemon(true);
    }

    /**
     * Starts consuming. An assigned partition starts where {@code handover} says (the offset of the checkpoint its
     * stream's state comes from), or else at its committed offset. Offsets are committed only once the gate lets
     * them through, and batches go to the actors only while {@code valve} is open. The stream actors (of
     * {@code supervisor}) read the records themselves: decoding, counting and dead letters are theirs.
     */
    public static IngestPipeline start(ActorSystem<?> system, IngestSettings settings, String groupId,
                                       Map<String, String> clientProperties, String bootstrap,
                                       ActorRef<StreamSupervisor.Command> supervisor, NodeStatus status,
                                       CommitGate gate, IngestValve valve, PartitionHandover handover) {
        IngestPipeline pipeline = new IngestPipeline(system, settings, groupId, clientProperties, bootstrap,
                supervisor, status, gate, valve, handover);
        pipeline.thread.start();
        log.info("ingesting {} from {} as group {}", pipeline.topics, bootstrap, groupId);
        return pipeline;
    }

    /**
     * Stops taking new records, lets the batches in flight be answered (at most {@code drain}), commits what a
     * checkpoint holds and closes the consumer. Whatever is not committed by then is read again by the next owner of
     * the partition.
     */
    public CompletionStage<Done> stop(Duration drain) {
        return stop(drain, () -> CompletableFuture.completedFuture(Done.getInstance()));
    }

    /**
     * As {@link #stop(Duration)}, running {@code whenStopped} (a last checkpoint, which lets the gate commit) once no
     * new batch goes to the actors, before the last commit.
     */
    public CompletionStage<Done> stop(Duration drain, Supplier<CompletionStage<?>> whenStopped) {
        stopping = true;
        CompletionStage<?> stopped;
        try {
            stopped = whenStopped.get();
        } catch (RuntimeException e) {
            stopped = CompletableFuture.failedFuture(e);
        }
        return stopped.exceptionally(e -> null).thenCompose(ignored -> {
            closeDeadline = System.nanoTime() + drain.toNanos();
            closing = true;
            return done;
        });
    }

    /** Completes when the consumer is closed. */
    public CompletionStage<Done> done() {
        return done;
    }

    // ---------------------------------------------------------------- the consumer thread

    private void run() {
        try {
            while (true) {
                if (closing && (consumer == null || !anyInFlight() || System.nanoTime() >= closeDeadline)) {
                    finalCommitAndClose();
                    break;
                }
                if (consumer == null) {
                    long wait = restartAtNanos - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Math.min(wait / 1_000_000 + 1, 50));
                        continue;
                    }
                    if (!startConsumer()) {
                        continue;
                    }
                }
                try {
                    step();
                } catch (Exception e) {
                    failConsumer(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            log.error("the ingest consumer thread failed", e);
        } finally {
            closeConsumer();
            done.complete(Done.getInstance());
        }
    }

    private boolean startConsumer() {
        try {
            if (starts++ > 0) {
                status.ingestRestarted();
                log.warn("restarting the Kafka consumer (restart {}), resuming from the checkpoint's or the committed "
                        + "offsets", starts - 1);
            }
            consumer = consumerSettings.createKafkaConsumer();
            consumer.subscribe(topics, new Rebalance());
            return true;
        } catch (Exception e) {
            failConsumer(e);
            return false;
        }
    }

    /** One turn: events, pauses, commits, a poll, and the poll's records queued by partition. */
    private void step() {
        for (Runnable event; (event = events.poll()) != null; ) {
            event.run();
        }
        long now = System.nanoTime();
        boolean waitingForRoom = false;
        List<TopicPartition> pause = null;
        List<TopicPartition> resume = null;
        for (Partition p : partitions.values()) {
            if (p.rewindDue(now)) {
                consumer.seek(p.tp, p.rewindTo);
                p.rewound();
            }
            Partition.Fetching fetching = p.fetching(stopping);
            if (fetching == Partition.Fetching.FULL) {
                waitingForRoom = true;
            }
            boolean shouldPause = fetching != Partition.Fetching.OPEN;
            if (shouldPause && !p.paused) {
                (pause == null ? pause = new ArrayList<>() : pause).add(p.tp);
                p.paused = true;
            } else if (!shouldPause && p.paused) {
                (resume == null ? resume = new ArrayList<>() : resume).add(p.tp);
                p.paused = false;
            }
        }
        if (pause != null) {
            consumer.pause(pause);
        }
        if (resume != null) {
            consumer.resume(resume);
        }
        commit(now);
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(waitingForRoom || closing ? SHORT_POLL
                : settings.pollTimeout());
        if (!polled.isEmpty()) {
            for (TopicPartition tp : polled.partitions()) {
                Partition p = partitions.get(tp);
                if (p != null) {
                    p.offer(polled.records(tp));
                }
            }
        }
    }

    /**
     * Commits, per partition, what its actor acknowledged and a checkpoint holds, once {@code commit-max-batch}
     * acknowledged batches wait for it or {@code commit-max-interval} after it was first released.
     */
    private void commit(long now) {
        if (now < commitRetryAtNanos || partitions.isEmpty()) {
            return;
        }
        long version = gate.version();
        boolean gateMoved = version != gateVersionSeen;
        Map<TopicPartition, OffsetAndMetadata> commits = null;
        for (Partition p : partitions.values()) {
            if (!gateMoved && !p.ackMoved && p.releasedAtNanos < 0) {
                continue;
            }
            p.ackMoved = false;
            long next = gate.releasable(p.tp, p.acknowledged());
            if (next <= p.committed || next <= p.committing) {
                continue;
            }
            if (p.releasedAtNanos < 0) {
                p.releasedAtNanos = now;
            }
            if (p.batchesSinceCommit() < settings.commitMaxBatch()
                    && now - p.releasedAtNanos < settings.commitMaxInterval().toNanos()) {
                continue;
            }
            (commits == null ? commits = new HashMap<>() : commits).put(p.tp, new OffsetAndMetadata(next));
            p.committing = next;
            p.releasedAtNanos = -1;
            p.resetBatchesSinceCommit();
        }
        gateVersionSeen = version;
        if (commits == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> sent = commits;
        Map<TopicPartition, Partition> owners = new HashMap<>();
        sent.keySet().forEach(tp -> owners.put(tp, partitions.get(tp)));
        consumer.commitAsync(sent, (offsets, failure) -> {
            if (failure == null) {
                sent.forEach((tp, offset) -> owners.get(tp).committed(offset.offset()));
                return;
            }
            // Not fatal: the offsets are committed with the next checkpoint's, or retried here.
            log.warn("committing {} failed, retrying: {}", sent, failure.toString());
            commitRetryAtNanos = System.nanoTime() + COMMIT_RETRY_NANOS;
            owners.values().forEach(Partition::commitFailed);
            gateVersionSeen = -1; // look at every partition again
        });
    }

    private boolean anyInFlight() {
        for (Partition p : partitions.values()) {
            if (p.inFlight()) {
                return true;
            }
        }
        return false;
    }

    private void finalCommitAndClose() {
        if (consumer == null) {
            return;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (Partition p : partitions.values()) {
                long next = gate.releasable(p.tp, p.acknowledged());
                if (next > p.committed) {
                    commits.put(p.tp, new OffsetAndMetadata(next));
                }
            }
            if (!commits.isEmpty()) {
                consumer.commitSync(commits, settings.askTimeout());
                commits.forEach((tp, offset) -> partitions.get(tp).committed(offset.offset()));
                log.info("committed {} before closing", commits);
            }
        } catch (Exception e) {
            log.warn("the last commit failed: {}; the next owner of the partitions reads them from the last commit",
                    e.toString());
        }
    }

    private void failConsumer(Exception e) {
        long now = System.nanoTime();
        if (now - lastFailureNanos > 2 * settings.restartMaxBackoff().toNanos()) {
            failuresInRow = 0;
        }
        lastFailureNanos = now;
        failuresInRow++;
        long backoff = backoffNanos(failuresInRow);
        log.warn("the Kafka consumer failed, restarting it in {} ms: {}", backoff / 1_000_000, e.toString());
        closeConsumer();
        restartAtNanos = now + backoff;
    }

    private void closeConsumer() {
        if (consumer == null) {
            return;
        }
        closingConsumer = true;
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (Exception e) {
            log.debug("closing the consumer: {}", e.toString());
        } finally {
            closingConsumer = false;
            consumer = null;
            partitions.values().forEach(Partition::gone);
            partitions.clear();
            events.clear();
        }
    }

    private long backoffNanos(int failures) {
        double base = settings.restartMinBackoff().toNanos() * Math.pow(2, Math.min(failures - 1, 30));
        double capped = Math.min(base, settings.restartMaxBackoff().toNanos());
        return (long) (capped * (1 + ThreadLocalRandom.current().nextDouble() * settings.restartRandomFactor()));
    }

    /** Called by the consumer during a poll, on this thread. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            Set<TopicPartition> set = Set.copyOf(revoked);
            if (!closingConsumer) {
                commitBeforeRevocation(set);
                try {
                    handover.revoked(set, new RestrictedConsumer(consumer, settings.askTimeout()));
                } catch (RuntimeException e) {
                    log.warn("handing over the revoked partitions {} failed: {}", set, e.toString());
                }
            }
            for (TopicPartition tp : set) {
                Partition p = partitions.remove(tp);
                if (p != null) {
                    p.gone();
                    log.info("partition {} revoked", tp);
                }
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            for (TopicPartition tp : lost) {
                Partition p = partitions.remove(tp);
                if (p != null) {
                    p.gone();
                    log.info("partition {} lost", tp);
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            Set<TopicPartition> set = Set.copyOf(assigned);
            consumer.pause(set); // until the stream actors and the start offsets are known
            try {
                handover.commitResumeOffsets(set, new RestrictedConsumer(consumer, settings.askTimeout()));
            } catch (RuntimeException e) {
                // Not fatal: the partition's next commit moves past it.
                log.warn("could not commit the resume offsets of {}: {}", set, e.toString());
            }
            Map<TopicPartition, Partition> fresh = new HashMap<>();
            for (TopicPartition tp : set) {
                Partition p = new Partition(tp, status.stream(tp.topic(), tp.partition()));
                p.paused = true;
                Partition old = partitions.put(tp, p);
                if (old != null) {
                    old.gone();
                }
                fresh.put(tp, p);
                log.info("partition {} assigned", tp);
            }
            Consumer<byte[], byte[]> assignedTo = consumer;
            CompletableFuture<Map<TopicPartition, Object>> offsets = handover.assigned(set).toCompletableFuture();
            Map<TopicPartition, CompletableFuture<ActorRef<StreamActor.Command>>> actors = new HashMap<>();
            for (TopicPartition tp : set) {
                actors.put(tp, AskPattern.<StreamSupervisor.Command, ActorRef<StreamActor.Command>>ask(supervisor,
                        replyTo -> new StreamSupervisor.StreamFor(tp.topic(), tp.partition(), replyTo),
                        settings.askTimeout(), system.scheduler()).toCompletableFuture());
            }
            List<CompletableFuture<?>> all = new ArrayList<>(actors.values());
            all.add(offsets);
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) ->
                    events.add(() -> {
                        if (consumer != assignedTo) {
                            return; // a consumer since closed
                        }
                        if (failure != null) {
                            throw new IllegalStateException("preparing the assigned partitions " + set + " failed",
                                    failure);
                        }
                        Map<TopicPartition, Object> start = offsets.join();
                        fresh.forEach((tp, p) -> {
                            if (partitions.get(tp) != p) {
                                return; // revoked meanwhile
                            }
                            Object offset = start.get(tp);
                            if (offset instanceof Number n) {
                                consumer.seek(tp, n.longValue());
                            }
                            p.ready(actors.get(tp).join(), offset instanceof Number);
                        });
                    }));
        }

        /** Commits what may be committed of partitions about to be revoked, while this node still owns them. */
        private void commitBeforeRevocation(Set<TopicPartition> revoked) {
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (TopicPartition tp : revoked) {
                Partition p = partitions.get(tp);
                if (p != null) {
                    long next = gate.releasable(tp, p.acknowledged());
                    if (next > p.committed) {
                        commits.put(tp, new OffsetAndMetadata(next));
                    }
                }
            }
            if (commits.isEmpty()) {
                return;
            }
            try {
                consumer.commitSync(commits, settings.askTimeout());
                commits.forEach((tp, offset) -> partitions.get(tp).committed(offset.offset()));
            } catch (RuntimeException e) {
                log.warn("committing {} before the revocation failed: {}", commits, e.toString());
            }
        }
    }

    // ---------------------------------------------------------------- one partition

    /**
     * An assigned partition: its actor, its queue of batches, the batch in flight and the offsets acknowledged and
     * committed. The queue and the batch in flight are shared by the consumer thread and the actors' answers (this
     * object's lock); the commit fields are the consumer thread's.
     */
    private final class Partition {

        enum Fetching { OPEN, FULL, HELD }

        final TopicPartition tp;
        final IngestStreamMetrics metrics;
        // Guarded by this.
        private ActorRef<StreamActor.Command> actor;
        private boolean ready;
        private boolean isGone;
        private boolean inFlight;
        private boolean waitingForValve;
        private boolean failed;
        private final ArrayDeque<List<ConsumerRecord<byte[], byte[]>>> queue = new ArrayDeque<>();
        private int queuedRecords;
        private long queuedBytes;
        private long acknowledged = -1;
        private int acknowledgedBatches;
        private int failures;
        private long rewindAtNanos;
        long rewindTo = -1;
        // The consumer thread's.
        boolean paused;
        volatile boolean ackMoved;
        long committed = -1;
        long committing = -1;
        /** When a commit first became possible and has not been sent yet (-1: none waits). */
        long releasedAtNanos = -1;

        Partition(TopicPartition tp, IngestStreamMetrics metrics) {
            this.tp = tp;
            this.metrics = metrics;
        }

        /** The actor and the start offset are known: batches may go (a seek drops what was read before it). */
        void ready(ActorRef<StreamActor.Command> streamActor, boolean seeked) {
            synchronized (this) {
                actor = streamActor;
                ready = true;
                if (seeked) {
                    clearQueue();
                }
            }
            dispatch();
        }

        synchronized void gone() {
            isGone = true;
            clearQueue();
        }

        synchronized boolean inFlight() {
            return inFlight;
        }

        synchronized long acknowledged() {
            return acknowledged;
        }

        /** Batches acknowledged since the last commit was sent. */
        synchronized int batchesSinceCommit() {
            return acknowledgedBatches;
        }

        synchronized void resetBatchesSinceCommit() {
            acknowledgedBatches = 0;
        }

        /** Whether Kafka should fetch this partition now. */
        synchronized Fetching fetching(boolean stopping) {
            if (!ready || failed || stopping) {
                return Fetching.HELD;
            }
            return queuedRecords >= maxQueuedRecords || queuedBytes >= maxQueuedBytes ? Fetching.FULL
                    : Fetching.OPEN;
        }

        synchronized boolean rewindDue(long now) {
            return failed && !inFlight && now >= rewindAtNanos;
        }

        /** The seek back to the failed batch is done: read from there. */
        synchronized void rewound() {
            failed = false;
            clearQueue();
        }

        void committed(long next) {
            committed = Math.max(committed, next);
            committing = -1;
            metrics.committed(next);
        }

        void commitFailed() {
            committing = -1;
        }

        /** A poll's records of this partition, in offset order: queued as batches of batch-size and batch-bytes. */
        void offer(List<ConsumerRecord<byte[], byte[]>> records) {
            synchronized (this) {
                if (isGone || failed) {
                    return; // read past a failed batch: read again after the seek
                }
                int from = 0;
                long bytes = 0;
                for (int i = 0; i < records.size(); i++) {
                    long size = Math.max(1, records.get(i).serializedValueSize());
                    if (i > from && (i - from >= settings.batchSize() || bytes + size > settings.batchBytes())) {
                        enqueue(records.subList(from, i), bytes);
                        from = i;
                        bytes = 0;
                    }
                    bytes += size;
                }
                enqueue(records.subList(from, records.size()), bytes);
            }
            dispatch();
        }

        private void enqueue(List<ConsumerRecord<byte[], byte[]>> batch, long bytes) {
            queue.add(batch);
            queuedRecords += batch.size();
            queuedBytes += bytes;
        }

        private void clearQueue() {
            queue.clear();
            queuedRecords = 0;
            queuedBytes = 0;
        }

        /** The next batch (queued ones joined up to batch-size and batch-bytes). */
        private List<ConsumerRecord<byte[], byte[]>> take() {
            List<ConsumerRecord<byte[], byte[]>> batch = queue.poll();
            long bytes = bytesOf(batch);
            if (!queue.isEmpty() && batch.size() + queue.peek().size() <= settings.batchSize()) {
                List<ConsumerRecord<byte[], byte[]>> joined = new ArrayList<>(batch);
                while (!queue.isEmpty() && joined.size() + queue.peek().size() <= settings.batchSize()
                        && bytes + bytesOf(queue.peek()) <= settings.batchBytes()) {
                    List<ConsumerRecord<byte[], byte[]>> next = queue.poll();
                    bytes += bytesOf(next);
                    joined.addAll(next);
                    queuedRecords -= next.size();
                    queuedBytes -= bytesOf(next);
                }
                queuedRecords -= batch.size();
                queuedBytes -= bytesOf(batch);
                return joined;
            }
            queuedRecords -= batch.size();
            queuedBytes -= bytes;
            return batch;
        }

        private static long bytesOf(List<ConsumerRecord<byte[], byte[]>> batch) {
            long bytes = 0;
            for (ConsumerRecord<byte[], byte[]> record : batch) {
                bytes += Math.max(1, record.serializedValueSize());
            }
            return bytes;
        }

        /** Sends the next batch to the actor if it has none and may have one. */
        void dispatch() {
            List<ConsumerRecord<byte[], byte[]>> batch;
            ActorRef<StreamActor.Command> to;
            synchronized (this) {
                if (inFlight || !ready || isGone || failed || stopping || queue.isEmpty()) {
                    return;
                }
                if (valve.isClosed()) {
                    if (!waitingForValve) {
                        waitingForValve = true;
                        valve.whenOpen().thenRun(() -> {
                            synchronized (this) {
                                waitingForValve = false;
                            }
                            dispatch();
                        });
                    }
                    return;
                }
                batch = take();
                inFlight = true;
                to = actor;
            }
            long first = batch.get(0).offset();
            long last = batch.get(batch.size() - 1).offset();
            AskPattern.<StreamActor.Command, StreamActor.Reply>ask(to,
                            replyTo -> new StreamActor.IngestRecords(batch, replyTo), settings.askTimeout(),
                            system.scheduler())
                    .whenComplete((reply, failure) -> answered(first, last, reply, failure));
        }

        private void answered(long first, long last, StreamActor.Reply reply, Throwable failure) {
            synchronized (this) {
                if (isGone) {
                    return;
                }
                inFlight = false;
                if (failure == null && reply instanceof StreamActor.Ack) {
                    acknowledged = Math.max(acknowledged, last + 1);
                    acknowledgedBatches++;
                    ackMoved = true;
                    failures = 0;
                } else {
                    // Read the batch again from its first record, after a backoff; drop what was read after it.
                    failed = true;
                    failures++;
                    rewindTo = first;
                    long backoff = backoffNanos(failures);
                    rewindAtNanos = System.nanoTime() + backoff;
                    clearQueue();
                    log.warn("partition {}: the batch {}..{} was not taken in ({}); reading it again in {} ms", tp,
                            first, last, failure != null ? failure.toString()
                                    : ((StreamActor.Failed) reply).reason(), backoff / 1_000_000);
                }
            }
            dispatch();
        }
    }
}
