package io.rill.lstm;

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
import io.rill.wire.BinaryArrays.IntArrays;
import io.rill.wire.BinaryArrays.Ints;
import io.rill.wire.CborSerializable;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a character model keeps beside its parameters: the character vocabulary (ids index the parameters' rows, so
 * there must be exactly one owner of the mapping), the set of training sequences seen (for the in-training / new
 * split of generated names) and the held-out lines. A character seen for the first time gets the next id, and the
 * model's parameter server is told to grow its vocabulary group to match (a new embedding row, output column and
 * their optimizer state, all there); it is told again at start, in case the last growth did not reach its saved
 * state.
 *
 * <p>State it owns: vocabulary, seen sequences, held-out lines. Lost when it stops: whatever happened since the last
 * checkpoint (or, on a cluster, its last save; it saves whenever the vocabulary grows, since streams keep the ids
 * they were given).
 */
public final class CharModelData extends AbstractBehavior<CharModelData.Command> {

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

    /** Asks for a copy of the data; {@code withSeen} adds the seen set (as large as the parameters). */
    public record GetData(boolean withSeen, ActorRef<Data> replyTo) implements Command {
    }

    /** Copies of the vocabulary, the seen set (null unless asked for) and the held-out lines (immutable). */
    public record Data(CharVocabulary vocabulary, SeenSequences seen, @IntArrays List<int[]> heldOut)
            implements CborSerializable {
    }

    /** Asks for the whole state as bytes, for a checkpoint. */
    public record ExportState(ActorRef<ExportedState> replyTo) implements Command {
    }

    public record ExportedState(byte[] bytes) implements CborSerializable {
    }

    /** On a cluster: write the state to the actor's own store now (a timer sends it). */
    public record SaveState() implements Command {
    }

    /** On a cluster: write the state, then stop (Cluster Sharding sends it before handing the actor over). */
    public record SaveAndStop() implements Command {
    }

    /** The kind of server, for {@link Placement}. */
    public static final Placement.Kind<Command> KIND =
            new Placement.Kind<>("char-data", Command.class, new SaveState(), new SaveAndStop());

    private static final int STATE_VERSION = 1;

    private final String model;
    private final LstmSettings settings;
    private final CharModelMetrics metrics;
    private final ActorRef<ParameterServer.Command> parameters;
    private final CharVocabulary vocabulary;
    private final SeenSequences seen;
    private final List<int[]> heldOut = new ArrayList<>();
    /** Where the actor saves its own state on a cluster; null on a single node. */
    private final StateSink sink;

    /**
     * The data of {@code model}, from {@code restored} (the bytes of an {@link ExportState}; null: afresh, with the
     * empty {@code seen} set), telling {@code parameters} how large the vocabulary is; fails if the bytes are invalid.
     */
    public static Behavior<Command> create(String model, LstmSettings settings, SeenSequences seen,
                                           ActorRef<ParameterServer.Command> parameters, CharModelMetrics metrics,
                                           byte[] restored, StateSink sink) {
        return Behaviors.setup(context -> new CharModelData(context, model, settings, seen, parameters, metrics,
                restored, sink));
    }

    private CharModelData(ActorContext<Command> context, String model, LstmSettings settings, SeenSequences seen,
                          ActorRef<ParameterServer.Command> parameters, CharModelMetrics metrics, byte[] restored,
                          StateSink sink) throws IOException {
        super(context);
        this.model = model;
        this.settings = settings;
        this.metrics = metrics;
        this.parameters = parameters;
        this.sink = sink;
        if (restored == null) {
            this.vocabulary = new CharVocabulary();
            this.seen = seen;
        } else {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
            StateFormat.readVersion(in, "char model " + model + " data", STATE_VERSION);
            this.vocabulary = CharVocabulary.readFrom(in);
            this.seen = SeenSequences.readFrom(in);
            int units = StateFormat.readInt(in, 0, settings.heldOutMaxLines(), "char model " + model + " held-out units");
            for (int u = 0; u < units; u++) {
                heldOut.add(StateFormat.readInts(in, restored.length, "held-out unit"));
            }
        }
        metrics.vocabularySize(vocabulary.size());
        parameters.tell(new ParameterServer.Grow(LstmTensors.VOCABULARY, vocabulary.size()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Encode.class, this::onEncode)
                .onMessage(Observe.class, this::onObserve)
                .onMessage(GetData.class, this::onGetData)
                .onMessage(ExportState.class, this::onExportState)
                .onMessage(SaveState.class, this::onSaveState)
                .onMessage(SaveAndStop.class, this::onSaveAndStop)
                .build();
    }

    private Behavior<Command> onEncode(Encode encode) {
        int[] ids = new int[encode.codePoints().length];
        int sizeBefore = vocabulary.size();
        for (int i = 0; i < ids.length; i++) {
            int codePoint = encode.codePoints()[i];
            ids[i] = vocabulary.contains(codePoint) ? vocabulary.idOf(codePoint)
                    : vocabulary.size() < settings.maxVocabulary() ? vocabulary.add(codePoint) : -1;
        }
        if (vocabulary.size() > sizeBefore) {
            metrics.vocabularySize(vocabulary.size());
            // Before the answer: the ids' rows exist by the time a worker trains on them (it pulls until they do).
            parameters.tell(new ParameterServer.Grow(LstmTensors.VOCABULARY, vocabulary.size()));
            if (sink != null) {
                // Streams keep the ids they are given: on a cluster, the data restored elsewhere must know them all.
                sink.saveNow(stateBytes());
            }
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

    private Behavior<Command> onGetData(GetData get) {
        get.replyTo().tell(new Data(vocabulary.copy(), get.withSeen() ? seen.copy() : null, List.copyOf(heldOut)));
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
        getContext().getLog().info("char model {}: data saved ({} characters), handing over", model,
                vocabulary.size());
        return Behaviors.stopped();
    }

    private byte[] stateBytes() {
        return StateFormat.toBytes(out -> {
            StateFormat.writeVersion(out, STATE_VERSION);
            vocabulary.writeTo(out);
            seen.writeTo(out);
            out.writeInt(heldOut.size());
            for (int[] unit : heldOut) {
                StateFormat.writeInts(out, unit, 0, unit.length);
            }
        });
    }
}
