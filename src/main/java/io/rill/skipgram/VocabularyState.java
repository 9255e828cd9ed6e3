package io.rill.skipgram;

import io.rill.state.StateFormat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything the {@link VocabularyActor} holds, as a plain object the actor delegates to: the {@link Vocabulary}
 * (ids, counts, eviction), the {@link NegativeSampler} (the current table and when to rebuild it) and the generator
 * of subsampling's draws. Subsampling's threshold and the learning rate are configuration; the rate depends only on
 * the vocabulary's token count.
 *
 * <p>Being plain, it can be written to a checkpoint with {@link #writeTo} and restored with {@link #readFrom}, and
 * the restored state observes every later batch exactly as the original would have. Not thread-safe: one actor
 * owns it.
 */
public final class VocabularyState {

    /**
     * The ids of one batch's kept, trainable occurrences, line by line, and how many tokens it saw, found trainable
     * and kept.
     */
    public record Observation(List<int[]> lines, long seen, long trainable, long kept) {
    }

    private static final int FORMAT = 1; // of writeTo's data

    private final Vocabulary vocabulary;
    private final Subsampler subsampler;
    private final NegativeSampler negativeSampler;
    private LearningRate learningRate;
    /** Tokens seen when an operator last set the rate; the schedule runs from there. */
    private long learningRateFrom;
    private final SplitMix64 random;

    /** A fresh state: nothing seen yet. */
    public VocabularyState(SkipGramSettings settings) {
        this(settings, new Vocabulary(settings.vocabularyCapacity(), settings.minCount(),
                        Math.max(1, settings.vocabularyCapacity() / 8), settings.minCountHorizon()),
                new NegativeSampler(settings.negativeTableRebuildTokens()),
                new SplitMix64(settings.seed() * 0x9E3779B97F4A7C15L + 17));
    }

    private VocabularyState(SkipGramSettings settings, Vocabulary vocabulary, NegativeSampler negativeSampler,
                            SplitMix64 random) {
        this.vocabulary = vocabulary;
        this.subsampler = new Subsampler(settings.sample());
        this.negativeSampler = negativeSampler;
        this.learningRate = settings.learningRate();
        this.random = random;
    }

    /** Counts a batch's words, keeps the trainable occurrences subsampling keeps, then rebuilds the negatives if due. */
    public Observation observe(List<String[]> lines) {
        List<int[]> kept = new ArrayList<>(lines.size());
        long seen = 0;
        long trainable = 0;
        long keptTokens = 0;
        int[] buffer = new int[64];
        for (String[] line : lines) {
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
        return new Observation(kept, seen, trainable, keptTokens);
    }

    /** The current negative-sampling table, immutable. */
    public AliasTable negatives() {
        return negativeSampler.table();
    }

    /** The learning rate for the tokens seen so far. */
    /**
     * An operator's new rate: the schedule starts again from {@code initial} at the tokens seen so far, with the
     * same decay, its floor lowered to {@code initial} if it was above. Not kept in checkpoints: a restarted node
     * goes back to the configured schedule.
     */
    public void restartLearningRate(float initial) {
        learningRate = new LearningRate(initial, learningRate.decayTokens(), Math.min(learningRate.floor(), initial),
                learningRate.shape());
        learningRateFrom = vocabulary.totalTokens();
    }

    public float learningRate() {
        return learningRate.at(vocabulary.totalTokens() - learningRateFrom);
    }

    /** The vocabulary itself, for reading: changing it behind this object's back would desynchronise the sampler. */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Writes the vocabulary, the sampler and the generator; {@link #readFrom} restores them. */
    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        vocabulary.writeTo(out);
        negativeSampler.writeTo(out);
        random.writeTo(out);
    }

    /**
     * Restores a state written by {@link #writeTo} under {@code settings}, the configuration it is to run with; a
     * vocabulary written with another capacity or min count is refused (see {@link Vocabulary#readFrom}).
     */
    public static VocabularyState readFrom(DataInput in, SkipGramSettings settings) throws IOException {
        StateFormat.readVersion(in, "vocabulary state", FORMAT);
        Vocabulary vocabulary = Vocabulary.readFrom(in, settings.vocabularyCapacity(), settings.minCount(),
                settings.minCountHorizon());
        NegativeSampler sampler = NegativeSampler.readFrom(in, settings.negativeTableRebuildTokens(), vocabulary);
        SplitMix64 random = SplitMix64.readFrom(in);
        return new VocabularyState(settings, vocabulary, sampler, random);
    }
}
