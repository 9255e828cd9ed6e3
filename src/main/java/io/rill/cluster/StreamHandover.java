package io.rill.cluster;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AskPattern;
import akka.kafka.RestrictedConsumer;
import io.rill.checkpoint.Checkpoint;
import io.rill.checkpoint.CheckpointCoordinator;
import io.rill.checkpoint.CheckpointStore;
import io.rill.checkpoint.CommitGate;
import io.rill.ingest.PartitionHandover;
import io.rill.ingest.StreamSupervisor;
import io.rill.ops.ClusterMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a partition's stream state between the nodes of a cluster, through the shared checkpoint directory.
 *
 * <p>Revoked: the node writes a checkpoint (a consistent cut of its streams, as always) before the rebalance goes
 * on, commits the offsets it covers, and retires the revoked streams' actors. Kafka's eager rebalance calls this on
 * every member before any partition is assigned again, so the next owner finds the state on disk.
 *
 * <p>Assigned: the node reads the valid checkpoints of every node ({@code nodes/*}) and takes, per partition, the
 * state with the highest offset: offsets of a partition only grow, whoever consumed it. Its stream starts from that
 * state at that offset; a partition no checkpoint holds starts afresh at its committed offset. A node killed
 * without warning revokes nothing: its partitions resume from its last checkpoint, whose offsets are the ones it
 * committed or, if it died before that commit, ahead of them; the new owner then commits them as the partition is
 * assigned ({@link #commitResumeOffsets}).
 */
public final class StreamHandover implements PartitionHandover {

    private static final Logger log = LoggerFactory.getLogger(StreamHandover.class);

    private final Path nodesDirectory;
    private final String nodeName;
    private final ActorSystem<?> system;
    private final ActorRef<StreamSupervisor.Command> supervisor;
    private final CommitGate gate;
    private final Supplier<CompletionStage<CheckpointCoordinator.Result>> checkpointNow;
    private final Duration checkpointTimeout;
    private final Duration retireGrace;
    private final Executor blocking;
    private final ClusterMetrics metrics;
    /**
     * The newest states read for the partitions of the current assignment by {@link #commitResumeOffsets}, which
     * Alpakka calls with the same partitions just before {@link #assigned}: read once, used by both.
     */
    private final AtomicReference<Read> lastRead = new AtomicReference<>();

    private record Read(Set<TopicPartition> partitions, Map<TopicPartition, Found> found) {
    }

    /**
     * @param nodesDirectory where every node's directory of checkpoints is, this node's ({@code nodeName}) too
     * @param checkpointNow asks the node's checkpoint coordinator for a checkpoint now
     * @param retireGrace   how long a retired stream actor may still answer a batch in flight (the ask timeout)
     */
    public StreamHandover(Path nodesDirectory, String nodeName, ActorSystem<?> system,
                          ActorRef<StreamSupervisor.Command> supervisor,
                          CommitGate gate, Supplier<CompletionStage<CheckpointCoordinator.Result>> checkpointNow,
                          Duration checkpointTimeout, Duration retireGrace, ClusterMetrics metrics) {
        this.nodesDirectory = nodesDirectory;
        this.nodeName = nodeName;
        this.system = system;
        this.supervisor = supervisor;
        this.gate = gate;
        this.checkpointNow = checkpointNow;
        this.checkpointTimeout = checkpointTimeout;
        this.retireGrace = retireGrace;
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        this.metrics = metrics;
    }

    /** A partition's newest checkpointed stream state: the next offset to read and the state's bytes. */
    public record Found(long nextOffset, byte[] state, String node, long sequence) {
    }

    @Override
    public CompletionStage<Map<TopicPartition, Object>> assigned(Set<TopicPartition> partitions) {
        Read read = lastRead.getAndSet(null);
        CompletableFuture<Map<TopicPartition, Found>> newest = read != null && read.partitions().equals(partitions)
                ? CompletableFuture.completedFuture(read.found())
                : CompletableFuture.supplyAsync(() -> newestStates(nodesDirectory, partitions), blocking);
        return newest
                .thenCompose(found -> {
                    Map<String, byte[]> states = new HashMap<>();
                    // Straight back from this node's own handover (or never checkpointed): its actor is as new.
                    Set<String> keep = partitions.stream()
                            .filter(tp -> !found.containsKey(tp) || found.get(tp).node().equals(nodeName))
                            .map(StreamHandover::key).collect(Collectors.toSet());
                    Map<TopicPartition, Object> offsets = new HashMap<>();
                    Map<TopicPartition, Long> covered = new HashMap<>();
                    found.forEach((tp, f) -> {
                        states.put(key(tp), f.state());
                        offsets.put(tp, f.nextOffset());
                        covered.put(tp, f.nextOffset());
                    });
                    return AskPattern.<StreamSupervisor.Command, Done>ask(supervisor,
                                    replyTo -> new StreamSupervisor.Adopt(states, keep, replyTo), checkpointTimeout,
                                    system.scheduler())
                            .thenApply(adopted -> {
                                gate.checkpointed(covered);
                                metrics.adopted(found.size());
                                log.info("partitions assigned {}; resuming {}", partitions, found.entrySet().stream()
                                        .map(e -> e.getKey() + "@" + e.getValue().nextOffset() + " (checkpoint "
                                                + e.getValue().sequence() + " of " + e.getValue().node() + ")")
                                        .toList());
                                return offsets;
                            });
                });
    }

    @Override
    public void commitResumeOffsets(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
        Map<TopicPartition, Found> newest = newestStates(nodesDirectory, partitions);
        lastRead.set(new Read(Set.copyOf(partitions), newest));
        Map<TopicPartition, Long> resume = new HashMap<>();
        newest.forEach((tp, found) -> resume.put(tp, found.nextOffset()));
        Map<TopicPartition, OffsetAndMetadata> committed = PartitionHandover.commitWhereBehind(resume, consumer);
        if (!committed.isEmpty()) {
            log.info("committed the offsets of the newest checkpointed states, which the group's were behind: {}",
                    committed);
        }
    }

    @Override
    public void revoked(Set<TopicPartition> partitions, RestrictedConsumer consumer) {
        try {
            CheckpointCoordinator.Result result = checkpointNow.get().toCompletableFuture()
                    .get(checkpointTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (result.written()) {
                Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
                gate.covered().forEach((tp, next) -> {
                    if (partitions.contains(tp)) {
                        commits.put(tp, new OffsetAndMetadata(next));
                    }
                });
                if (!commits.isEmpty()) {
                    consumer.commitSync(commits);
                }
                metrics.handedOver(partitions.size(), true);
                log.info("partitions revoked {}: handed over in checkpoint {}, committed {}", partitions,
                        result.sequence(), commits);
            } else {
                metrics.handedOver(partitions.size(), false);
                log.warn("partitions revoked {}: no handover checkpoint ({}); the next owner resumes from the last "
                        + "one", partitions, result.description());
            }
        } catch (Exception e) {
            metrics.handedOver(partitions.size(), false);
            log.warn("partitions revoked {}: handover incomplete ({}); the next owner resumes from the last "
                    + "checkpoint", partitions, e.toString());
        }
        supervisor.tell(new StreamSupervisor.Retire(partitions.stream().map(StreamHandover::key)
                .collect(Collectors.toSet()), retireGrace));
    }

    /**
     * For each of {@code partitions}, the stream state with the highest offset among every valid checkpoint of
     * every node under {@code nodesDirectory}; partitions none holds are absent.
     */
    public static Map<TopicPartition, Found> newestStates(Path nodesDirectory, Set<TopicPartition> partitions) {
        Map<TopicPartition, Found> newest = new LinkedHashMap<>();
        if (!Files.isDirectory(nodesDirectory)) {
            return newest;
        }
        List<Path> nodes;
        try (Stream<Path> listed = Files.list(nodesDirectory)) {
            nodes = listed.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            log.warn("cannot list {}: {}; partitions start from their committed offsets", nodesDirectory,
                    e.toString());
            return newest;
        }
        for (Path node : nodes) {
            List<Checkpoint> checkpoints;
            try {
                checkpoints = new CheckpointStore(node, Integer.MAX_VALUE).readValid();
            } catch (IOException e) {
                log.warn("cannot read the checkpoints in {}: {}", node, e.toString());
                continue;
            }
            for (Checkpoint checkpoint : checkpoints) {
                for (TopicPartition tp : partitions) {
                    Long next = checkpoint.offsets().get(tp);
                    byte[] state = checkpoint.section(Checkpoint.streamSection(key(tp))).orElse(null);
                    Found current = newest.get(tp);
                    if (next != null && state != null && (current == null || next > current.nextOffset())) {
                        newest.put(tp, new Found(next, state, node.getFileName().toString(), checkpoint.sequence()));
                    }
                }
            }
        }
        return newest;
    }

    private static String key(TopicPartition tp) {
        return Checkpoint.streamKey(tp.topic(), tp.partition());
    }
}
