package io.rill.translate;

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
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The attention-model side of one (topic, partition) stream of sentence pairs. Each line of a record is read by
 * {@link ParallelLine}: a refused line goes to the dead-letter topic with its reason ({@code no-tab},
 * {@code empty-side}, {@code too-long}) and the rest of the record is used; one source sentence in
 * {@code held-out.every} (by a hash of its words) is sent to the model's data as held-out; the other pairs get their
 * word ids from the model's data ({@link TranslatorData}, which adds new words) and wait in a queue, from which the
 * stream sends the worker one mini-batch of {@code batch-pairs} at a time (a shorter one after {@code batch-timeout}
 * without enough pairs, so the end of a stream is learned too).
 *
 * <p>A batch of records is acknowledged once its refused lines are on the broker and its pairs are in the queue,
 * and the queue holds at most {@code max-buffered-pairs}: the stream's offsets advance no faster than the model
 * trains. A record already taken in (a redelivery) is skipped.
 *
 * <p>State it owns: the queue of pairs not trained yet (word ids), the highest offset taken in, a cache of word ids.
 * Lost when it stops: whatever changed since the last checkpoint, which holds the queue and the offset
 * ({@link StreamLearner.ExportState}); ids come from the model's data again.
 */
public final class TranslatorStreamActor extends AbstractBehavior<StreamLearner.Command> {

    /** A line read as a pair, from the record at {@code offset}. */
    private record ReadPair(long offset, ParallelLine.Pair pair) {
    }

    /** One batch of records being taken in: its pairs, held-out pairs, the highest offset, and who waits. */
    private record Feed(long number, List<ReadPair> training, List<HeldOutPair> heldOut, long lastOffset,
                        ActorRef<StreamLearner.Learned> replyTo) {
    }

    private record RejectsWritten(long feed, Throwable failure) implements StreamLearner.Command {
    }

    private record Encoded(long feed, TranslatorData.Encoded encoded, Throwable failure)
            implements StreamLearner.Command {
    }

    private record BatchTrained(long batch, TranslatorWorker.Trained trained, Throwable failure)
            implements StreamLearner.Command {
    }

    private enum FlushDue implements StreamLearner.Command {
        INSTANCE
    }

    private static final int STATE_VERSION = 1;

    private final String topic;
    private final int partition;
    private final TranslatorSettings settings;
    private final ActorRef<TranslatorData.Command> data;
    private final ActorRef<TranslatorWorker.Command> worker;
    private final LineRejects lineRejects;
    private final TranslatorMetrics metrics;
    private final TimerScheduler<StreamLearner.Command> timers;
    private final Map<String, Integer> sourceIds = new HashMap<>();
    private final Map<String, Integer> targetIds = new HashMap<>();
    /** Pairs not trained yet: {source ids, target ids}. */
    private final Deque<int[][]> queue = new ArrayDeque<>();
    private final Deque<StreamLearner.Learn> learns = new ArrayDeque<>();
    private long fedOffset = -1;
    private long feeds;
    private Feed current;
    private ActorRef<StreamLearner.Learned> pendingAck;
    private long batches;
    private int batchInFlight;
    private boolean flushDue;
    private ActorRef<StreamLearner.ExportedState> pendingExport;
    private boolean held;

    public static Behavior<StreamLearner.Command> create(String topic, int partition, TranslatorSettings settings,
                                                         ActorRef<TranslatorData.Command> data,
                                                         ActorRef<TranslatorWorker.Command> worker,
                                                         LineRejects lineRejects, TranslatorMetrics metrics,
                                                         byte[] restored) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new TranslatorStreamActor(context, timers,
                topic, partition, settings, data, worker, lineRejects, metrics, restored)));
    }

    private TranslatorStreamActor(ActorContext<StreamLearner.Command> context,
                                  TimerScheduler<StreamLearner.Command> timers, String topic, int partition,
                                  TranslatorSettings settings, ActorRef<TranslatorData.Command> data,
                                  ActorRef<TranslatorWorker.Command> worker, LineRejects lineRejects,
                                  TranslatorMetrics metrics, byte[] restored) throws IOException {
        super(context);
        this.timers = timers;
        this.topic = topic;
        this.partition = partition;
        this.settings = settings;
        this.data = data;
        this.worker = worker;
        this.lineRejects = lineRejects;
        this.metrics = metrics;
        if (restored != null) {
            String what = "translator stream " + topic + "-" + partition;
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
            StateFormat.readVersion(in, what, STATE_VERSION);
            fedOffset = StateFormat.readLong(in, -1, Long.MAX_VALUE, what + " offset");
            int pairs = StateFormat.readInt(in, 0, Integer.MAX_VALUE, what + " queued pairs");
            for (int p = 0; p < pairs; p++) {
                int[] source = StateFormat.readInts(in, settings.maxSentenceWords(), what + " source");
                int[] target = StateFormat.readInts(in, settings.maxSentenceWords(), what + " target");
                StateFormat.require(source.length > 0, what + ": an empty source sentence");
                queue.add(new int[][] {source, target});
            }
            scheduleFlush();
        }
    }

    @Override
    public Receive<StreamLearner.Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamLearner.Learn.class, this::onLearn)
                .onMessage(RejectsWritten.class, this::onRejectsWritten)
                .onMessage(Encoded.class, this::onEncoded)
                .onMessage(BatchTrained.class, this::onBatchTrained)
                .onMessageEquals(FlushDue.INSTANCE, this::onFlushDue)
                .onMessage(StreamLearner.ExportState.class, this::onExportState)
                .onMessageEquals(StreamLearner.Resume.INSTANCE, this::onResume)
                .build();
    }

    private Behavior<StreamLearner.Command> onLearn(StreamLearner.Learn learn) {
        learns.add(learn);
        nextFeed();
        return this;
    }

    /** Reads the next waiting batch of records, unless one is being taken in or a checkpoint holds the stream. */
    private void nextFeed() {
        if (current != null || held || learns.isEmpty()) {
            return;
        }
        StreamLearner.Learn learn = learns.poll();
        List<ReadPair> training = new ArrayList<>();
        List<HeldOutPair> heldOut = new ArrayList<>();
        List<LineRejects.RejectedLine> rejects = new ArrayList<>();
        long lastOffset = fedOffset;
        for (AcceptedRecord record : learn.records()) {
            if (record.offset() <= fedOffset) {
                continue; // a redelivered record already taken in
            }
            lastOffset = Math.max(lastOffset, record.offset());
            List<List<String>> lines = record.text().lines();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isEmpty()) {
                    continue;
                }
                String line = lines.get(i).get(0);
                ParallelLine.Parsed parsed = ParallelLine.parse(line, settings.maxSentenceWords());
                if (parsed instanceof ParallelLine.Refused refused) {
                    rejects.add(new LineRejects.RejectedLine(topic, partition, record.offset(), i, line,
                            refused.reason(), refused.detail()));
                } else {
                    ParallelLine.Pair pair = (ParallelLine.Pair) parsed;
                    if (settings.isHeldOut(pair.source())) {
                        heldOut.add(new HeldOutPair(pair.source(), pair.target()));
                    } else {
                        training.add(new ReadPair(record.offset(), pair));
                    }
                }
            }
        }
        current = new Feed(++feeds, training, heldOut, lastOffset, learn.replyTo());
        if (rejects.isEmpty()) {
            encode();
            return;
        }
        // The batch is answered only once the broker has every refused line.
        CompletableFuture<?>[] written = rejects.stream()
                .map(line -> lineRejects.reject(line).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        rejects.forEach(line -> metrics.rejected(line.reason()));
        long number = current.number();
        getContext().pipeToSelf(CompletableFuture.allOf(written), (done, failure) ->
                new RejectsWritten(number, failure));
    }

    private Behavior<StreamLearner.Command> onRejectsWritten(RejectsWritten written) {
        if (current == null || written.feed() != current.number()) {
            return this;
        }
        if (written.failure() != null) {
            // Not answered: the stream reads the records again, refused lines included.
            getContext().getLog().warn("stream {}-{}: refused lines not written to the dead-letter topic ({}); the"
                    + " records will be read again", topic, partition, written.failure().toString());
            current = null;
            nextFeed();
            return this;
        }
        encode();
        return this;
    }

    /** Asks the model's data for the ids of the words this stream has none for yet. */
    private void encode() {
        Set<String> source = new LinkedHashSet<>();
        Set<String> target = new LinkedHashSet<>();
        for (ReadPair read : current.training()) {
            read.pair().source().stream().filter(w -> !sourceIds.containsKey(w)).forEach(source::add);
            read.pair().target().stream().filter(w -> !targetIds.containsKey(w)).forEach(target::add);
        }
        if (source.isEmpty() && target.isEmpty()) {
            take();
            return;
        }
        long number = current.number();
        List<String> sourceWords = List.copyOf(source);
        List<String> targetWords = List.copyOf(target);
        getContext().ask(TranslatorData.Encoded.class, data, settings.stepTimeout(),
                replyTo -> new TranslatorData.Encode(sourceWords, targetWords, replyTo),
                (encoded, failure) -> new Encoded(number, encoded, failure));
    }

    private Behavior<StreamLearner.Command> onEncoded(Encoded message) {
        if (current == null || message.feed() != current.number()) {
            return this;
        }
        if (message.failure() != null) {
            getContext().getLog().warn("stream {}-{}: no word ids from the model's data ({}); the records will be"
                    + " read again", topic, partition, message.failure().toString());
            current = null;
            nextFeed();
            return this;
        }
        TranslatorData.Encoded encoded = message.encoded();
        remember(sourceIds, encoded.source(), encoded.sourceIds());
        remember(targetIds, encoded.target(), encoded.targetIds());
        take();
        return this;
    }

    private static void remember(Map<String, Integer> cache, List<String> words, int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != WordVocabulary.UNK) { // a word refused by a full vocabulary is asked again
                cache.put(words.get(i), ids[i]);
            }
        }
    }

    /** Every word of the feed has an id: its pairs into the queue, held-out pairs to the data, and on to the model. */
    private void take() {
        Feed feed = current;
        current = null;
        for (ReadPair read : feed.training()) {
            queue.add(new int[][] {ids(sourceIds, read.pair().source()), ids(targetIds, read.pair().target())});
        }
        if (!feed.heldOut().isEmpty()) {
            data.tell(new TranslatorData.HoldOut(feed.heldOut()));
        }
        metrics.pairs(feed.training().size() + feed.heldOut().size(), feed.heldOut().size());
        fedOffset = feed.lastOffset();
        pendingAck = feed.replyTo();
        scheduleFlush();
        sendBatch();
        acknowledgeIfRoom();
        exportIfStill();
        nextFeed();
    }

    private static int[] ids(Map<String, Integer> cache, List<String> words) {
        int[] ids = new int[words.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = cache.getOrDefault(words.get(i), WordVocabulary.UNK);
        }
        return ids;
    }

    private Behavior<StreamLearner.Command> onBatchTrained(BatchTrained message) {
        if (message.batch() != batches || batchInFlight == 0) {
            return this; // the late answer to a batch already sent again
        }
        int size = batchInFlight;
        batchInFlight = 0;
        if (message.failure() == null) {
            for (int i = 0; i < size; i++) {
                queue.poll();
            }
            flushDue = false;
            scheduleFlush();
        } else {
            getContext().getLog().warn("stream {}-{}: batch {} not trained, sending it again: {}", topic, partition,
                    message.batch(), message.failure().toString());
        }
        exportIfStill();
        sendBatch();
        acknowledgeIfRoom();
        return this;
    }

    private Behavior<StreamLearner.Command> onFlushDue() {
        flushDue = true;
        sendBatch();
        acknowledgeIfRoom();
        return this;
    }

    /** A short batch is trained once no full one has come together for batch-timeout. */
    private void scheduleFlush() {
        if (!queue.isEmpty() && queue.size() < settings.batchPairs()) {
            timers.startSingleTimer(FlushDue.INSTANCE, settings.batchTimeout());
        } else {
            timers.cancel(FlushDue.INSTANCE);
        }
    }

    private void sendBatch() {
        if (batchInFlight > 0 || held || queue.isEmpty()
                || queue.size() < settings.batchPairs() && !flushDue) {
            return;
        }
        int size = Math.min(settings.batchPairs(), queue.size());
        int[][] sources = new int[size][];
        int[][] targets = new int[size][];
        Iterator<int[][]> pairs = queue.iterator();
        for (int i = 0; i < size; i++) {
            int[][] pair = pairs.next();
            sources[i] = pair[0];
            targets[i] = pair[1];
        }
        batchInFlight = size;
        long batch = ++batches;
        getContext().ask(TranslatorWorker.Trained.class, worker, settings.stepTimeout(),
                replyTo -> new TranslatorWorker.Train(sources, targets, replyTo),
                (trained, failure) -> new BatchTrained(batch, trained, failure));
    }

    /**
     * Answers the stream once the queue is within bounds, or when nothing can be trained before more pairs come
     * (waiting for a queue that cannot drain would stall the partition).
     */
    private void acknowledgeIfRoom() {
        boolean starving = batchInFlight == 0 && queue.size() < settings.batchPairs();
        if (pendingAck != null && (queue.size() <= settings.maxBufferedPairs() || starving)) {
            pendingAck.tell(new StreamLearner.Learned(fedOffset));
            pendingAck = null;
        }
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
        sendBatch();
        acknowledgeIfRoom();
        nextFeed();
        return this;
    }

    /** Answers a pending export once no batch is out and no feed is half taken in: the queue then fits the model. */
    private void exportIfStill() {
        if (pendingExport == null || batchInFlight > 0 || current != null) {
            return;
        }
        pendingExport.tell(new StreamLearner.ExportedState(StateFormat.toBytes(out -> {
            StateFormat.writeVersion(out, STATE_VERSION);
            out.writeLong(fedOffset);
            out.writeInt(queue.size());
            for (int[][] pair : queue) {
                StateFormat.writeInts(out, pair[0], 0, pair[0].length);
                StateFormat.writeInts(out, pair[1], 0, pair[1].length);
            }
        })));
        pendingExport = null;
    }
}
