package io.rill.ingest;

import io.rill.learn.AcceptedRecord;
import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.japi.Pair;
import akka.kafka.CommitterSettings;
import akka.kafka.ConsumerMessage;
import akka.kafka.ConsumerSettings;
import akka.kafka.RestrictedConsumer;
import akka.kafka.Subscriptions;
import akka.kafka.javadsl.Committer;
import akka.kafka.javadsl.Consumer;
import akka.kafka.javadsl.PartitionAssignmentHandler;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.typed.javadsl.ActorFlow;
import io.rill.checkpoint.CommitGate;
import io.rill.ops.IngestStreamMetrics;
import io.rill.ops.NodeStatus;
import io.rill.text.Decoded;
import io.rill.text.RecordDecoder;
import io.rill.text.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path of a record from its topic to its stream's actor, as one Akka Streams graph:
 * <pre>
 *   Kafka (committable, one substream per assigned partition)
 *     → strict UTF-8 decoding and checks → tokenization
 *     → batches (batch-size records, batch-bytes, or batch-window, whichever comes first)
 *     → refused records to the dead-letter topic (awaiting the broker's ack)
 *     → ask the partition's actor to take the accepted ones in (backpressure: one batch in flight)
 *     → commit the batch's offsets, in batches
 * </pre>
 * An offset is committed only after its record was acknowledged by the actor or by the dead-letter topic. Any
 * failure (broker outage, ask timeout, dead-letter write failure) fails the consumer, which restarts with backoff
 * and resumes from the committed offsets: records may be delivered again, never skipped.
 */
public final class IngestPipeline {

    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);

    private final AtomicReference<Consumer.Control> control;
    private final UniqueKillSwitch killSwitch;
    private final CompletionStage<Done> done;

    private IngestPipeline(AtomicReference<Consumer.Control> control, UniqueKillSwitch killSwitch,
                           CompletionStage<Done> done) {
        this.control = control;
        this.killSwitch = killSwitch;
        this.done = done;
    }

    /** One batch of a partition: the records its actor takes in, the ones refused, and where it ends. */
    private record Batch(List<AcceptedRecord> accepted, List<DeadLetterWriter.Refused> refused,
                         ConsumerMessage.CommittableOffsetBatch offsets, long lastOffset) {
    }

    /** What a stream actor gets: the accepted records of a batch and the batch's last offset, refused or not. */
    private record Accepted(List<AcceptedRecord> records, long lastOffset) {
    }

    /** One record after decoding: accepted (with tokens) or refused (with the reason). */
    private record Classified(ConsumerMessage.CommittableMessage<byte[], byte[]> message,
                              AcceptedRecord accepted, Decoded.Rejected rejected) {
    }

    /**
     * Starts consuming. An assigned partition starts where {@code handover} says (the offset of the checkpoint its
     * stream's state comes from), or else at its committed offset. Offsets are committed only once the gate lets
     * them through, and batches go to the actors only while {@code valve} is open.
     */
    public static IngestPipeline start(ActorSystem<?> system, IngestSettings settings, String groupId,
                                       Map<String, String> clientProperties, String bootstrap,
                                       ActorRef<StreamSupervisor.Command> supervisor,
                                       DeadLetterWriter deadLetters, NodeStatus status, CommitGate gate,
                                       IngestValve valve, PartitionHandover handover) {
        Map<String, StreamSpec> streams = settings.streams().stream()
                .collect(Collectors.toMap(StreamSpec::topic, spec -> spec));
        ConsumerSettings<byte[], byte[]> consumerSettings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(bootstrap)
                .withGroupId(groupId)
                .withProperties(clientProperties);
        CommitterSettings committerSettings = CommitterSettings.create(system)
                .withMaxBatch(settings.commitMaxBatch())
                .withMaxInterval(settings.commitMaxInterval());
        RestartSettings restartSettings = RestartSettings.create(
                settings.restartMinBackoff(), settings.restartMaxBackoff(), settings.restartRandomFactor());
        AtomicReference<Consumer.Control> control = new AtomicReference<>(Consumer.createNoopControl());
        AtomicInteger starts = new AtomicInteger();
        int maxPartitions = 1024;

        Source<Done, NotUsed> restarting = RestartSource.onFailuresWithBackoff(restartSettings, () -> {
            if (starts.getAndIncrement() > 0) {
                status.ingestRestarted();
                log.warn("restarting the Kafka source (restart {}), resuming from committed offsets", starts.get() - 1);
            }
            return Consumer.committablePartitionedManualOffsetSource(consumerSettings,
                            Subscriptions.topics(streams.keySet()).withPartitionAssignmentHandler(
                                    new RebalanceHandler(handover)), handover::assigned)
                    .mapMaterializedValue(c -> {
                        control.set(c);
                        return c;
                    })
                    .mapAsyncUnordered(maxPartitions, partition -> runPartition(system, settings, partition,
                            streams.get(partition.first().topic()), supervisor, deadLetters, status,
                            committerSettings, gate, valve));
        });
        Pair<UniqueKillSwitch, CompletionStage<Done>> running = restarting
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.ignore(), Keep.both())
                .run(system);
        log.info("ingesting {} from {} as group {}", streams.keySet(), bootstrap, groupId);
        return new IngestPipeline(control, running.first(), running.second());
    }

    private static CompletionStage<Done> runPartition(
            ActorSystem<?> system, IngestSettings settings,
            Pair<TopicPartition, Source<ConsumerMessage.CommittableMessage<byte[], byte[]>, NotUsed>> partition,
            StreamSpec stream, ActorRef<StreamSupervisor.Command> supervisor,
            DeadLetterWriter deadLetters, NodeStatus status, CommitterSettings committerSettings, CommitGate gate,
            IngestValve valve) {
        TopicPartition tp = partition.first();
        IngestStreamMetrics metrics = status.stream(tp.topic(), tp.partition());
        RecordDecoder decoder = new RecordDecoder(settings.maxRecordBytes());
        Tokenizer tokenizer = Tokenizer.of(stream.tokenizer());
        Duration askTimeout = settings.askTimeout();
        CompletionStage<ActorRef<StreamActor.Command>> actor = AskPattern.ask(supervisor,
                replyTo -> new StreamSupervisor.StreamFor(tp.topic(), tp.partition(), replyTo),
                askTimeout, system.scheduler());
        log.info("partition {} assigned", tp);
        return actor.thenCompose(streamActor -> partition.second()
                .map(message -> classify(message, decoder, tokenizer))
                // Bounded by bytes too: a learning step must finish well within the ask timeout, and a few
                // hundred long documents in one batch would not.
                .groupedWeightedWithin(stream.batchBytes(), settings.batchSize(),
                        c -> (long) Math.max(1, c.message().record().serializedValueSize()), settings.batchWindow())
                .map(IngestPipeline::toBatch)
                .mapAsync(1, batch -> deadLetters.write(batch.refused()).thenApply(written -> {
                    for (DeadLetterWriter.Refused refused : batch.refused()) {
                        status.deadLetters().rejected(refused.rejection().reason());
                    }
                    metrics.deadLettered(batch.refused().size());
                    return Pair.create(new Accepted(batch.accepted(), batch.lastOffset()), batch.offsets());
                }))
                .mapAsync(1, batch -> valve.whenOpen().thenApply(open -> batch))
                .via(ActorFlow.<Accepted, StreamActor.Command, StreamActor.Ack,
                        ConsumerMessage.CommittableOffsetBatch>askWithContext(1, streamActor, askTimeout,
                        (accepted, replyTo) -> new StreamActor.Ingest(accepted.records(), accepted.lastOffset(),
                                replyTo)))
                .map(Pair::second)
                // Offsets wait at the gate for a checkpoint that includes them; meanwhile later ones merge in.
                .conflate((ConsumerMessage.CommittableOffsetBatch earlier, ConsumerMessage.CommittableOffsetBatch later)
                        -> earlier.updated(later))
                .mapAsync(1, gate::whenCovered)
                .via(Committer.batchFlow(committerSettings))
                .map(committed -> {
                    committed.getOffsets().forEach((gtp, offset) -> metrics.committed((Long) offset + 1));
                    return committed;
                })
                .runWith(Sink.ignore(), system)
                .whenComplete((done, failure) -> {
                    if (failure != null) {
                        log.warn("partition {} stream failed: {}", tp, failure.toString());
                    } else {
                        log.info("partition {} revoked", tp);
                    }
                }));
    }

    /** Passes revocations and assignments to the handover, on the consumer's thread, while the rebalance waits. */
    private record RebalanceHandler(PartitionHandover handover) implements PartitionAssignmentHandler {
        @Override
        public void onRevoke(Set<TopicPartition> revoked, RestrictedConsumer consumer) {
            if (!revoked.isEmpty()) {
                handover.revoked(revoked, consumer);
            }
        }

        @Override
        public void onAssign(Set<TopicPartition> assigned, RestrictedConsumer consumer) {
            if (assigned.isEmpty()) {
                return;
            }
            try {
                handover.commitResumeOffsets(assigned, consumer);
            } catch (RuntimeException e) {
                // Not fatal: the partition's next record commits past it.
                log.warn("could not commit the resume offsets of {}: {}", assigned, e.toString());
            }
        }

        @Override
        public void onLost(Set<TopicPartition> lost, RestrictedConsumer consumer) {
        }

        @Override
        public void onStop(Set<TopicPartition> current, RestrictedConsumer consumer) {
        }
    }

    private static Classified classify(ConsumerMessage.CommittableMessage<byte[], byte[]> message,
                                       RecordDecoder decoder, Tokenizer tokenizer) {
        ConsumerRecord<byte[], byte[]> record = message.record();
        Decoded decoded = decoder.decode(record.value());
        if (decoded instanceof Decoded.Text text) {
            return new Classified(message,
                    new AcceptedRecord(record.offset(), record.value().length, tokenizer.tokenize(text.text())), null);
        }
        return new Classified(message, null, (Decoded.Rejected) decoded);
    }

    private static Batch toBatch(List<Classified> classified) {
        List<AcceptedRecord> accepted = new ArrayList<>(classified.size());
        List<DeadLetterWriter.Refused> refused = new ArrayList<>(0);
        for (Classified c : classified) {
            if (c.accepted() != null) {
                accepted.add(c.accepted());
            } else {
                refused.add(new DeadLetterWriter.Refused(c.message().record(), c.rejected()));
            }
        }
        // A substream holds one partition, in order: the batch's last offset commits all of it.
        ConsumerMessage.CommittableMessage<byte[], byte[]> last = classified.get(classified.size() - 1).message();
        ConsumerMessage.CommittableOffsetBatch offsets =
                ConsumerMessage.createCommittableOffsetBatch(last.committableOffset());
        return new Batch(accepted, refused, offsets, last.record().offset());
    }

    /**
     * Stops taking new records, gives in-flight batches a moment to be acknowledged and committed, then closes the
     * consumer. Whatever is not committed by then is read again by the next owner of the partition.
     */
    public CompletionStage<Done> stop(Duration drain) {
        return stop(drain, () -> CompletableFuture.completedFuture(Done.getInstance()));
    }

    /**
     * As {@link #stop(Duration)}, running {@code whenStopped} (a last checkpoint, which lets the gate commit) once no
     * new record comes in and before the drain period.
     */
    public CompletionStage<Done> stop(Duration drain, Supplier<CompletionStage<?>> whenStopped) {
        Consumer.Control current = control.get();
        return current.stop()
                .thenCompose(stopped -> whenStopped.get().exceptionally(e -> null))
                .thenCompose(stopped -> CompletableFuture.supplyAsync(Done::getInstance,
                        CompletableFuture.delayedExecutor(drain.toMillis(), TimeUnit.MILLISECONDS)))
                .thenCompose(waited -> current.shutdown())
                .whenComplete((d, e) -> killSwitch.shutdown());
    }

    public CompletionStage<Done> done() {
        return done;
    }
}
