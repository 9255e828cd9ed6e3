package io.rill.skipgram;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.checkpoint.StateSink;
import io.rill.wire.BinaryArrays.IntArrays;
import io.rill.wire.BinaryArrays.Longs;
import io.rill.wire.CborSerializable;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.ps.Placement;
import io.rill.state.StateFormat;
import java.util.List;

/**
 * The one vocabulary of the node's word streams: turns each stream's words into ids, counts them, decides which
 * occurrences subsampling keeps, and hands out the current negative-sampling table and learning rate with every
 * answer. Ids index the parameter server's rows, so there must be exactly one owner of the mapping.
 *
 * <p>State it owns: a {@link VocabularyState}, that is the {@link Vocabulary} (ids, counts, eviction), the
 * {@link NegativeSampler}'s table, the subsampling generator. Lost when it stops: all of it, and with it the meaning
 * of every row id, unless it is started again from a state written to a checkpoint.
 */
public final class VocabularyActor extends AbstractBehavior<VocabularyActor.Command> {

    public sealed interface Command extends CborSerializable {
    }

    /** A batch of one stream's words, line by line (a line is a document). */
    public record Observe(List<String[]> lines, ActorRef<Observed> replyTo) implements Command {
    }

    /**
     * The ids of the kept, trainable occurrences, line by line, with what the workers need to train on them: the
     * current negative table and learning rate.
     */
    public record Observed(@IntArrays List<int[]> lines, AliasTable negatives, float learningRate)
            implements CborSerializable {
    }

    /** Asks for the words of every trainable id, for a query snapshot. */
    public record GetWords(ActorRef<Words> replyTo) implements Command {
    }

    /** An operator sets the learning rate: the schedule starts again from {@code initial}. */
    public record SetLearningRate(float initial) implements Command {
    }

    /** On a cluster: write the state to the actor's own store now (a timer sends it). */
    public record SaveState() implements Command {
    }

    /** On a cluster: write the state, then stop (Cluster Sharding sends it before handing the actor over). */
    public record SaveAndStop() implements Command {
    }

    /** Asks for the actor's whole state as bytes, for a checkpoint. */
    public record ExportState(ActorRef<ExportedState> replyTo) implements Command {
    }

    public record ExportedState(byte[] bytes) implements CborSerializable {
    }

    /**
     * {@code words[id]} is the word of a trainable id, null for other ids, {@code counts[id]} its count;
     * {@code tokensSeen} dates it.
     */
    public record Words(String[] words, @Longs long[] counts, long tokensSeen) implements CborSerializable {
    }

    private final VocabularyState state;
    private final SkipGramMetrics metrics;
    /** Where the actor saves its own state on a cluster; null on a single node. */
    private final StateSink sink;

    public static Behavior<Command> create(SkipGramSettings settings, SkipGramMetrics metrics) {
        return Behaviors.setup(context -> new VocabularyActor(context, new VocabularyState(settings), metrics, null));
    }

    /**
     * An actor that starts from {@code state}, say one restored from a checkpoint, and owns it from then on: nothing
     * else may use it.
     */
    public static Behavior<Command> create(VocabularyState state, SkipGramMetrics metrics) {
        return create(state, metrics, null);
    }

    /** As {@link #create(VocabularyState, SkipGramMetrics)}, saving its own state to {@code sink} on a cluster. */
    public static Behavior<Command> create(VocabularyState state, SkipGramMetrics metrics, StateSink sink) {
        return Behaviors.setup(context -> new VocabularyActor(context, state, metrics, sink));
    }

    /** The kind of server, for {@link Placement}. */
    public static final Placement.Kind<Command> KIND =
            new Placement.Kind<>("skipgram-vocabulary", Command.class, new SaveState(), new SaveAndStop());

    private VocabularyActor(ActorContext<Command> context, VocabularyState state, SkipGramMetrics metrics,
                            StateSink sink) {
        super(context);
        this.state = state;
        this.metrics = metrics;
        this.sink = sink;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Observe.class, this::onObserve)
                .onMessage(GetWords.class, this::onGetWords)
                .onMessage(ExportState.class, this::onExportState)
                .onMessage(SaveState.class, this::onSaveState)
                .onMessage(SaveAndStop.class, this::onSaveAndStop)
                .onMessage(SetLearningRate.class, this::onSetLearningRate)
                .build();
    }

    private Behavior<Command> onObserve(Observe observe) {
        VocabularyState.Observation observed = state.observe(observe.lines());
        Vocabulary vocabulary = state.vocabulary();
        float lr = state.learningRate();
        metrics.tokens(observed.seen(), observed.trainable(), observed.kept());
        metrics.vocabulary(vocabulary.size(), vocabulary.trainableCount(), vocabulary.evictedWords(), lr);
        observe.replyTo().tell(new Observed(observed.lines(), state.negatives(), lr));
        return this;
    }

    private Behavior<Command> onGetWords(GetWords get) {
        Vocabulary vocabulary = state.vocabulary();
        String[] words = new String[vocabulary.idLimit()];
        long[] counts = new long[words.length];
        for (int id = 0; id < words.length; id++) {
            if (vocabulary.isTrainable(id)) {
                words[id] = vocabulary.word(id);
                counts[id] = vocabulary.count(id);
            }
        }
        get.replyTo().tell(new Words(words, counts, vocabulary.totalTokens()));
        return this;
    }

    private Behavior<Command> onSetLearningRate(SetLearningRate set) {
        state.restartLearningRate(set.initial());
        getContext().getLog().info("skip-gram learning rate set to {} by an operator", set.initial());
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
        getContext().getLog().info("skip-gram vocabulary: state saved, handing over");
        return Behaviors.stopped();
    }

    private byte[] stateBytes() {
        return StateFormat.toBytes(state::writeTo);
    }
}
