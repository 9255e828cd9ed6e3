package io.rill.skipgram;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.StreamLearner;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The skip-gram side of one word stream: the words of a batch go to the vocabulary for ids and subsampling, the
 * stream's sliding window turns the kept ids into (center, context) pairs, and a worker trains them against the
 * parameter server. A batch is answered only once it is learned from, so a committed record has always reached the
 * model. A document ends at every line (as in word2vec and gensim), or, with
 * {@code rill.skipgram.document-boundary = blank-line}, only at an empty line, so that a document produced line by
 * line runs on across records.
 *
 * <p>State it owns: the sliding window, which carries the current document across records, and the highest offset
 * learned from (a record delivered again is not learned twice). Lost when it stops: whatever changed since the last
 * checkpoint, which holds both ({@link StreamLearner.ExportState}).
 */
public final class SkipGramStreamActor extends AbstractBehavior<StreamLearner.Command> {

    /** The vocabulary's answer for learning step {@code step}, or why there is none. */
    private record Observed(long step, VocabularyActor.Observed observed, Throwable failure)
            implements StreamLearner.Command {
    }

    /** The worker's answer for learning step {@code step}: its pairs are trained, or why not. */
    private record Trained(long step, SkipGramWorker.Trained trained, Throwable failure)
            implements StreamLearner.Command {
    }

    /** Where a stream's words go, and how its windows are cut. */
    public record Link(ActorRef<VocabularyActor.Command> vocabulary, ActorRef<SkipGramWorker.Command> worker,
                       int window, long seed, boolean documentPerLine, Duration stepTimeout) {
    }

    private static final int STATE_VERSION = 1;

    private final String name;
    private final Link link;
    private final WindowPairs window;
    private final PairBuffer pairs = new PairBuffer();
    private long learnedOffset = -1;
    /** The batch being learned from (numbered), what it will reach, and batches that arrived meanwhile. */
    private StreamLearner.Learn learning;
    private long step;
    private long pendingOffset;
    private final Deque<StreamLearner.Learn> waiting = new ArrayDeque<>();
    /** Per line of the batch being learned from: whether it ends a document. */
    private final List<Boolean> documentEnds = new ArrayList<>();
    private ActorRef<StreamLearner.ExportedState> pendingExport;

    /** The stream {@code name}'s actor, from {@code restored} (its exported state) unless that is null. */
    public static Behavior<StreamLearner.Command> create(String name, Link link, byte[] restored) {
        return Behaviors.setup(context -> {
            if (restored != null) {
                try {
                    DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
                    StateFormat.readVersion(in, "skip-gram stream " + name, STATE_VERSION);
                    long learned = StateFormat.readLong(in, -1, Long.MAX_VALUE, "skip-gram stream's learned offset");
                    return new SkipGramStreamActor(context, name, link, WindowPairs.readFrom(in, link.window()),
                            learned);
                } catch (IOException e) {
                    // The file passed its checksum, so this is a configuration change (another window): start
                    // afresh; the partition is read again from the checkpoint's offset.
                    context.getLog().error("skip-gram stream {}: cannot restore its checkpointed window, starting "
                            + "afresh: {}", name, e.getMessage());
                }
            }
            return new SkipGramStreamActor(context, name, link, new WindowPairs(link.window(), link.seed()), -1);
        });
    }

    private SkipGramStreamActor(ActorContext<StreamLearner.Command> context, String name, Link link,
                                WindowPairs window, long learnedOffset) {
        super(context);
        this.name = name;
        this.link = link;
        this.window = window;
        this.learnedOffset = learnedOffset;
    }

    @Override
    public Receive<StreamLearner.Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamLearner.Learn.class, this::onLearn)
                .onMessage(Observed.class, this::onObserved)
                .onMessage(Trained.class, this::onTrained)
                .onMessage(StreamLearner.ExportState.class, this::onExportState)
                .onMessageEquals(StreamLearner.Resume.INSTANCE, () -> this)
                .build();
    }

    private Behavior<StreamLearner.Command> onLearn(StreamLearner.Learn learn) {
        if (learning != null) {
            waiting.add(learn); // the stream gave up on the batch in flight and sends it again
            return this;
        }
        List<String[]> words = new ArrayList<>();
        documentEnds.clear();
        long reached = learnedOffset;
        for (AcceptedRecord record : learn.records()) {
            if (record.offset() <= learnedOffset) {
                continue;
            }
            for (List<String> line : record.text().lines()) {
                words.add(line.toArray(String[]::new));
                documentEnds.add(link.documentPerLine() || line.isEmpty());
            }
            reached = Math.max(reached, record.offset());
        }
        if (words.isEmpty()) {
            learnedOffset = reached;
            learn.replyTo().tell(new StreamLearner.Learned(learnedOffset));
            return this;
        }
        learning = learn;
        pendingOffset = reached;
        long current = ++step;
        getContext().ask(VocabularyActor.Observed.class, link.vocabulary(), link.stepTimeout(),
                replyTo -> new VocabularyActor.Observe(words, replyTo),
                (observed, failure) -> new Observed(current, observed, failure));
        return this;
    }

    /** Ids are back: slide the window over each line and hand the pairs to the worker. */
    private Behavior<StreamLearner.Command> onObserved(Observed message) {
        if (message.step() != step || learning == null) {
            return this;
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
            return learned();
        }
        int[] centers = Arrays.copyOf(pairs.centers(), pairs.size());
        int[] contexts = Arrays.copyOf(pairs.contexts(), pairs.size());
        long current = step;
        getContext().ask(SkipGramWorker.Trained.class, link.worker(), link.stepTimeout(),
                replyTo -> new SkipGramWorker.Train(centers, contexts, centers.length, observed.negatives(),
                        observed.learningRate(), replyTo),
                (trained, failure) -> new Trained(current, trained, failure));
        return this;
    }

    private Behavior<StreamLearner.Command> onTrained(Trained message) {
        if (message.step() != step || learning == null) {
            return this;
        }
        return message.failure() == null ? learned() : giveUp(message.failure());
    }

    private Behavior<StreamLearner.Command> learned() {
        learnedOffset = pendingOffset;
        learning.replyTo().tell(new StreamLearner.Learned(learnedOffset));
        learning = null;
        return next();
    }

    /**
     * The vocabulary or the worker did not answer: no answer to the stream either, which then has its batch
     * delivered again. The window may hold part of the failed batch; relearning it costs a few pairs twice.
     */
    private Behavior<StreamLearner.Command> giveUp(Throwable failure) {
        getContext().getLog().warn("skip-gram stream {}: learning from a batch failed: {}", name, failure.toString());
        learning = null;
        return next();
    }

    private Behavior<StreamLearner.Command> next() {
        exportIfIdle();
        StreamLearner.Learn queued = waiting.poll();
        return queued == null ? this : onLearn(queued);
    }

    private Behavior<StreamLearner.Command> onExportState(StreamLearner.ExportState export) {
        pendingExport = export.replyTo();
        exportIfIdle();
        return this;
    }

    /** Answers a pending export once nothing is on its way to the model. */
    private void exportIfIdle() {
        if (pendingExport == null || learning != null) {
            return;
        }
        pendingExport.tell(new StreamLearner.ExportedState(StateFormat.toBytes(out -> {
            StateFormat.writeVersion(out, STATE_VERSION);
            out.writeLong(learnedOffset);
            window.writeTo(out);
        })));
        pendingExport = null;
    }
}
