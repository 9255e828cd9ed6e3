package io.rill.ps;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.checkpoint.StateSink;
import io.rill.wire.BinaryArrays.IntArrays;
import io.rill.wire.BinaryArrays.Ints;
import io.rill.wire.CborSerializable;
import io.rill.lstm.CharVocabulary;
import io.rill.lstm.LstmGradients;
import io.rill.lstm.LstmParams;
import io.rill.lstm.LstmSettings;
import io.rill.lstm.SeenSequences;
import io.rill.lstm.VocabularyGrowth;
import io.rill.nn.Adam;
import io.rill.nn.GradientClipping;
import io.rill.lstm.CharModelMetrics;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The parameter server of one character model. Workers push the gradient of every chunk they train, without
 * waiting for an answer; the server clips it, applies Adam and moves the version on. Workers pull a copy of the
 * parameters every few steps, and generators a copy with the data they sample against. A gradient computed on a
 * copy more than {@code max-staleness} versions old is refused and counted.
 *
 * <p>It is also the model's single owner of everything that must stay in step with the parameters' shape or that
 * a checkpoint of the model must hold: the character vocabulary (a new character adds an embedding row, an output
 * column and their optimizer moments, all here), the set of training sequences seen (for the in-training / new
 * split of generated names) and the held-out lines.
 *
 * <p>State it owns: parameters, Adam's moments, version, vocabulary, seen sequences, held-out lines. Lost when it
 * stops: whatever happened since the last checkpoint, which holds all of it ({@link ExportState}, {@link #restore}).
 */
public final class CharModelServer extends AbstractBehavior<CharModelServer.Command> {

    public sealed interface Command extends CborSerializable {
    }

    /** Asks for the ids of {@code codePoints}, adding the new ones; a character that no longer fits gets -1. */
    public record Encode(@Ints int[] codePoints, ActorRef<Encoded> replyTo) implements Command {
    }

    public record Encoded(@Ints int[] codePoints, @Ints int[] ids) implements CborSerializable {
    }

    /**
     * Sequences a stream fed to training (for the seen set), and held-out units kept out of it: ids, each unit
     * ending with end-of-sequence, so that end-of-sequence followed by the units one after another is held-out text.
     */
    public record Observe(List<String> trainingSequences, @IntArrays List<int[]> heldOut) implements Command {
    }

    /** A chunk's gradient, computed on the parameters of {@code version}; fire and forget. */
    public record Push(LstmGradients gradients, long version, int characters, double loss) implements Command {
    }

    /** Asks for a copy of the parameters; {@code withData} adds the seen set and the held-out lines. */
    public record Pull(boolean withData, ActorRef<Snapshot> replyTo) implements Command {
    }

    /**
     * Copies of the model at {@code version}. {@code seen} and {@code heldOut} are null unless asked for; the
     * held-out list is immutable and its arrays are never written.
     */
    public record Snapshot(String model, LstmParams params, CharVocabulary vocabulary, long version,
                           long charactersTrained, SeenSequences seen, @IntArrays List<int[]> heldOut)
            implements CborSerializable {
    }

    /** An operator sets Adam's learning rate. */
    public record SetLearningRate(double rate) implements Command {
    }

    /** Asks for the server's whole state as bytes, for a checkpoint. */
    public record ExportState(ActorRef<ExportedState> replyTo) implements Command {
    }

    public record ExportedState(byte[] bytes) implements CborSerializable {
    }

    /** On a cluster: write the state to the server's own store now (a timer sends it). */
    public record SaveState() implements Command {
    }

    /** On a cluster: write the state, then stop (Cluster Sharding sends it before handing the server over). */
    public record SaveAndStop() implements Command {
    }

    /**
     * Registers {@code listener} for a snapshot with data every {@code progress.every-steps} updates. Listeners send
     * it again now and then: on a cluster the server may have restarted on another node, without them.
     */
    public record Subscribe(ActorRef<Snapshot> listener) implements Command {
    }

    private final String model;
    private final LstmSettings settings;
    private final CharModelMetrics metrics;
    private final LstmParams params;
    private final Adam adam;
    private final CharVocabulary vocabulary;
    private final Random growthRandom;
    private final SeenSequences seen;
    private final List<int[]> heldOut = new ArrayList<>();
    private final List<ActorRef<Snapshot>> listeners = new ArrayList<>();
    /** Where the server saves its own state on a cluster; null on a single node. */
    private final StateSink sink;
    private long version;
    private long charactersTrained;

    public static Behavior<Command> create(String model, LstmSettings settings, SeenSequences seen,
                                           CharModelMetrics metrics) {
        return create(model, settings, seen, metrics, null, null);
    }

    /**
     * A server that starts from {@code restored}, the bytes of an {@link ExportState} (null: afresh, with the empty
     * {@code seen} set), and saves itself to {@code sink} if not null; fails if the restored bytes are invalid.
     */
    public static Behavior<Command> create(String model, LstmSettings settings, SeenSequences seen,
                                           CharModelMetrics metrics, byte[] restored, StateSink sink) {
        return Behaviors.setup(context -> new CharModelServer(context, model, settings, seen, metrics, restored,
                sink));
    }

    /** The kind of server, for {@link Placement}. */
    public static final Placement.Kind<Command> KIND =
            new Placement.Kind<>("char-model", Command.class, new SaveState(), new SaveAndStop());

    private static final int STATE_VERSION = 1;

    private CharModelServer(ActorContext<Command> context, String model, LstmSettings settings, SeenSequences seen,
                            CharModelMetrics metrics, byte[] restored, StateSink sink) throws IOException {
        super(context);
        this.sink = sink;
        this.model = model;
        this.settings = settings;
        this.metrics = metrics;
        this.growthRandom = new Random(settings.seed() + 1);
        if (restored == null) {
            this.vocabulary = new CharVocabulary();
            this.seen = seen;
            this.params = LstmParams.initialize(settings.architecture(), vocabulary.size(), settings.seed());
            this.adam = new Adam(params.tensors(), settings.learningRate(), 0.9, 0.999, 1e-8);
        } else {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
            int format = in.readInt();
            if (format != STATE_VERSION) {
                throw new IOException("char model " + model + ": state format " + format + ", expected " + STATE_VERSION);
            }
            this.version = in.readLong();
            this.charactersTrained = in.readLong();
            this.vocabulary = CharVocabulary.readFrom(in);
            this.params = LstmParams.readFrom(in, settings.architecture(), vocabulary.size());
            this.adam = Adam.readFrom(in, params.tensors());
            adam.learningRate(settings.learningRate()); // the configured rate wins over one an operator set before
            this.seen = SeenSequences.readFrom(in);
            int units = in.readInt();
            if (units < 0 || units > settings.heldOutMaxLines()) {
                throw new IOException("char model " + model + ": " + units + " held-out units");
            }
            for (int u = 0; u < units; u++) {
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw new IOException("char model " + model + ": held-out unit of " + length + " ids");
                }
                int[] unit = new int[length];
                for (int i = 0; i < length; i++) {
                    unit[i] = in.readInt();
                }
                heldOut.add(unit);
            }
            metrics.restored(version, charactersTrained);
        }
        metrics.vocabularySize(vocabulary.size());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Encode.class, this::onEncode)
                .onMessage(Observe.class, this::onObserve)
                .onMessage(Push.class, this::onPush)
                .onMessage(Pull.class, this::onPull)
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(ExportState.class, this::onExportState)
                .onMessage(SetLearningRate.class, this::onSetLearningRate)
                .onMessage(SaveState.class, this::onSaveState)
                .onMessage(SaveAndStop.class, this::onSaveAndStop)
                .build();
    }

    private Behavior<Command> onEncode(Encode encode) {
        int[] ids = new int[encode.codePoints().length];
        int sizeBefore = vocabulary.size();
        for (int i = 0; i < ids.length; i++) {
            int codePoint = encode.codePoints()[i];
            ids[i] = vocabulary.contains(codePoint) || vocabulary.size() < settings.maxVocabulary()
                    ? VocabularyGrowth.addCharacter(codePoint, vocabulary, params, null, adam, growthRandom)
                    : -1;
        }
        metrics.vocabularySize(vocabulary.size());
        if (sink != null && vocabulary.size() > sizeBefore) {
            // Streams keep the ids they are given: on a cluster, a server restored elsewhere must know them all.
            sink.saveNow(stateBytes());
        }
        encode.replyTo().tell(new Encoded(encode.codePoints(), ids));
        return this;
    }

    private Behavior<Command> onObserve(Observe observe) {
        for (String sequence : observe.trainingSequences()) {
            seen.add(sequence);
        }
        for (int[] line : observe.heldOut()) {
            if (heldOut.size() >= settings.heldOutMaxLines()) {
                break;
            }
            heldOut.add(line);
        }
        return this;
    }

    private Behavior<Command> onPush(Push push) {
        long staleness = version - push.version();
        if (staleness > settings.maxStaleness()) {
            metrics.refusedStale(staleness);
            return this;
        }
        LstmGradients gradients = push.gradients();
        if (!gradients.config().equals(params.config()) || gradients.vocabularySize() > params.vocabularySize()) {
            // Another node's model of another shape (its configuration differs from this one's).
            metrics.refusedMisshapen();
            getContext().getLog().warn("char model {}: refused a gradient of {} with {} characters, the model is {} "
                    + "with {}", model, gradients.config(), gradients.vocabularySize(), params.config(),
                    params.vocabularySize());
            return this;
        }
        // Computed before the vocabulary last grew: the new characters' rows get no gradient from it.
        while (gradients.vocabularySize() < params.vocabularySize()) {
            gradients.growVocabulary();
        }
        GradientClipping.clipGlobalNorm(gradients.tensors(), settings.gradientClip());
        adam.step(params.tensors(), gradients.tensors());
        version++;
        charactersTrained += push.characters();
        metrics.applied(version, staleness, push.characters(), push.loss());
        if (settings.progressEverySteps() > 0 && version % settings.progressEverySteps() == 0) {
            for (ActorRef<Snapshot> listener : listeners) {
                listener.tell(snapshot(true));
            }
        }
        return this;
    }

    private Behavior<Command> onPull(Pull pull) {
        metrics.pulled();
        pull.replyTo().tell(snapshot(pull.withData()));
        return this;
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        if (!listeners.contains(subscribe.listener())) { // listeners subscribe again now and then: see below
            listeners.add(subscribe.listener());
        }
        return this;
    }

    private Behavior<Command> onSetLearningRate(SetLearningRate set) {
        adam.learningRate(set.rate());
        getContext().getLog().info("char model {}: learning rate set to {} by an operator", model, set.rate());
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
        getContext().getLog().info("char model {}: state saved at version {}, handing over", model, version);
        return Behaviors.stopped();
    }

    private byte[] stateBytes() {
        return StateFormat.toBytes(out -> {
            out.writeInt(STATE_VERSION);
            out.writeLong(version);
            out.writeLong(charactersTrained);
            vocabulary.writeTo(out);
            params.writeTo(out);
            adam.writeTo(out);
            seen.writeTo(out);
            out.writeInt(heldOut.size());
            for (int[] unit : heldOut) {
                out.writeInt(unit.length);
                for (int id : unit) {
                    out.writeInt(id);
                }
            }
        });
    }

    private Snapshot snapshot(boolean withData) {
        return new Snapshot(model, params.copy(), vocabulary.copy(), version, charactersTrained,
                withData ? seen.copy() : null, withData ? List.copyOf(heldOut) : null);
    }
}
