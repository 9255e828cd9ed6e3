package io.rill.classify;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.checkpoint.StateSink;
import io.rill.ps.ParameterServer;
import io.rill.ps.Placement;
import io.rill.state.StateFormat;
import io.rill.wire.BinaryArrays.Floats;
import io.rill.wire.BinaryArrays.IntArrays;
import io.rill.wire.BinaryArrays.Ints;
import io.rill.wire.CborSerializable;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a classifier keeps beside its parameters: the label and word vocabularies (ids index the parameters' rows,
 * so there must be exactly one owner of the mappings), each word's base row (its pre-trained vector, or a random
 * one), and the held-out sentences. A label or word seen for the first time gets the next id, up to
 * {@code max-classes} and {@code max-words} (beyond: id −1), and the parameter server is told to grow: by exactly
 * the new classes, and by words in chunks (half again, at least 1024 rows), so that the workers' copies and their
 * gradients change shape rarely (ND4J allocates large arrays slowly). It is told again at start, in case the last
 * growth did not reach its saved state.
 *
 * <p>With a pre-trained source that keeps learning (a skip-gram model), {@link Refresh} copies its vectors and
 * overwrites the base rows of the words it has; the base version moves on, and workers and classifiers take the new
 * rows at their next sync. Between refreshes the base rows never change: the fixed channel is fixed.
 *
 * <p>State it owns: vocabularies, base rows and their version, held-out sentences. Lost when it stops: whatever
 * happened since the last checkpoint (or, on a cluster, its last save: it saves whenever a vocabulary grows, since
 * streams keep the ids they were given).
 */
public final class ClassifierData extends AbstractBehavior<ClassifierData.Command> {

    public sealed interface Command extends CborSerializable {
    }

    /** Asks for the ids of {@code words} and {@code labels}, adding the new ones; one beyond the limit gets −1. */
    public record Encode(List<String> words, List<String> labels, ActorRef<Encoded> replyTo) implements Command {
    }

    public record Encoded(List<String> words, @Ints int[] wordIds, List<String> labels, @Ints int[] labelIds)
            implements CborSerializable {
    }

    /** Held-out sentences (word ids) and their labels, kept out of training, for the held-out figures. */
    public record Observe(@IntArrays List<int[]> sentences, @Ints int[] labels) implements Command {
    }

    /**
     * Asks for what a copy lacks: it has the first {@code words} words and their base rows of {@code baseVersion},
     * and the first {@code heldOut} held-out sentences.
     */
    public record Sync(int words, long baseVersion, int heldOut, ActorRef<Synced> replyTo) implements Command {
    }

    /**
     * The words from {@code wordsFrom} on; the base rows from {@code rowsFrom} on (0 when the base version changed),
     * row-major; every label; the held-out sentences from {@code heldOutFrom} on.
     */
    public record Synced(long baseVersion, int wordsFrom, List<String> words, int rowsFrom, @Floats float[] rows,
                         List<String> labels, int heldOutFrom, @IntArrays List<int[]> heldOut,
                         @Ints int[] heldOutLabels) implements CborSerializable {
    }

    /** Copies the pre-trained source's vectors into the base rows now (a worker asks every N steps). */
    public record Refresh() implements Command {
    }

    private record Refreshed(Pretrained vectors, Throwable failure) implements Command {
    }

    public record ExportState(ActorRef<ExportedState> replyTo) implements Command {
    }

    public record ExportedState(byte[] bytes) implements CborSerializable {
    }

    public record SaveState() implements Command {
    }

    public record SaveAndStop() implements Command {
    }

    public static final Placement.Kind<Command> KIND =
            new Placement.Kind<>("kim-cnn-data", Command.class, new SaveState(), new SaveAndStop());

    private static final int STATE_VERSION = 1;
    private static final int MIN_WORD_CHUNK = 1024;

    private final String model;
    private final ClassifierSettings settings;
    private final VectorSource source;
    private final ActorRef<ParameterServer.Command> parameters;
    private final ClassifierMetrics metrics;
    private final StateSink sink;
    private final List<String> words = new ArrayList<>();
    private final Map<String, Integer> wordIds = new HashMap<>();
    private final List<String> labels = new ArrayList<>();
    private final Map<String, Integer> labelIds = new HashMap<>();
    private final List<int[]> heldOut = new ArrayList<>();
    private final List<Integer> heldOutLabels = new ArrayList<>();
    private final float[] row;
    private BaseTable base;
    private long baseVersion;
    private Pretrained vectors;
    private boolean refreshing;
    private int grownWords;
    /** Messages that came before the first vectors (a skip-gram source answers asynchronously). */
    private final ArrayDeque<Command> waiting = new ArrayDeque<>();

    /**
     * The data of {@code model}, from {@code restored} (the bytes of an {@link ExportState}; null: afresh), with base
     * rows of {@code dimension} floats made from {@code source}'s vectors ({@code initial} when already at hand).
     */
    public static Behavior<Command> create(String model, ClassifierSettings settings, int dimension,
                                           VectorSource source, Pretrained initial,
                                           ActorRef<ParameterServer.Command> parameters, ClassifierMetrics metrics,
                                           byte[] restored, StateSink sink) {
        return Behaviors.setup(context -> new ClassifierData(context, model, settings, dimension, source, initial,
                parameters, metrics, restored, sink));
    }

    private ClassifierData(ActorContext<Command> context, String model, ClassifierSettings settings, int dimension,
                           VectorSource source, Pretrained initial, ActorRef<ParameterServer.Command> parameters,
                           ClassifierMetrics metrics, byte[] restored, StateSink sink) throws IOException {
        super(context);
        this.model = model;
        this.settings = settings;
        this.source = source;
        this.parameters = parameters;
        this.metrics = metrics;
        this.sink = sink;
        this.row = new float[dimension];
        this.base = new BaseTable(dimension);
        if (restored != null) {
            read(restored, dimension);
        }
        this.vectors = initial;
        if (initial == null) {
            context.pipeToSelf(source.vectors(), Refreshed::new);
        }
        grown();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Refreshed.class, this::onRefreshed)
                .onMessage(ExportState.class, this::onExportState)
                .onMessage(SaveState.class, this::onSaveState)
                .onMessage(SaveAndStop.class, this::onSaveAndStop)
                .onMessage(Command.class, this::onOther)
                .build();
    }

    private Behavior<Command> onOther(Command command) {
        if (vectors == null) {
            waiting.add(command);
            return this;
        }
        if (command instanceof Encode encode) {
            onEncode(encode);
        } else if (command instanceof Observe observe) {
            onObserve(observe);
        } else if (command instanceof Sync sync) {
            onSync(sync);
        } else if (command instanceof Refresh) {
            onRefresh();
        }
        return this;
    }

    private void onEncode(Encode encode) {
        int wordsBefore = words.size();
        int labelsBefore = labels.size();
        int[] ids = new int[encode.words().size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = wordId(encode.words().get(i));
        }
        int[] classes = new int[encode.labels().size()];
        for (int i = 0; i < classes.length; i++) {
            String label = encode.labels().get(i);
            Integer id = labelIds.get(label);
            if (id == null && labels.size() < settings.maxClasses()) {
                id = labels.size();
                labels.add(label);
                labelIds.put(label, id);
            }
            classes[i] = id == null ? -1 : id;
        }
        if (words.size() > wordsBefore || labels.size() > labelsBefore) {
            // Before the answer: the rows exist by the time a worker trains on the ids (it pulls until they do).
            grown();
            if (sink != null) {
                sink.saveNow(stateBytes()); // streams keep the ids: a restored copy must know them all
            }
        }
        encode.replyTo().tell(new Encoded(encode.words(), ids, encode.labels(), classes));
    }

    private int wordId(String word) {
        Integer id = wordIds.get(word);
        if (id != null) {
            return id;
        }
        if (words.size() >= settings.maxWords()) {
            return -1;
        }
        int next = words.size();
        vectors.baseRow(word, next, settings.seed(), row, 0);
        base.append(row, 0);
        words.add(word);
        wordIds.put(word, next);
        return next;
    }

    /** Tells the parameter server the sizes: classes exactly, words in chunks; and JMX. */
    private void grown() {
        parameters.tell(new ParameterServer.Grow(CnnParams.CLASSES, Math.max(1, labels.size())));
        if (settings.variant().trained() && (grownWords == 0 || words.size() > grownWords)) {
            grownWords = Math.max(words.size(), Math.max(MIN_WORD_CHUNK, grownWords + grownWords / 2));
            parameters.tell(new ParameterServer.Grow(CnnParams.WORDS, grownWords));
        }
        metrics.vocabularies(words.size(), List.copyOf(labels));
    }

    private void onObserve(Observe observe) {
        for (int s = 0; s < observe.sentences().size() && heldOut.size() < settings.heldOutMaxLines(); s++) {
            heldOut.add(observe.sentences().get(s));
            heldOutLabels.add(observe.labels()[s]);
        }
    }

    private void onSync(Sync sync) {
        int wordsFrom = Math.min(sync.words(), words.size());
        int rowsFrom = sync.baseVersion() == baseVersion ? wordsFrom : 0;
        int heldOutFrom = Math.min(sync.heldOut(), heldOut.size());
        int[] sentLabels = heldOutLabels.subList(heldOutFrom, heldOut.size()).stream().mapToInt(Integer::intValue)
                .toArray();
        sync.replyTo().tell(new Synced(baseVersion, wordsFrom, List.copyOf(words.subList(wordsFrom, words.size())),
                rowsFrom, base.rowsFrom(rowsFrom), List.copyOf(labels), heldOutFrom,
                List.copyOf(heldOut.subList(heldOutFrom, heldOut.size())), sentLabels));
    }

    private void onRefresh() {
        if (!refreshing && source.changes()) {
            refreshing = true;
            getContext().pipeToSelf(source.vectors(), Refreshed::new);
        }
    }

    private Behavior<Command> onRefreshed(Refreshed refreshed) {
        refreshing = false;
        if (refreshed.failure() != null) {
            getContext().getLog().warn("classifier {}: no vectors from {} ({}); {}", model, source.description(),
                    refreshed.failure().toString(), vectors == null ? "asking again" : "keeping the rows it has");
            if (vectors == null) {
                getContext().pipeToSelf(source.vectors(), Refreshed::new);
            }
            return this;
        }
        Pretrained fresh = refreshed.vectors();
        if (fresh.dimension() != row.length) {
            getContext().getLog().error("classifier {}: {} has vectors of {} dimensions, the model's rows have {}; "
                    + "keeping the rows it has", model, source.description(), fresh.dimension(), row.length);
            if (vectors == null) {
                vectors = Pretrained.none(row.length, settings.randRange());
            }
        } else {
            boolean first = vectors == null;
            vectors = fresh;
            if (!first || !words.isEmpty()) {
                int changed = 0;
                for (int id = 0; id < words.size(); id++) {
                    if (fresh.vector(words.get(id), row, 0)) {
                        base.set(id, row, 0);
                        changed++;
                    }
                }
                baseVersion++;
                metrics.baseRefreshed();
                getContext().getLog().debug("classifier {}: base rows of {} words refreshed from {} (version {})",
                        model, changed, source.description(), baseVersion);
            }
        }
        while (!waiting.isEmpty() && vectors != null) {
            onOther(waiting.poll());
        }
        return this;
    }

    private Behavior<Command> onExportState(ExportState export) {
        export.replyTo().tell(new ExportedState(stateBytes()));
        return this;
    }

    private Behavior<Command> onSaveState(SaveState save) {
        sink.save(stateBytes());
        return this;
    }

    private Behavior<Command> onSaveAndStop(SaveAndStop stop) {
        sink.saveNow(stateBytes());
        getContext().getLog().info("classifier {}: data saved ({} words, {} classes), handing over", model,
                words.size(), labels.size());
        return Behaviors.stopped();
    }

    private byte[] stateBytes() {
        return StateFormat.toBytes(out -> {
            StateFormat.writeVersion(out, STATE_VERSION);
            out.writeInt(labels.size());
            for (String label : labels) {
                StateFormat.writeString(out, label);
            }
            out.writeInt(words.size());
            for (String word : words) {
                StateFormat.writeString(out, word);
            }
            out.writeLong(baseVersion);
            base.writeTo(out);
            out.writeInt(heldOut.size());
            for (int s = 0; s < heldOut.size(); s++) {
                out.writeInt(heldOutLabels.get(s));
                StateFormat.writeInts(out, heldOut.get(s), 0, heldOut.get(s).length);
            }
        });
    }

    private void read(byte[] restored, int dimension) throws IOException {
        String what = "classifier " + model + " data";
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
        StateFormat.readVersion(in, what, STATE_VERSION);
        int labelCount = StateFormat.readInt(in, 0, settings.maxClasses(), what + " classes");
        for (int i = 0; i < labelCount; i++) {
            String label = StateFormat.readString(in, what + " label");
            labelIds.put(label, labels.size());
            labels.add(label);
        }
        int wordCount = StateFormat.readInt(in, 0, settings.maxWords(), what + " words");
        for (int i = 0; i < wordCount; i++) {
            String word = StateFormat.readString(in, what + " word");
            wordIds.put(word, words.size());
            words.add(word);
        }
        baseVersion = StateFormat.readLong(in, 0, Long.MAX_VALUE, what + " base version");
        base = BaseTable.readFrom(in, dimension, what + " base rows");
        StateFormat.require(base.size() == wordCount, what + ": " + base.size() + " base rows for " + wordCount
                + " words");
        int sentences = StateFormat.readInt(in, 0, settings.heldOutMaxLines(), what + " held-out sentences");
        for (int s = 0; s < sentences; s++) {
            heldOutLabels.add(StateFormat.readInt(in, 0, Math.max(0, labelCount - 1), what + " held-out label"));
            int[] ids = StateFormat.readInts(in, restored.length, what + " held-out sentence");
            for (int id : ids) {
                StateFormat.require(id >= 0 && id < wordCount, what + ": held-out word id " + id);
            }
            heldOut.add(ids);
        }
    }

    @Override
    public String toString() {
        return "ClassifierData[" + model + ": " + words.size() + " words, " + Arrays.toString(labels.toArray()) + "]";
    }
}
