package io.rill.classify;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.LineRejects;
import io.rill.learn.StreamLearner;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The classifier's side of one (topic, partition) stream of labelled lines. It reads each line
 * ({@link LabelledLine}), asks the model's data for the ids of words and labels it has not met, dead-letters the
 * lines it refuses (with their reasons) through {@link LineRejects}, keeps one sentence in {@code held-out.every}
 * out of training (sending it to the data as held-out), and queues the rest in its backlog, from which it sends the
 * worker one mini-batch of {@code batch-size} at a time (a shorter one after {@code batch-linger} without more).
 *
 * <p>A batch of records is acknowledged once its refused lines are on the broker and its sentences are in the
 * backlog with the backlog at most {@code max-buffered-sentences}: Kafka offsets advance no faster than the model
 * trains, and what is acknowledged but untrained is in the backlog, which checkpoints hold. A record delivered again
 * (offset already taken in) is not read twice.
 *
 * <p>State it owns: the backlog, its copy of the ids it has used, the highest offset taken in. Lost when it stops:
 * whatever changed since the last checkpoint, which holds the backlog and the offset.
 */
public final class ClassifyStreamActor extends AbstractBehavior<StreamLearner.Command> {

    /** A sentence to train on: word ids and label id. */
    private record Example(int[] ids, int label) {
    }

    /** A batch being read: the records, the lines, and whom to answer. */
    private record Feed(long feed, List<AcceptedRecord> records, ActorRef<StreamLearner.Learned> replyTo) {
    }

    private record Encoded(long feed, ClassifierData.Encoded encoded, Throwable failure)
            implements StreamLearner.Command {
    }

    private record RejectsWritten(long feed, Prepared prepared, Throwable failure) implements StreamLearner.Command {
    }

    private record BatchTrained(long batch, ClassifierWorker.Trained trained, Throwable failure)
            implements StreamLearner.Command {
    }

    private enum Linger implements StreamLearner.Command {
        INSTANCE
    }

    /** What a feed becomes once its ids are known; applied only when its refused lines are on the broker. */
    private record Prepared(long lastOffset, List<Example> training, List<Example> heldOut, long dropped) {
    }

    private static final int STATE_VERSION = 1;

    private final String topic;
    private final int partition;
    private final ClassifierSettings settings;
    private final ActorRef<ClassifierData.Command> data;
    private final ActorRef<ClassifierWorker.Command> worker;
    private final LineRejects rejects;
    private final ClassifierMetrics metrics;
    private final TimerScheduler<StreamLearner.Command> timers;
    private final Map<String, Integer> wordIds = new HashMap<>();
    private final Map<String, Integer> labelIds = new HashMap<>();
    private final ArrayDeque<Example> backlog = new ArrayDeque<>();
    private long fedOffset = -1;
    private long feeds;
    private Feed reading;
    private ActorRef<StreamLearner.Learned> pendingAck;
    private long batches;
    private int inFlight;
    private ActorRef<StreamLearner.ExportedState> pendingExport;
    private boolean held;

    public static Behavior<StreamLearner.Command> create(String topic, int partition, ClassifierSettings settings,
                                                         ActorRef<ClassifierData.Command> data,
                                                         ActorRef<ClassifierWorker.Command> worker,
                                                         LineRejects rejects, ClassifierMetrics metrics,
                                                         byte[] restored) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ClassifyStreamActor(context, timers,
                topic, partition, settings, data, worker, rejects, metrics, restored)));
    }

    private ClassifyStreamActor(ActorContext<StreamLearner.Command> context,
                                TimerScheduler<StreamLearner.Command> timers, String topic, int partition,
                                ClassifierSettings settings, ActorRef<ClassifierData.Command> data,
                                ActorRef<ClassifierWorker.Command> worker, LineRejects rejects,
                                ClassifierMetrics metrics, byte[] restored) throws IOException {
        super(context);
        this.timers = timers;
        this.topic = topic;
        this.partition = partition;
        this.settings = settings;
        this.data = data;
        this.worker = worker;
        this.rejects = rejects;
        this.metrics = metrics;
        if (restored != null) {
            String what = "classifier stream " + topic + "-" + partition;
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
            StateFormat.readVersion(in, what, STATE_VERSION);
            fedOffset = in.readLong();
            int count = StateFormat.readInt(in, 0, restored.length, what + " backlog");
            for (int i = 0; i < count; i++) {
                int label = StateFormat.readInt(in, 0, settings.maxClasses() - 1, what + " label");
                backlog.add(new Example(StateFormat.readInts(in, restored.length, what + " sentence"), label));
            }
        }
    }

    @Override
    public Receive<StreamLearner.Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamLearner.Learn.class, this::onLearn)
                .onMessage(Encoded.class, this::onEncoded)
                .onMessage(RejectsWritten.class, this::onRejectsWritten)
                .onMessage(BatchTrained.class, this::onBatchTrained)
                .onMessageEquals(Linger.INSTANCE, this::onLinger)
                .onMessage(StreamLearner.ExportState.class, this::onExportState)
                .onMessageEquals(StreamLearner.Resume.INSTANCE, this::onResume)
                .build();
    }

    private Behavior<StreamLearner.Command> onLearn(StreamLearner.Learn learn) {
        List<AcceptedRecord> fresh = learn.records().stream().filter(r -> r.offset() > fedOffset).toList();
        if (fresh.isEmpty()) {
            learn.replyTo().tell(new StreamLearner.Learned(fedOffset));
            return this;
        }
        Feed feed = new Feed(++feeds, fresh, learn.replyTo());
        Set<String> unknownWords = new LinkedHashSet<>();
        Set<String> unknownLabels = new LinkedHashSet<>();
        forEachLine(feed, (record, index, text, line) -> {
            if (line instanceof LabelledLine.Example example) {
                if (!labelIds.containsKey(example.label())) {
                    unknownLabels.add(example.label());
                }
                example.tokens().stream().filter(w -> !wordIds.containsKey(w)).forEach(unknownWords::add);
            }
        });
        if (unknownWords.isEmpty() && unknownLabels.isEmpty()) {
            prepare(feed);
            return this;
        }
        reading = feed;
        getContext().ask(ClassifierData.Encoded.class, data, settings.stepTimeout(),
                replyTo -> new ClassifierData.Encode(List.copyOf(unknownWords), List.copyOf(unknownLabels), replyTo),
                (encoded, failure) -> new Encoded(feed.feed(), encoded, failure));
        return this;
    }

    private Behavior<StreamLearner.Command> onEncoded(Encoded message) {
        if (reading == null || message.feed() != reading.feed()) {
            return this;
        }
        Feed feed = reading;
        reading = null;
        if (message.failure() != null) {
            // No acknowledgement: the stream times out and reads the records again.
            getContext().getLog().warn("stream {}-{}: no ids from the classifier's data: {}", topic, partition,
                    message.failure().toString());
            return this;
        }
        ClassifierData.Encoded encoded = message.encoded();
        for (int i = 0; i < encoded.words().size(); i++) {
            if (encoded.wordIds()[i] >= 0) {
                wordIds.put(encoded.words().get(i), encoded.wordIds()[i]);
            }
        }
        for (int i = 0; i < encoded.labels().size(); i++) {
            labelIds.put(encoded.labels().get(i), encoded.labelIds()[i]); // -1: beyond the class limit
        }
        prepare(feed);
        return this;
    }

    /** Every id is known: the feed's examples, and its refused lines sent to the dead letters. */
    private void prepare(Feed feed) {
        List<Example> training = new ArrayList<>();
        List<Example> heldOut = new ArrayList<>();
        List<CompletableFuture<?>> written = new ArrayList<>();
        long[] dropped = {0};
        forEachLine(feed, (record, index, text, line) -> {
            if (line instanceof LabelledLine.Refused refused) {
                written.add(reject(record, index, text, refused.reason(), refused.detail()));
                return;
            }
            LabelledLine.Example example = (LabelledLine.Example) line;
            int label = labelIds.getOrDefault(example.label(), -1);
            if (label < 0) {
                written.add(reject(record, index, text, LabelledLine.TOO_MANY_CLASSES, "the model has its "
                        + settings.maxClasses() + " classes (rill.classify.max-classes) and this label is not one"));
                return;
            }
            int[] ids = example.tokens().stream().mapToInt(w -> wordIds.getOrDefault(w, -1)).filter(id -> id >= 0)
                    .toArray();
            dropped[0] += example.tokens().size() - ids.length;
            Example e = new Example(ids, label);
            (settings.isHeldOut(example.sentence()) ? heldOut : training).add(e);
        });
        long last = feed.records().get(feed.records().size() - 1).offset();
        Prepared prepared = new Prepared(last, training, heldOut, dropped[0]);
        if (written.isEmpty()) {
            take(feed, prepared);
            return;
        }
        reading = feed;
        getContext().pipeToSelf(CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)),
                (done, failure) -> new RejectsWritten(feed.feed(), prepared, failure));
    }

    private CompletableFuture<?> reject(AcceptedRecord record, int index, String text, String reason, String detail) {
        metrics.rejected(reason);
        return rejects.reject(new LineRejects.RejectedLine(topic, partition, record.offset(), index, text, reason,
                detail)).toCompletableFuture();
    }

    private Behavior<StreamLearner.Command> onRejectsWritten(RejectsWritten message) {
        if (reading == null || message.feed() != reading.feed()) {
            return this;
        }
        Feed feed = reading;
        reading = null;
        if (message.failure() != null) {
            getContext().getLog().warn("stream {}-{}: refused lines not dead-lettered ({}); the records will be read "
                    + "again", topic, partition, message.failure().toString());
            return this;
        }
        take(feed, message.prepared());
        return this;
    }

    /** The feed's sentences go to the backlog (and the held-out ones to the data), and on to the worker. */
    private void take(Feed feed, Prepared prepared) {
        fedOffset = prepared.lastOffset();
        backlog.addAll(prepared.training());
        metrics.dropped(prepared.dropped());
        if (!prepared.heldOut().isEmpty()) {
            data.tell(new ClassifierData.Observe(prepared.heldOut().stream().map(Example::ids).toList(),
                    prepared.heldOut().stream().mapToInt(Example::label).toArray()));
        }
        pendingAck = feed.replyTo();
        sendBatch(false);
        acknowledgeIfRoom();
    }

    private Behavior<StreamLearner.Command> onBatchTrained(BatchTrained message) {
        if (message.batch() != batches || inFlight == 0) {
            return this; // the late answer to a batch already sent again
        }
        if (message.failure() == null) {
            for (int i = 0; i < inFlight; i++) {
                backlog.poll();
            }
        } else {
            getContext().getLog().warn("stream {}-{}: batch {} not trained, sending it again: {}", topic, partition,
                    message.batch(), message.failure().toString());
        }
        inFlight = 0;
        exportIfStill();
        sendBatch(false);
        acknowledgeIfRoom();
        return this;
    }

    private Behavior<StreamLearner.Command> onLinger() {
        sendBatch(true);
        acknowledgeIfRoom();
        return this;
    }

    private Behavior<StreamLearner.Command> onExportState(StreamLearner.ExportState export) {
        pendingExport = export.replyTo();
        held = true;
        exportIfStill();
        return this;
    }

    private Behavior<StreamLearner.Command> onResume() {
        held = false;
        pendingExport = null;
        sendBatch(false);
        acknowledgeIfRoom();
        return this;
    }

    /** Answers a pending export once no batch is out: the backlog then matches what the model has. */
    private void exportIfStill() {
        if (pendingExport == null || inFlight > 0) {
            return;
        }
        pendingExport.tell(new StreamLearner.ExportedState(StateFormat.toBytes(out -> {
            StateFormat.writeVersion(out, STATE_VERSION);
            out.writeLong(fedOffset);
            out.writeInt(backlog.size());
            for (Example example : backlog) {
                out.writeInt(example.label());
                StateFormat.writeInts(out, example.ids(), 0, example.ids().length);
            }
        })));
        pendingExport = null;
    }

    /** Sends the next batch: a full one, or (when {@code partial}, after the linger) whatever the backlog has. */
    private void sendBatch(boolean partial) {
        if (inFlight > 0 || held || backlog.isEmpty()) {
            return;
        }
        if (backlog.size() < settings.batchSize() && !partial) {
            if (!timers.isTimerActive(Linger.INSTANCE)) {
                timers.startSingleTimer(Linger.INSTANCE, settings.batchLinger());
            }
            return;
        }
        timers.cancel(Linger.INSTANCE);
        int n = Math.min(settings.batchSize(), backlog.size());
        int[][] sentences = new int[n][];
        int[] labels = new int[n];
        int i = 0;
        for (Example example : backlog) {
            if (i == n) {
                break;
            }
            sentences[i] = example.ids();
            labels[i++] = example.label();
        }
        inFlight = n;
        long batch = ++batches;
        getContext().ask(ClassifierWorker.Trained.class, worker, settings.stepTimeout(),
                replyTo -> new ClassifierWorker.Train(sentences, labels, replyTo),
                (trained, failure) -> new BatchTrained(batch, trained, failure));
    }

    private void acknowledgeIfRoom() {
        if (pendingAck != null && backlog.size() <= settings.maxBufferedSentences()) {
            pendingAck.tell(new StreamLearner.Learned(fedOffset));
            pendingAck = null;
        }
    }

    private interface LineVisitor {
        void visit(AcceptedRecord record, int index, String text, LabelledLine line);
    }

    /** Every non-empty line of the feed's records, read. */
    private void forEachLine(Feed feed, LineVisitor visitor) {
        for (AcceptedRecord record : feed.records()) {
            List<List<String>> lines = record.text().lines();
            for (int index = 0; index < lines.size(); index++) {
                if (lines.get(index).isEmpty()) {
                    continue;
                }
                String text = lines.get(index).get(0);
                visitor.visit(record, index, text, LabelledLine.parse(text, settings.maxLineLength(),
                        settings.maxLabelLength()));
            }
        }
    }
}
