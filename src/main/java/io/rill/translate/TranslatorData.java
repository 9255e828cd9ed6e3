package io.rill.translate;

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
import io.rill.wire.BinaryArrays.Ints;
import io.rill.wire.CborSerializable;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What an attention model keeps beside its parameters: the source and target vocabularies (ids index the
 * parameters' rows and columns, so there must be exactly one owner of each mapping) and the held-out pairs. A word
 * seen for the first time gets the next id of its side, up to {@code max-vocabulary} ids a side (beyond, it reads as
 * the unknown word), and the parameter server is told to grow that side's group to match (a new embedding row and,
 * for the target, an output column, with their optimizer state); it is told again at start, in case the last growth
 * did not reach its saved state.
 *
 * <p>State it owns: both vocabularies and the held-out pairs. Lost when it stops: whatever happened since the last
 * checkpoint (or, on a cluster, its last save; it saves whenever a vocabulary grows, since streams keep the ids they
 * were given).
 */
public final class TranslatorData extends AbstractBehavior<TranslatorData.Command> {

    public sealed interface Command extends CborSerializable {
    }

    /** Asks for the ids of words of each side, adding the new ones. */
    public record Encode(List<String> source, List<String> target, ActorRef<Encoded> replyTo) implements Command {
    }

    /** The ids of the words asked, in the order asked ({@link WordVocabulary#UNK} for a word that no longer fits). */
    public record Encoded(List<String> source, @Ints int[] sourceIds, List<String> target, @Ints int[] targetIds)
            implements CborSerializable {
    }

    /** Pairs a stream kept out of training. */
    public record HoldOut(List<HeldOutPair> pairs) implements Command {
    }

    /** Asks for a copy of the data. */
    public record GetData(ActorRef<Data> replyTo) implements Command {
    }

    /** The words of both vocabularies after the fixed ids, in id order, and the held-out pairs. */
    public record Data(List<String> sourceWords, List<String> targetWords, List<HeldOutPair> heldOut)
            implements CborSerializable {

        public WordVocabulary source() {
            return vocabulary(sourceWords);
        }

        public WordVocabulary target() {
            return vocabulary(targetWords);
        }

        private static WordVocabulary vocabulary(List<String> words) {
            WordVocabulary vocabulary = new WordVocabulary();
            words.forEach(word -> vocabulary.add(word, Integer.MAX_VALUE));
            return vocabulary;
        }
    }

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

    public static final Placement.Kind<Command> KIND =
            new Placement.Kind<>("translator-data", Command.class, new SaveState(), new SaveAndStop());

    private static final int STATE_VERSION = 1;

    private final String model;
    private final TranslatorSettings settings;
    private final TranslatorMetrics metrics;
    private final ActorRef<ParameterServer.Command> parameters;
    private final WordVocabulary source;
    private final WordVocabulary target;
    private final List<HeldOutPair> heldOut = new ArrayList<>();
    private final StateSink sink;

    public static Behavior<Command> create(String model, TranslatorSettings settings,
                                           ActorRef<ParameterServer.Command> parameters, TranslatorMetrics metrics,
                                           byte[] restored, StateSink sink) {
        return Behaviors.setup(context -> new TranslatorData(context, model, settings, parameters, metrics, restored,
                sink));
    }

    private TranslatorData(ActorContext<Command> context, String model, TranslatorSettings settings,
                           ActorRef<ParameterServer.Command> parameters, TranslatorMetrics metrics, byte[] restored,
                           StateSink sink) throws IOException {
        super(context);
        this.model = model;
        this.settings = settings;
        this.metrics = metrics;
        this.parameters = parameters;
        this.sink = sink;
        if (restored == null) {
            source = new WordVocabulary();
            target = new WordVocabulary();
        } else {
            String what = "translator " + model + " data";
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
            StateFormat.readVersion(in, what, STATE_VERSION);
            int limit = Math.max(settings.maxVocabulary(), WordVocabulary.SPECIALS);
            source = WordVocabulary.readFrom(in, Integer.MAX_VALUE, what + " source vocabulary");
            target = WordVocabulary.readFrom(in, Integer.MAX_VALUE, what + " target vocabulary");
            int pairs = StateFormat.readInt(in, 0, Integer.MAX_VALUE, what + " held-out pairs");
            for (int p = 0; p < pairs; p++) {
                heldOut.add(new HeldOutPair(readWords(in, what), readWords(in, what)));
            }
            if (source.size() > limit || target.size() > limit) {
                context.getLog().warn("translator {}: restored vocabularies of {} and {} ids, more than"
                        + " max-vocabulary {} (kept; no word is added)", model, source.size(), target.size(), limit);
            }
        }
        metrics.vocabularySizes(source.size(), target.size());
        metrics.heldOutPairs(heldOut.size());
        parameters.tell(new ParameterServer.Grow(TranslatorParams.SOURCE, source.size()));
        parameters.tell(new ParameterServer.Grow(TranslatorParams.TARGET, target.size()));
    }

    private static List<String> readWords(DataInputStream in, String what) throws IOException {
        int n = StateFormat.readInt(in, 0, 100_000, what + " held-out words");
        List<String> words = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            words.add(in.readUTF());
        }
        return words;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Encode.class, this::onEncode)
                .onMessage(HoldOut.class, this::onHoldOut)
                .onMessage(GetData.class, this::onGetData)
                .onMessage(ExportState.class, this::onExportState)
                .onMessage(SaveState.class, this::onSaveState)
                .onMessage(SaveAndStop.class, this::onSaveAndStop)
                .build();
    }

    private Behavior<Command> onEncode(Encode encode) {
        int sourceBefore = source.size();
        int targetBefore = target.size();
        int[] sourceIds = ids(source, encode.source());
        int[] targetIds = ids(target, encode.target());
        boolean grew = false;
        if (source.size() > sourceBefore) {
            // Before the answer: the ids' rows exist by the time a worker trains on them (it pulls until they do).
            parameters.tell(new ParameterServer.Grow(TranslatorParams.SOURCE, source.size()));
            grew = true;
        }
        if (target.size() > targetBefore) {
            parameters.tell(new ParameterServer.Grow(TranslatorParams.TARGET, target.size()));
            grew = true;
        }
        if (grew) {
            metrics.vocabularySizes(source.size(), target.size());
            if (sink != null) {
                sink.saveNow(stateBytes()); // streams keep the ids they are given
            }
        }
        encode.replyTo().tell(new Encoded(encode.source(), sourceIds, encode.target(), targetIds));
        return this;
    }

    private int[] ids(WordVocabulary vocabulary, List<String> words) {
        int[] ids = new int[words.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocabulary.add(words.get(i), settings.maxVocabulary());
        }
        return ids;
    }

    private Behavior<Command> onHoldOut(HoldOut holdOut) {
        for (HeldOutPair pair : holdOut.pairs()) {
            if (heldOut.size() >= settings.heldOutMaxPairs()) {
                break;
            }
            heldOut.add(pair);
        }
        metrics.heldOutPairs(heldOut.size());
        return this;
    }

    private Behavior<Command> onGetData(GetData get) {
        get.replyTo().tell(new Data(words(source), words(target), List.copyOf(heldOut)));
        return this;
    }

    private static List<String> words(WordVocabulary vocabulary) {
        List<String> words = new ArrayList<>(vocabulary.size() - WordVocabulary.SPECIALS);
        for (int id = WordVocabulary.SPECIALS; id < vocabulary.size(); id++) {
            words.add(vocabulary.word(id));
        }
        return words;
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
        getContext().getLog().info("translator {}: data saved ({} source and {} target ids), handing over", model,
                source.size(), target.size());
        return Behaviors.stopped();
    }

    private byte[] stateBytes() {
        return StateFormat.toBytes(out -> {
            StateFormat.writeVersion(out, STATE_VERSION);
            source.writeTo(out);
            target.writeTo(out);
            out.writeInt(heldOut.size());
            for (HeldOutPair pair : heldOut) {
                for (List<String> side : List.of(pair.source(), pair.target())) {
                    out.writeInt(side.size());
                    for (String word : side) {
                        out.writeUTF(word);
                    }
                }
            }
        });
    }
}
