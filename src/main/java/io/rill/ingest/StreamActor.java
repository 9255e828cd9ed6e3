package io.rill.ingest;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.checkpoint.StreamBarrier;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.StreamLearner;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.rill.ops.DeadLetterCounters;
import io.rill.ops.IngestStreamMetrics;
import io.rill.state.StateFormat;
import io.rill.text.Decoded;
import io.rill.text.RecordDecoder;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The actor of one (topic, partition) stream. Records of its partition arrive in order, in batches; it counts them
 * and hands them to the stream's learners, and acknowledges each batch once every learner has taken it in; only
 * then does the stream commit the batch's offsets, so a committed record has always reached its models.
 *
 * <p>Each model that learns from the topic has a child here, its per-stream actor ({@link StreamLearner}), so
 * whatever the model carries across records of this partition (a sliding window, a hidden state) lives as long as
 * the stream. This actor knows the models only by name.
 *
 * <p>Records come from the ingest pipeline as Kafka gave them ({@link IngestRecords}, one message per batch): the
 * actor decodes and checks them, tokenizes and counts the good ones (word records in ASCII straight from their bytes,
 * see {@link StreamCounts#countAscii}), writes the refused ones to the dead-letter topic, hands the good ones to its
 * learners, and answers once the learners took them in and the broker acknowledged the dead letters.
 *
 * <p>At a checkpoint's barrier it lets the batch in flight finish, asks every learner for its state, answers with
 * its own state and theirs and the offset it has taken in up to, and holds further batches until resumed.
 *
 * <p>State it owns: its {@link StreamCounts} (records, tokens, bytes, lines, the offsets counted and learned from,
 * token frequencies bounded to {@code maxDistinctTokens} entries) and, through its children, the learners' stream
 * states. All of it can be written to a checkpoint and the actor started again from it.
 *
 * <p>Lost when it stops: all of it, unless it is started from a checkpoint; otherwise after a restart the partition
 * resumes from its committed offsets and the counts start again from zero.
 */
public final class StreamActor extends AbstractBehavior<StreamActor.Command> {

    public sealed interface Command {
    }

    /**
     * A batch of accepted records, in offset order, out of the records up to {@code lastOffset} (the others were
     * refused and are already in the dead-letter topic); {@code replyTo} learns when the batch is taken in.
     */
    public record Ingest(List<AcceptedRecord> records, long lastOffset, ActorRef<Ack> replyTo) implements Command {

        /** A batch with nothing refused after its last accepted record. */
        public Ingest(List<AcceptedRecord> records, ActorRef<Ack> replyTo) {
            this(records, records.isEmpty() ? -1 : records.get(records.size() - 1).offset(), replyTo);
        }
    }

    /**
     * A batch of the partition's records as Kafka gave them, in offset order (a poll's, or part of one): the actor
     * decodes, tokenizes and counts the good ones, dead-letters the refused ones, hands the good ones to its learners,
     * and answers {@link Ack} once all of that is done (every record up to the batch's last offset is then handled),
     * or {@link Failed} when a learner or the dead-letter topic did not take its part: the pipeline then reads the
     * batch again. Records it handled before (a batch delivered again) are neither counted, learned nor
     * dead-lettered twice.
     */
    public record IngestRecords(List<ConsumerRecord<byte[], byte[]>> records, ActorRef<Reply> replyTo)
            implements Command {
    }

    /** An answer to {@link IngestRecords}. */
    public sealed interface Reply {
    }

    /** The acknowledgement of a batch: the highest offset taken in so far, or -1. */
    public record Ack(long lastOffset) implements Reply {
    }

    /** A batch of {@link IngestRecords} was not taken in, and why: it must be delivered again. */
    public record Failed(String reason) implements Reply {
    }

    /** The broker's answer to the dead-letter copies of batch {@code batch}'s refused records. */
    private record DeadLettered(long batch, List<DeadLetterWriter.Refused> refused, Throwable failure)
            implements Command {
    }

    /**
     * How a stream reads raw records ({@link IngestRecords}): its tokenizer, the largest record it takes, and where
     * refused records go (completing once the broker has them) and are counted.
     */
    public record Intake(TokenizerKind tokenizer, int maxRecordBytes, DeadLetters deadLetters,
                         DeadLetterCounters counters) {
    }

    /** Writes refused records to the dead-letter topic: {@link DeadLetterWriter#write}. */
    public interface DeadLetters {
        CompletionStage<?> write(List<DeadLetterWriter.Refused> refused);
    }

    /** A learner's answer for learning batch {@code batch}: its records are taken in, or why not. */
    private record Learned(long batch, String model, StreamLearner.Learned learned, Throwable failure)
            implements Command {
    }

    /**
     * A checkpoint's barrier: once the batch in flight is learned from, the stream answers with its state and holds
     * every further batch until {@link Resume}.
     */
    public record Barrier(long sequence, ActorRef<StreamBarrier.StreamState> replyTo) implements Command {
    }

    /** The checkpoint has everything it needs from this stream: take batches again. */
    public record Resume(long sequence) implements Command {
    }

    /** A learner's state at barrier {@code sequence}, or why there is none. */
    private record Exported(long sequence, String model, StreamLearner.ExportedState exported, Throwable failure)
            implements Command {
    }

    /** The partition is another node's now (cluster): stop. */
    public record Stop() implements Command {
    }

    /** Asks for a snapshot of the counts. */
    public record GetCounts(ActorRef<Counts> replyTo) implements Command {
    }

    /** The stream's counts, and its most frequent tokens, most frequent first. */
    public record Counts(String topic, int partition, long records, long tokens, long bytes, long lines,
                         long lastOffset, Map<String, Long> frequencies) {
    }

    /**
     * The models a stream feeds: for each, by name, the behavior of its per-stream actor given that actor's state
     * from a checkpoint (null for a fresh one); and how long to wait for their answers.
     */
    public record Learners(Map<String, Function<byte[], Behavior<StreamLearner.Command>>> models,
                           Duration stepTimeout) {

        public static final Learners NONE = new Learners(Map.of(), Duration.ofSeconds(20));
    }

    private static final long PUBLISH_TOP_TOKENS_NANOS = 2_000_000_000L;
    /** Version 2: the learners' states by model name (version 1 had one slot per learner kind). */
    private static final int STATE_VERSION = 2;

    private final String topic;
    private final int partition;
    private final IngestStreamMetrics metrics;
    private final StreamCounts counts;
    private long topTokensPublishedAt = System.nanoTime() - PUBLISH_TOP_TOKENS_NANOS;

    private final Duration stepTimeout;
    /** The stream's learners by model name, in a fixed order. */
    private final Map<String, ActorRef<StreamLearner.Command>> learners = new LinkedHashMap<>();
    /** The acknowledgement owed for the batch being learned from (numbered), and who has not answered yet. */
    private ActorRef<Ack> pendingAck;
    private long learningBatch;
    private int unanswered;
    /** The offset the pending batch's records reach (the counts hold the one learned from so far). */
    private long pendingLearnedOffset = -1;
    /**
     * Every record up to here is handled: taken in (and learned from, with learners) or dead-lettered before it
     * came. A checkpoint resumes after it; the pending batch will move it to {@code pendingHandledOffset}.
     */
    private long handledOffset = -1;
    private long pendingHandledOffset = -1;
    private final Deque<Command> waiting = new ArrayDeque<>();
    /** Whoever awaits the pending batch's failure, if it is an {@link IngestRecords}: told {@link Failed}. */
    private ActorRef<Reply> pendingFailure;
    /** How raw records are read (null: this stream takes only tokenized {@link Ingest} batches). */
    private final Intake intake;
    private final RecordDecoder decoder;
    private final Tokenizer tokenizer;
    private final boolean asciiWords;
    /** A checkpoint barrier waiting for the batch in flight, whether the stream is held, and the states collected. */
    private Barrier barrier;
    private boolean held;
    private final Map<String, byte[]> exported = new HashMap<>();

    /** A stream that only counts, feeding no model. */
    public static Behavior<Command> create(String topic, int partition, int maxDistinctTokens,
                                           IngestStreamMetrics metrics) {
        return create(topic, partition, maxDistinctTokens, metrics, Learners.NONE, null);
    }

    /**
     * A stream actor that also feeds {@code learners}, starting from {@code restored} (the state of a
     * {@link StreamBarrier.StreamState}) unless that is null.
     */
    public static Behavior<Command> create(String topic, int partition, int maxDistinctTokens,
                                           IngestStreamMetrics metrics, Learners learners, byte[] restored) {
        return create(topic, partition, maxDistinctTokens, metrics, learners, restored, null);
    }

    /**
     * As {@link #create(String, int, int, IngestStreamMetrics, Learners, byte[])}, taking raw records
     * ({@link IngestRecords}) the way {@code intake} says.
     */
    public static Behavior<Command> create(String topic, int partition, int maxDistinctTokens,
                                           IngestStreamMetrics metrics, Learners learners, byte[] restored,
                                           Intake intake) {
        return Behaviors.setup(context -> {
            if (restored != null) {
                try {
                    return restore(context, topic, partition, maxDistinctTokens, metrics, learners, restored,
                            intake);
                } catch (IOException e) {
                    // The file passed its checksum, so this is a configuration change (another window, ...): start
                    // afresh; the partition is read again from the checkpoint's offset.
                    context.getLog().error("stream {}-{}: cannot restore its checkpointed state, starting afresh: {}",
                            topic, partition, e.getMessage());
                }
            }
            return new StreamActor(context, topic, partition, metrics, learners, new StreamCounts(maxDistinctTokens),
                    Map.of(), intake);
        });
    }

    private static StreamActor restore(ActorContext<Command> context, String topic, int partition,
                                       int maxDistinctTokens, IngestStreamMetrics metrics, Learners learners,
                                       byte[] restored, Intake intake) throws IOException {
        String what = "stream " + topic + "-" + partition;
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
        StateFormat.readVersion(in, what, STATE_VERSION);
        StreamCounts counts = StreamCounts.readFrom(in, maxDistinctTokens);
        long handled = StateFormat.readLong(in, -1, Long.MAX_VALUE, what + "'s handled offset");
        int models = StateFormat.readInt(in, 0, 1000, what + "'s learner count");
        Map<String, byte[]> states = new HashMap<>();
        for (int m = 0; m < models; m++) {
            String model = StateFormat.readString(in, what + "'s model name");
            states.put(model, StateFormat.readBytes(in, restored.length, what + "'s state of model " + model));
        }
        for (String model : states.keySet()) {
            if (!learners.models().containsKey(model)) {
                context.getLog().warn("{}: the checkpoint has the stream state of model {}, which this node does "
                        + "not run on the topic; it is dropped", what, model);
            }
        }
        metrics.restored(counts.records(), counts.tokens(), counts.bytes(), counts.lines());
        StreamActor actor = new StreamActor(context, topic, partition, metrics, learners, counts, states, intake);
        actor.handledOffset = handled;
        return actor;
    }

    private StreamActor(ActorContext<Command> context, String topic, int partition, IngestStreamMetrics metrics,
                        Learners learners, StreamCounts counts, Map<String, byte[]> learnerStates, Intake intake) {
        super(context);
        this.intake = intake;
        this.decoder = intake == null ? null : new RecordDecoder(intake.maxRecordBytes());
        this.tokenizer = intake == null ? null : Tokenizer.of(intake.tokenizer());
        this.asciiWords = intake != null && intake.tokenizer() == TokenizerKind.WORDS;
        this.topic = topic;
        this.partition = partition;
        this.metrics = metrics;
        this.counts = counts;
        this.stepTimeout = learners.stepTimeout();
        learners.models().forEach((model, behavior) -> this.learners.put(model,
                context.spawn(behavior.apply(learnerStates.get(model)), "learner-" + model)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Ingest.class, this::onIngest)
                .onMessage(IngestRecords.class, this::onIngestRecords)
                .onMessage(DeadLettered.class, this::onDeadLettered)
                .onMessage(Learned.class, this::onLearned)
                .onMessage(GetCounts.class, this::onGetCounts)
                .onMessage(Barrier.class, this::onBarrier)
                .onMessage(Exported.class, this::onExported)
                .onMessage(Resume.class, this::onResume)
                .onMessage(Stop.class, stop -> Behaviors.stopped())
                .build();
    }

    private Behavior<Command> onIngest(Ingest ingest) {
        if (pendingAck != null || held) {
            // A restarted source's batch while the previous one is still being learned from, or a checkpoint holds us.
            waiting.add(ingest);
            return this;
        }
        long recordsBefore = counts.records();
        long tokensBefore = counts.tokens();
        long bytesBefore = counts.bytes();
        long linesBefore = counts.lines();
        long learnedOffset = counts.learnedOffset();
        long batchEnd = learnedOffset;
        List<AcceptedRecord> unlearned = new ArrayList<>(ingest.records().size());
        for (AcceptedRecord record : ingest.records()) {
            // Offsets already taken in (a restarted source delivers them again) are neither counted nor learned
            // twice; a batch whose learning failed is learned again, though it was counted.
            counts.count(record);
            if (record.offset() > learnedOffset) {
                unlearned.add(record);
            }
            batchEnd = Math.max(batchEnd, record.offset());
        }
        metrics.accepted(counts.records() - recordsBefore, counts.tokens() - tokensBefore,
                counts.bytes() - bytesBefore, counts.lines() - linesBefore, counts.distinctTokens());
        publishTopTokensNowAndThen();
        if (learners.isEmpty() || unlearned.isEmpty()) {
            counts.learned(batchEnd);
            handledOffset = Math.max(handledOffset, Math.max(ingest.lastOffset(), batchEnd));
            ingest.replyTo().tell(new Ack(counts.lastOffset()));
            return this;
        }
        pendingAck = ingest.replyTo();
        pendingFailure = null;
        pendingLearnedOffset = batchEnd;
        pendingHandledOffset = Math.max(ingest.lastOffset(), batchEnd);
        long batch = ++learningBatch;
        unanswered = learners.size();
        learn(batch, List.copyOf(unlearned));
        return this;
    }

    private void learn(long batch, List<AcceptedRecord> records) {
        learners.forEach((model, learner) -> getContext().ask(StreamLearner.Learned.class, learner, stepTimeout,
                replyTo -> new StreamLearner.Learn(records, replyTo),
                (learned, failure) -> new Learned(batch, model, learned, failure)));
    }

    /** A batch of raw records: decode, count, dead-letter, learn; answer once all of it is done. */
    private Behavior<Command> onIngestRecords(IngestRecords ingest) {
        if (pendingAck != null || held) {
            waiting.add(ingest);
            return this;
        }
        if (intake == null) {
            throw new IllegalStateException("stream " + topic + "-" + partition + " was made for tokenized batches");
        }
        long recordsBefore = counts.records();
        long tokensBefore = counts.tokens();
        long bytesBefore = counts.bytes();
        long linesBefore = counts.lines();
        long learnedOffset = counts.learnedOffset();
        long batchEnd = learnedOffset;
        long lastOffset = -1;
        boolean learning = !learners.isEmpty();
        List<AcceptedRecord> unlearned = learning ? new ArrayList<>(ingest.records().size()) : null;
        List<DeadLetterWriter.Refused> refused = null;
        for (ConsumerRecord<byte[], byte[]> record : ingest.records()) {
            long offset = record.offset();
            lastOffset = Math.max(lastOffset, offset);
            byte[] value = record.value();
            Decoded decoded = decoder.decodeUnlessAscii(value);
            if (decoded instanceof Decoded.Rejected rejected) {
                if (offset > handledOffset) { // dead-lettered before, if not: never twice
                    if (refused == null) {
                        refused = new ArrayList<>();
                    }
                    refused.add(new DeadLetterWriter.Refused(record, rejected));
                }
                continue;
            }
            boolean learn = learning && offset > learnedOffset;
            if (decoded == null && asciiWords) {
                // The common case: word tokens counted straight from the bytes, Strings only for a learner.
                if (learn) {
                    unlearned.add(counts.countAsciiWithTokens(offset, value));
                } else {
                    counts.countAscii(offset, value);
                }
            } else {
                String text = decoded == null ? new String(value, StandardCharsets.ISO_8859_1)
                        : ((Decoded.Text) decoded).text();
                AcceptedRecord accepted = new AcceptedRecord(offset, value.length, tokenizer.tokenize(text));
                counts.count(accepted);
                if (learn) {
                    unlearned.add(accepted);
                }
            }
            batchEnd = Math.max(batchEnd, offset);
        }
        metrics.accepted(counts.records() - recordsBefore, counts.tokens() - tokensBefore,
                counts.bytes() - bytesBefore, counts.lines() - linesBefore, counts.distinctTokens());
        publishTopTokensNowAndThen();
        boolean learnSome = learning && !unlearned.isEmpty();
        if (!learnSome && refused == null) {
            counts.learned(Math.max(learnedOffset, batchEnd));
            handledOffset = Math.max(handledOffset, Math.max(lastOffset, batchEnd));
            ingest.replyTo().tell(new Ack(counts.lastOffset()));
            return this;
        }
        pendingAck = ingest.replyTo().narrow();
        pendingFailure = ingest.replyTo();
        pendingLearnedOffset = learnSome ? batchEnd : Math.max(learnedOffset, batchEnd);
        pendingHandledOffset = Math.max(lastOffset, batchEnd);
        long batch = ++learningBatch;
        unanswered = (learnSome ? learners.size() : 0) + (refused != null ? 1 : 0);
        if (refused != null) {
            List<DeadLetterWriter.Refused> written = List.copyOf(refused);
            getContext().pipeToSelf(intake.deadLetters().write(written),
                    (done, failure) -> new DeadLettered(batch, written, failure));
        }
        if (learnSome) {
            learn(batch, List.copyOf(unlearned));
        }
        return this;
    }

    private Behavior<Command> onDeadLettered(DeadLettered message) {
        if (message.failure() == null) {
            for (DeadLetterWriter.Refused refused : message.refused()) {
                intake.counters().rejected(refused.rejection().reason());
            }
            metrics.deadLettered(message.refused().size());
        }
        if (message.batch() != learningBatch || pendingAck == null) {
            return this;
        }
        if (message.failure() != null) {
            return giveUp("the dead-letter topic", message.failure());
        }
        return --unanswered == 0 ? acknowledge() : this;
    }

    private Behavior<Command> onLearned(Learned message) {
        if (message.batch() != learningBatch || pendingAck == null) {
            return this; // the answer to a batch already given up on
        }
        if (message.failure() != null) {
            return giveUp(message.model(), message.failure());
        }
        return --unanswered == 0 ? acknowledge() : this;
    }

    /**
     * A learning step failed: the batch is not acknowledged, so the Kafka stream times out, restarts and delivers
     * it again from the committed offsets. Counting is idempotent by offset; a learner that did take the batch in
     * recognises the records by their offsets.
     */
    private Behavior<Command> giveUp(String model, Throwable failure) {
        getContext().getLog().warn("stream {}-{}: {} failed to take a batch in, it will be delivered again: {}",
                topic, partition, model.equals("the dead-letter topic") ? model : "model " + model,
                failure.toString());
        pendingAck = null;
        if (pendingFailure != null) {
            pendingFailure.tell(new Failed(model + ": " + failure));
            pendingFailure = null;
        }
        return next();
    }

    private Behavior<Command> acknowledge() {
        ActorRef<Ack> replyTo = pendingAck;
        pendingAck = null;
        pendingFailure = null;
        counts.learned(pendingLearnedOffset);
        handledOffset = Math.max(handledOffset, pendingHandledOffset);
        replyTo.tell(new Ack(counts.lastOffset()));
        return next();
    }

    /** Between batches: a waiting barrier goes first, then the next waiting batch. */
    private Behavior<Command> next() {
        if (barrier != null && !held) {
            return checkpoint();
        }
        Command next = held ? null : waiting.poll();
        if (next instanceof IngestRecords records) {
            return onIngestRecords(records);
        }
        return next == null ? this : onIngest((Ingest) next);
    }

    private Behavior<Command> onBarrier(Barrier message) {
        barrier = message;
        return pendingAck == null && !held ? checkpoint() : this;
    }

    /** Nothing is in flight: hold, and collect the learners' states before answering the barrier. */
    private Behavior<Command> checkpoint() {
        held = true;
        exported.clear();
        if (learners.isEmpty()) {
            return answerBarrier();
        }
        long sequence = barrier.sequence();
        learners.forEach((model, learner) -> getContext().ask(StreamLearner.ExportedState.class, learner,
                stepTimeout, StreamLearner.ExportState::new,
                (state, failure) -> new Exported(sequence, model, state, failure)));
        return this;
    }

    private Behavior<Command> onExported(Exported message) {
        if (barrier == null || message.sequence() != barrier.sequence()) {
            return this;
        }
        if (message.failure() != null) {
            // No answer: the coordinator abandons this checkpoint after its timeout and resumes us.
            getContext().getLog().warn("stream {}-{}: model {} did not export its stream state: {}", topic,
                    partition, message.model(), message.failure().toString());
            return this;
        }
        exported.put(message.model(), message.exported().bytes());
        return exported.size() == learners.size() ? answerBarrier() : this;
    }

    private Behavior<Command> answerBarrier() {
        byte[] state = StateFormat.toBytes(out -> {
            StateFormat.writeVersion(out, STATE_VERSION);
            counts.writeTo(out);
            out.writeLong(handledOffset);
            out.writeInt(learners.size());
            for (String model : learners.keySet()) {
                StateFormat.writeString(out, model);
                StateFormat.writeBytes(out, exported.get(model));
            }
        });
        // Resume after the last handled record (a counted batch whose learning failed is not handled: it comes again).
        barrier.replyTo().tell(new StreamBarrier.StreamState(barrier.sequence(), topic, partition,
                handledOffset < 0 ? -1 : handledOffset + 1, state));
        return this;
    }

    private Behavior<Command> onResume(Resume resume) {
        if (barrier == null || resume.sequence() != barrier.sequence()) {
            return this;
        }
        barrier = null;
        held = false;
        learners.values().forEach(learner -> learner.tell(StreamLearner.Resume.INSTANCE));
        return next();
    }

    private void publishTopTokensNowAndThen() {
        long now = System.nanoTime();
        if (now - topTokensPublishedAt >= PUBLISH_TOP_TOKENS_NANOS) {
            topTokensPublishedAt = now;
            metrics.topTokens(counts.top(10).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" ")));
        }
    }

    private Behavior<Command> onGetCounts(GetCounts get) {
        get.replyTo().tell(new Counts(topic, partition, counts.records(), counts.tokens(), counts.bytes(),
                counts.lines(), counts.lastOffset(), counts.frequencies()));
        return this;
    }
}
