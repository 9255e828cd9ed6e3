package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.rill.ps.ParameterServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A copy of a character model that fits together: its parameters at {@code version} and the data they go with (the
 * vocabulary of exactly as many characters, the seen set when asked for, the held-out lines). What generators sample
 * from and progress reports measure; never written by anyone.
 */
public record CharModelView(String model, LstmParams params, CharVocabulary vocabulary, long version,
                            long charactersTrained, SeenSequences seen, List<int[]> heldOut) {

    /** How often the parameters are asked again when they lag the vocabulary (a growth still on its way). */
    private static final int ATTEMPTS = 20;

    /** Asks the model's data, then its parameters, again until they have the data's vocabulary. */
    public static CompletionStage<CharModelView> ask(ActorSystem<?> system, LstmConfig config,
                                                     ActorRef<ParameterServer.Command> parameters,
                                                     ActorRef<CharModelData.Command> data, boolean withSeen,
                                                     Duration timeout) {
        return AskPattern.<CharModelData.Command, CharModelData.Data>ask(data,
                replyTo -> new CharModelData.GetData(withSeen, replyTo), timeout, system.scheduler())
                .thenCompose(got -> matching(system, config, parameters, got, timeout, ATTEMPTS));
    }

    /** The parameters of {@code data}'s vocabulary, with that data. */
    public static CompletionStage<CharModelView> of(ParameterServer.Snapshot snapshot, CharModelData.Data data,
                                                    LstmConfig config) {
        LstmParams params = LstmParams.wrap(config, snapshot.params());
        if (params.vocabularySize() != data.vocabulary().size()) {
            return CompletableFuture.failedFuture(new IllegalStateException("model " + snapshot.server()
                    + ": parameters of " + params.vocabularySize() + " characters, vocabulary of "
                    + data.vocabulary().size()));
        }
        return CompletableFuture.completedFuture(new CharModelView(snapshot.server(), params, data.vocabulary(),
                snapshot.version(), snapshot.examples(), data.seen(), data.heldOut()));
    }

    private static CompletionStage<CharModelView> matching(ActorSystem<?> system, LstmConfig config,
                                                           ActorRef<ParameterServer.Command> parameters,
                                                           CharModelData.Data data, Duration timeout, int attempts) {
        return AskPattern.<ParameterServer.Command, ParameterServer.Snapshot>ask(parameters,
                ParameterServer.Pull::new, timeout, system.scheduler()).thenCompose(snapshot -> {
            int size = (int) snapshot.params().get(LstmTensors.EMBEDDING).rows();
            if (size < data.vocabulary().size() && attempts > 1) {
                return matching(system, config, parameters, data, timeout, attempts - 1);
            }
            return of(snapshot, data, config);
        });
    }
}
