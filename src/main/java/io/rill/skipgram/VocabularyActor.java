package io.rill.skipgram;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.ops.SkipGramMetrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one vocabulary of the node's word streams: turns each stream's words into ids, counts them, decides which
 * occurrences subsampling keeps, and hands out the current negative-sampling table and learning rate with every
 * answer. Ids index the parameter server's rows, so there must be exactly one owner of the mapping.
 *
 * <p>State it owns: the {@link Vocabulary} (ids, counts, eviction), the {@link NegativeSampler}'s table, the
 * subsampling generator. Lost when it stops: all of it, and with it the meaning of every row id (checkpoints come
 * with the reliability work).
 */
public final class VocabularyActor extends AbstractBehavior<VocabularyActor.Command> {

    public sealed interface Command {
    }

    /** A batch of one stream's words, line by line (a line is a document). */
    public record Observe(List<String[]> lines, ActorRef<Observed> replyTo) implements Command {
    }

    /**
     * The ids of the kept, trainable occurrences, line by line, with what the workers need to train on them: the
     * current negative table and learning rate.
     */
    public record Observed(List<int[]> lines, AliasTable negatives, float learningRate) {
    }

    /** Asks for the words of every trainable id, for a query snapshot. */
    public record GetWords(ActorRef<Words> replyTo) implements Command {
    }

    /**
     * {@code words[id]} is the word of a trainable id, null for other ids, {@code counts[id]} its count;
     * {@code tokensSeen} dates it.
     */
    public record Words(String[] words, long[] counts, long tokensSeen) {
    }

    private final Vocabulary vocabulary;
    private final Subsampler subsampler;
    private final NegativeSampler negativeSampler;
    private final LearningRate learningRate;
    private final SplitMix64 random;
    private final SkipGramMetrics metrics;

    public static Behavior<Command> create(SkipGramSettings settings, SkipGramMetrics metrics) {
        return Behaviors.setup(context -> new VocabularyActor(context, settings, metrics));
    }

    private VocabularyActor(ActorContext<Command> context, SkipGramSettings settings, SkipGramMetrics metrics) {
        super(context);
        this.vocabulary = new Vocabulary(settings.vocabularyCapacity(), settings.minCount());
        this.subsampler = new Subsampler(settings.sample());
        this.negativeSampler = new NegativeSampler(settings.negativeTableRebuildTokens());
        this.learningRate = settings.learningRate();
        this.random = new SplitMix64(settings.seed() * 0x9E3779B97F4A7C15L + 17);
        this.metrics = metrics;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Observe.class, this::onObserve)
                .onMessage(GetWords.class, this::onGetWords)
                .build();
    }

    private Behavior<Command> onObserve(Observe observe) {
        List<int[]> kept = new ArrayList<>(observe.lines().size());
        long seen = 0;
        long trainable = 0;
        long keptTokens = 0;
        int[] buffer = new int[64];
        for (String[] line : observe.lines()) {
            if (buffer.length < line.length) {
                buffer = new int[line.length];
            }
            int n = 0;
            for (String word : line) {
                int id = vocabulary.observe(word);
                seen++;
                if (id == Vocabulary.NONE || !vocabulary.isTrainable(id)) {
                    continue;
                }
                trainable++;
                if (subsampler.keep(vocabulary.count(id), vocabulary.totalTokens(), random)) {
                    buffer[n++] = id;
                }
            }
            keptTokens += n;
            kept.add(Arrays.copyOf(buffer, n));
        }
        negativeSampler.refresh(vocabulary);
        float lr = learningRate.at(vocabulary.totalTokens());
        metrics.tokens(seen, trainable, keptTokens);
        metrics.vocabulary(vocabulary.size(), vocabulary.trainableCount(), vocabulary.evictedWords(), lr);
        observe.replyTo().tell(new Observed(kept, negativeSampler.table(), lr));
        return this;
    }

    private Behavior<Command> onGetWords(GetWords get) {
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
}
