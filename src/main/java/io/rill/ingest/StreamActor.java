package io.rill.ingest;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.lstm.CharStreamActor;
import io.rill.ops.IngestStreamMetrics;
import io.rill.skipgram.PairBuffer;
import io.rill.skipgram.SkipGramWorker;
import io.rill.skipgram.VocabularyActor;
import io.rill.skipgram.WindowPairs;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The actor of one (topic, partition) stream. Records of its partition arrive in order, in batches, and it
 * acknowledges each batch once it has taken it in; only then does the stream commit the batch's offsets.
 *
 * <p>On a word stream with the skip-gram learner attached, a batch is acknowledged only once it has been learned
 * from: the words go to the vocabulary for ids and subsampling, the stream's sliding window turns the kept ids into
 * (center, context) pairs, and a worker trains them against the parameter server. A document ends at every line
 * (as in word2vec and gensim), or, with {@code rill.skipgram.document-boundary = blank-line}, only at an empty line,
 * so that a document produced line by line runs on across records. The acknowledgement is what
 * lets the Kafka stream commit, so a committed record has always reached the model.
 *
 * <p>On a characters stream with a character model attached, the batch's text goes to the stream's
 * {@link CharStreamActor} (a child of this actor, so the carried LSTM state lives as long as the stream), and the
 * batch is acknowledged once that actor has taken it in.
 *
 * <p>State it owns: its {@link StreamCounts} (records, tokens, bytes, lines, the offsets counted and learned from,
 * token frequencies bounded to {@code maxDistinctTokens} entries), and its skip-gram window, which carries the
 * current document across records. Both can be written to a checkpoint and the actor started again from them.
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

    /** The acknowledgement of a batch: the highest offset taken in so far, or -1. */
    public record Ack(long lastOffset) {
    }

    /** The vocabulary's answer for learning batch {@code batch}, or why there is none. */
    private record Observed(long batch, VocabularyActor.Observed observed, Throwable failure) implements Command {
    }

    /** The worker's answer for learning batch {@code batch}: its pairs are trained, or why not. */
    private record Trained(long batch, SkipGramWorker.Trained trained, Throwable failure) implements Command {
    }

    /** The character model's answer for learning batch {@code batch}: its text is taken in, or why not. */
    private record Fed(long batch, CharStreamActor.Fed fed, Throwable failure) implements Command {
    }

    /** The skip-gram learner a word stream feeds: the vocabulary, its worker, and its window's size and seed. */
    public record SkipGramLink(ActorRef<VocabularyActor.Command> vocabulary, ActorRef<SkipGramWorker.Command> worker,
                               int window, long seed, boolean documentPerLine, Duration stepTimeout) {
    }

    /**
     * The character model a characters stream feeds: the behavior of its per-stream actor, given that actor's state
     * from a checkpoint (null for a fresh one), and how long to wait for it.
     */
    public record CharModelLink(Function<byte[], Behavior<CharStreamActor.Command>> stream, Duration stepTimeout) {
    }

    /**
     * A checkpoint's barrier: once the batch in flight is learned from, the stream answers with its state and holds
     * every further batch until {@link Resume}.
     */
    public record Barrier(long sequence, ActorRef<StreamCheckpoint> replyTo) implements Command {
    }

    /**
     * The stream's state at a barrier: its bytes, and the next offset to read after restoring them (-1 when it has
     * taken nothing in, so nothing to seek to).
     */
    public record StreamCheckpoint(long sequence, String topic, int partition, long nextOffset, byte[] state) {
    }

    /** The checkpoint has everything it needs from this stream: take batches again. */
    public record Resume(long sequence) implements Command {
    }

    private record ChildExported(long sequence, CharStreamActor.ExportedState exported, Throwable failure)
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

    private static final long PUBLISH_TOP_TOKENS_NANOS = 2_000_000_000L;

    private final String topic;
    private final int partition;
    private final IngestStreamMetrics metrics;
    private final StreamCounts counts;
    private long topTokensPublishedAt = System.nanoTime() - PUBLISH_TOP_TOKENS_NANOS;

    private final SkipGramLink skipGram;
    private final CharModelLink charModel;
    private final ActorRef<CharStreamActor.Command> charStream;
    private final WindowPairs window;
    private final PairBuffer pairs = new PairBuffer();
    /** The acknowledgement owed for the batch being learned from (numbered), and batches that arrived meanwhile. */
    private ActorRef<Ack> pendingAck;
    private long learningBatch;
    /** The offset the pending batch's words will reach (the counts hold the one they reached). */
    private long pendingLearnedOffset = -1;
    /**
     * Every record up to here is handled: taken in (and learned from, with a learner) or dead-lettered before it
     * came. A checkpoint resumes after it; the pending batch will move it to {@code pendingHandledOffset}.
     */
    private long handledOffset = -1;
    private long pendingHandledOffset = -1;
    private final Deque<Ingest> waiting = new ArrayDeque<>();
    /** A checkpoint barrier waiting for the batch in flight, and whether the stream is held for a checkpoint. */
    private Barrier barrier;
    private boolean held;
    /** Per line of the batch being learned from: whether it ends a document. */
    private final List<Boolean> documentEnds = new ArrayList<>();

    private static final int STATE_VERSION = 1;

    public static Behavior<Command> create(String topic, int partition, int maxDistinctTokens, IngestStreamMetrics metrics) {
        return create(topic, partition, maxDistinctTokens, metrics, null, null, null);
    }

    /**
     * A stream actor that also feeds the skip-gram learner, unless {@code skipGram} is null, or a character model,
     * unless {@code charModel} is null, starting from {@code restored} (the state of a {@link StreamCheckpoint})
     * unless that is null.
     */
    public static Behavior<Command> create(String topic, int partition, int maxDistinctTokens, IngestStreamMetrics metrics,
                                           SkipGramLink skipGram, CharModelLink charModel, byte[] restored) {
        return Behaviors.setup(context -> {
            if (restored != null) {
                try {
                    return restore(context, topic, partition, maxDistinctTokens, metrics, skipGram, charModel, restored);
                } catch (IOException e) {
                    // The file passed its checksum, so this is a configuration change (another learner, window...):
                    // start afresh; the partition is read again from the checkpoint's offset.
                    context.getLog().error("stream {}-{}: cannot restore its checkpointed state, starting afresh: {}",
                            topic, partition, e.getMessage());
                }
            }
            return new StreamActor(context, topic, partition, metrics, skipGram, charModel,
                    new StreamCounts(maxDistinctTokens),
                    skipGram == null ? null : new WindowPairs(skipGram.window(), skipGram.seed()), null);
        });
    }

    private static StreamActor restore(ActorContext<Command> context, String topic, int partition,
                                       int maxDistinctTokens, IngestStreamMetrics metrics, SkipGramLink skipGram,
                                       CharModelLink charModel, byte[] restored) throws IOException {
        {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
            StateFormat.readVersion(in, "stream " + topic + "-" + partition, STATE_VERSION);
            StreamCounts counts = StreamCounts.readFrom(in, maxDistinctTokens);
            long handled = StateFormat.readLong(in, -1, Long.MAX_VALUE, "stream's handled offset");
            WindowPairs window = in.readBoolean() ? WindowPairs.readFrom(in, skipGram == null ? 0 : skipGram.window())
                    : null;
            byte[] child = in.readBoolean() ? StateFormat.readBytes(in, restored.length, "char stream state") : null;
            if ((window == null) != (skipGram == null) || (child == null) != (charModel == null)) {
                throw new IOException("stream " + topic + "-" + partition + ": the checkpoint's learners ("
                        + (window != null ? "skip-gram " : "") + (child != null ? "char model" : "")
                        + ") are not the configured ones");
            }
            metrics.restored(counts.records(), counts.tokens(), counts.bytes(), counts.lines());
            StreamActor actor = new StreamActor(context, topic, partition, metrics, skipGram, charModel, counts, window,
                    child);
            actor.handledOffset = handled;
            return actor;
        }
    }

    private StreamActor(ActorContext<Command> context, String topic, int partition, IngestStreamMetrics metrics,
                        SkipGramLink skipGram, CharModelLink charModel, StreamCounts counts, WindowPairs window,
                        byte[] childState) {
        super(context);
        this.topic = topic;
        this.partition = partition;
        this.metrics = metrics;
        this.counts = counts;
        this.skipGram = skipGram;
        this.window = window;
        this.charModel = charModel;
        this.charStream = charModel == null ? null
                : context.spawn(charModel.stream().apply(childState), "char-model");
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Ingest.class, this::onIngest)
                .onMessage(Observed.class, this::onObserved)
                .onMessage(Trained.class, this::onTrained)
                .onMessage(Fed.class, this::onFed)
                .onMessage(GetCounts.class, this::onGetCounts)
                .onMessage(Barrier.class, this::onBarrier)
                .onMessage(ChildExported.class, this::onChildExported)
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
        List<String[]> words = skipGram == null ? null : new ArrayList<>();
        List<CharStreamActor.FedRecord> texts = charStream == null ? null : new ArrayList<>();
        documentEnds.clear();
        long recordsBefore = counts.records();
        long tokensBefore = counts.tokens();
        long bytesBefore = counts.bytes();
        long linesBefore = counts.lines();
        long learnedOffset = counts.learnedOffset();
        long batchEnd = learnedOffset;
        for (AcceptedRecord record : ingest.records()) {
            // Offsets already taken in (a restarted source delivers them again) are neither counted nor learned
            // twice; a batch whose learning failed is learned again, though it was counted.
            counts.count(record);
            boolean unlearned = words != null && record.offset() > learnedOffset;
            if (texts != null && record.offset() > learnedOffset) {
                texts.add(new CharStreamActor.FedRecord(record.offset(), record.text().lines().stream()
                        .map(characters -> String.join("", characters)).toList()));
            }
            if (unlearned) {
                for (List<String> line : record.text().lines()) {
                    words.add(line.toArray(String[]::new));
                    documentEnds.add(skipGram.documentPerLine() || line.isEmpty());
                }
            }
            batchEnd = Math.max(batchEnd, record.offset());
        }
        metrics.accepted(counts.records() - recordsBefore, counts.tokens() - tokensBefore,
                counts.bytes() - bytesBefore, counts.lines() - linesBefore, counts.distinctTokens());
        publishTopTokensNowAndThen();
        if (texts != null && !texts.isEmpty()) {
            pendingAck = ingest.replyTo();
            pendingLearnedOffset = batchEnd;
            pendingHandledOffset = Math.max(ingest.lastOffset(), batchEnd);
            long batch = ++learningBatch;
            getContext().ask(CharStreamActor.Fed.class, charStream, charModel.stepTimeout(),
                    replyTo -> new CharStreamActor.Feed(texts, replyTo),
                    (fed, failure) -> new Fed(batch, fed, failure));
            return this;
        }
        if (words == null || words.isEmpty()) {
            handledOffset = Math.max(handledOffset, Math.max(ingest.lastOffset(), batchEnd));
            ingest.replyTo().tell(new Ack(counts.lastOffset()));
            return this;
        }
        pendingAck = ingest.replyTo();
        pendingLearnedOffset = batchEnd;
        pendingHandledOffset = Math.max(ingest.lastOffset(), batchEnd);
        long batch = ++learningBatch;
        getContext().ask(VocabularyActor.Observed.class, skipGram.vocabulary(), skipGram.stepTimeout(),
                replyTo -> new VocabularyActor.Observe(words, replyTo),
                (observed, failure) -> new Observed(batch, observed, failure));
        return this;
    }

    /** Ids are back: slide the window over each line (a line is a document) and hand the pairs to the worker. */
    private Behavior<Command> onObserved(Observed message) {
        if (message.batch() != learningBatch || pendingAck == null) {
            return this; // the answer to a batch already given up on
        }
        if (message.failure() != null) {
            return giveUp(message.failure());
        }
        VocabularyActor.Observed observed = message.observed();
        pairs.clear();
        for (int i = 0; i < observed.lines().size(); i++) {
            int[] line = observed.lines().get(i);
            window.add(line, 0, line.length, pairs);
            if (documentEnds.get(i)) {
                window.endDocument(pairs);
            }
        }
        if (pairs.size() == 0) {
            return acknowledge();
        }
        int[] centers = Arrays.copyOf(pairs.centers(), pairs.size());
        int[] contexts = Arrays.copyOf(pairs.contexts(), pairs.size());
        long batch = learningBatch;
        getContext().ask(SkipGramWorker.Trained.class, skipGram.worker(), skipGram.stepTimeout(),
                replyTo -> new SkipGramWorker.Train(centers, contexts, centers.length, observed.negatives(),
                        observed.learningRate(), replyTo),
                (trained, failure) -> new Trained(batch, trained, failure));
        return this;
    }

    private Behavior<Command> onTrained(Trained trained) {
        if (trained.batch() != learningBatch || pendingAck == null) {
            return this;
        }
        return trained.failure() == null ? acknowledge() : giveUp(trained.failure());
    }

    private Behavior<Command> onFed(Fed fed) {
        if (fed.batch() != learningBatch || pendingAck == null) {
            return this;
        }
        return fed.failure() == null ? acknowledge() : giveUp(fed.failure());
    }

    /**
     * A learning step failed: the batch is not acknowledged, so the Kafka stream times out, restarts and delivers
     * it again from the committed offsets. Counting is idempotent by offset; only the learning is retried.
     */
    private Behavior<Command> giveUp(Throwable failure) {
        getContext().getLog().warn("stream {}-{}: learning from a batch failed, it will be delivered again: {}",
                topic, partition, failure.toString());
        pendingAck = null;
        return next();
    }

    private Behavior<Command> acknowledge() {
        ActorRef<Ack> replyTo = pendingAck;
        pendingAck = null;
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
        Ingest next = held ? null : waiting.poll();
        return next == null ? this : onIngest(next);
    }

    private Behavior<Command> onBarrier(Barrier message) {
        barrier = message;
        return pendingAck == null && !held ? checkpoint() : this;
    }

    /** Nothing is in flight: hold, collect the character stream's state if there is one, and answer the barrier. */
    private Behavior<Command> checkpoint() {
        held = true;
        if (charStream == null) {
            return answerBarrier(null);
        }
        long sequence = barrier.sequence();
        getContext().ask(CharStreamActor.ExportedState.class, charStream, charModel.stepTimeout(),
                CharStreamActor.ExportState::new, (exported, failure) -> new ChildExported(sequence, exported, failure));
        return this;
    }

    private Behavior<Command> onChildExported(ChildExported message) {
        if (barrier == null || message.sequence() != barrier.sequence()) {
            return this;
        }
        if (message.failure() != null) {
            // No answer: the coordinator abandons this checkpoint after its timeout and resumes us.
            getContext().getLog().warn("stream {}-{}: the character stream did not export its state: {}", topic,
                    partition, message.failure().toString());
            return this;
        }
        return answerBarrier(message.exported().bytes());
    }

    private Behavior<Command> answerBarrier(byte[] childState) {
        try {
            return answerBarrierWith(childState);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    private Behavior<Command> answerBarrierWith(byte[] childState) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        StateFormat.writeVersion(out, STATE_VERSION);
        counts.writeTo(out);
        out.writeLong(handledOffset);
        out.writeBoolean(window != null);
        if (window != null) {
            window.writeTo(out);
        }
        out.writeBoolean(childState != null);
        if (childState != null) {
            StateFormat.writeBytes(out, childState);
        }
        out.flush();
        // Resume after the last handled record (a counted batch whose learning failed is not handled: it comes again).
        barrier.replyTo().tell(new StreamCheckpoint(barrier.sequence(), topic, partition,
                handledOffset < 0 ? -1 : handledOffset + 1, bytes.toByteArray()));
        return this;
    }

    private Behavior<Command> onResume(Resume resume) {
        if (barrier == null || resume.sequence() != barrier.sequence()) {
            return this;
        }
        barrier = null;
        held = false;
        if (charStream != null) {
            charStream.tell(CharStreamActor.Resume.INSTANCE);
        }
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
