package io.rill.translate;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.rill.ps.ParameterServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A copy of an attention model that fits together: its parameters at {@code version} and the vocabularies they go
 * with, and the held-out pairs. What translators answer requests from and progress reports measure; never written by
 * anyone (each reader decodes with a {@link Decoding} of its own).
 */
public record TranslatorView(String model, TranslatorParams params, WordVocabulary source, WordVocabulary target,
                             long version, long pairsTrained, List<HeldOutPair> heldOut) {

    /** How often the parameters are asked again when they lag the vocabularies (a growth still on its way). */
    private static final int ATTEMPTS = 20;

    /** Asks the model's data, then its parameters, again until they cover the data's vocabularies. */
    public static CompletionStage<TranslatorView> ask(ActorSystem<?> system, String model, TranslatorConfig config,
                                                      ActorRef<ParameterServer.Command> parameters,
                                                      ActorRef<TranslatorData.Command> data, Duration timeout) {
        return AskPattern.<TranslatorData.Command, TranslatorData.Data>ask(data, TranslatorData.GetData::new, timeout,
                system.scheduler()).thenCompose(got -> matching(system, model, config, parameters, got, timeout,
                ATTEMPTS));
    }

    private static CompletionStage<TranslatorView> matching(ActorSystem<?> system, String model,
                                                            TranslatorConfig config,
                                                            ActorRef<ParameterServer.Command> parameters,
                                                            TranslatorData.Data data, Duration timeout,
                                                            int attempts) {
        return AskPattern.<ParameterServer.Command, ParameterServer.Snapshot>ask(parameters,
                ParameterServer.Pull::new, timeout, system.scheduler()).thenCompose(snapshot -> {
            TranslatorParams params = TranslatorParams.wrap(config, snapshot.params());
            boolean covers = params.sourceSize() >= data.sourceWords().size() + WordVocabulary.SPECIALS
                    && params.targetSize() >= data.targetWords().size() + WordVocabulary.SPECIALS;
            if (!covers && attempts > 1) {
                return matching(system, model, config, parameters, data, timeout, attempts - 1);
            }
            return java.util.concurrent.CompletableFuture.completedFuture(new TranslatorView(model, params,
                    data.source(), data.target(), snapshot.version(), snapshot.examples(), data.heldOut()));
        });
    }

    /** Whether the model has learned from anything yet. */
    public boolean trained() {
        return version > 0;
    }

    /** The ids of {@code words}: the unknown-word id for a word the model has no row for. */
    public int[] sourceIds(List<String> words) {
        int[] ids = new int[words.size()];
        for (int i = 0; i < ids.length; i++) {
            int id = source.idOf(words.get(i));
            ids[i] = id < params.sourceSize() ? id : WordVocabulary.UNK;
        }
        return ids;
    }

    /** The word of a target id ({@code <unk>} for one the vocabulary copy is too old to name). */
    public String targetWord(int id) {
        return id < target.size() ? target.word(id) : target.word(WordVocabulary.UNK);
    }

    /** Translates {@code words} with {@code decoding}: greedy for a beam of 1, beam search otherwise. */
    public TranslatedSentence translate(Decoding decoding, List<String> words, int beam, int maxLength) {
        int[] ids = sourceIds(words);
        Set<String> unknown = new LinkedHashSet<>();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == WordVocabulary.UNK) {
                unknown.add(words.get(i));
            }
        }
        Translation t = beam == 1 ? decoding.greedy(params, ids, maxLength)
                : decoding.beam(params, ids, beam, maxLength);
        List<String> target = new ArrayList<>(t.words().length);
        for (int id : t.words()) {
            target.add(targetWord(id));
        }
        return new TranslatedSentence(List.copyOf(words), List.copyOf(unknown), target, t.logProbability(),
                t.ended(), t.attention());
    }
}
