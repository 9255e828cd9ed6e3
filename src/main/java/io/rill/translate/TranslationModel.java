package io.rill.translate;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import io.rill.learn.Learner;
import io.rill.learn.LineRejects;
import io.rill.learn.Spawner;
import io.rill.learn.StreamLearner;
import io.rill.nn.Adam;
import io.rill.ps.ParameterServer;
import io.rill.ps.Placement;
import io.rill.ps.ServerDesign;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One attention model of a node, assembled: its parameter server (the translator's tensors, Adam, clipping; a generic
 * {@link ParameterServer} with growth groups "source" and "target"), its data ({@link TranslatorData}: both
 * vocabularies and the held-out pairs) and its worker. Each of the model's streams gets a
 * {@link TranslatorStreamActor}. Not an actor itself: it only wires actors and asks them.
 */
public final class TranslationModel implements Learner {

    /** The parameter servers of attention models. */
    public static final Placement.Kind<ParameterServer.Command> PARAMETERS = ParameterServer.kind("translator");

    private final String name;
    private final TranslatorSettings settings;
    private final ActorSystem<?> system;
    private final TranslatorMetrics metrics;
    private final LineRejects lineRejects;
    private final ActorRef<ParameterServer.Command> parameters;
    private final ActorRef<TranslatorData.Command> data;
    private final ActorRef<TranslatorWorker.Command> worker;

    public TranslationModel(String name, TranslatorSettings settings, ActorSystem<?> system, Spawner spawner,
                            Placement placement, LineRejects lineRejects, TranslatorMetrics metrics) {
        this.name = name;
        this.settings = settings;
        this.system = system;
        this.metrics = metrics;
        this.lineRejects = lineRejects;
        this.parameters = placement.place(PARAMETERS, List.of(name), (id, restored, sink) ->
                ParameterServer.create(id, design(settings), restored, sink, metrics)).get(name);
        ActorRef<ParameterServer.Command> parametersRef = this.parameters;
        this.data = placement.place(TranslatorData.KIND, List.of(name), (id, restored, sink) ->
                TranslatorData.create(id, settings, parametersRef, metrics, restored, sink)).get(name);
        metrics.setLearningRateWith(rate -> parametersRef.tell(new ParameterServer.SetLearningRate(rate)));
        this.worker = spawner.spawn(Behaviors.supervise(TranslatorWorker.create(settings, parameters, metrics))
                        .onFailure(SupervisorStrategy.restart()), "translator-" + name + "-worker",
                DispatcherSelector.fromConfig(TranslatorSettings.WORKER_DISPATCHER));
    }

    /**
     * An attention model's parameter server: the tensors of {@link TranslatorParams} for the four fixed ids of each
     * side, growing as the vocabularies do ({@link TranslatorParams#newWords}), updated by Adam after clipping the
     * global norm, and handing a copy to its subscribers every {@code progress.every-steps} updates.
     */
    public static ServerDesign design(TranslatorSettings settings) {
        Random growth = new Random(settings.seed() + 1);
        Random targetGrowth = new Random(settings.seed() + 2);
        return ServerDesign.dense(
                () -> TranslatorParams.initialize(settings.architecture(), WordVocabulary.SPECIALS,
                        WordVocabulary.SPECIALS, settings.seed()).tensors(),
                tensors -> new Adam(tensors, settings.learningRate(), 0.9, 0.999, 1e-8),
                Map.of(TranslatorParams.SOURCE, TranslatorParams.newWords(settings.architecture(), growth),
                        TranslatorParams.TARGET, TranslatorParams.newWords(settings.architecture(), targetGrowth)),
                settings.gradientClip(), List.of(), settings.maxStaleness(), settings.progressEverySteps());
    }

    @Override
    public String name() {
        return name;
    }

    public TranslatorSettings settings() {
        return settings;
    }

    public TranslatorMetrics metrics() {
        return metrics;
    }

    public ActorRef<ParameterServer.Command> parameters() {
        return parameters;
    }

    public ActorRef<TranslatorData.Command> data() {
        return data;
    }

    @Override
    public Behavior<StreamLearner.Command> streamLearner(String topic, int partition, byte[] restored) {
        return TranslatorStreamActor.create(topic, partition, settings, data, worker, lineRejects, metrics, restored);
    }

    @Override
    public Map<String, Supplier<CompletionStage<byte[]>>> checkpointParts(Duration timeout) {
        Map<String, Supplier<CompletionStage<byte[]>>> parts = new LinkedHashMap<>();
        parts.put(PARAMETERS.section(name), () -> AskPattern.<ParameterServer.Command,
                ParameterServer.ExportedState>ask(parameters, ParameterServer.ExportState::new, timeout,
                system.scheduler()).thenApply(ParameterServer.ExportedState::bytes));
        parts.put(TranslatorData.KIND.section(name), () -> AskPattern.<TranslatorData.Command,
                TranslatorData.ExportedState>ask(data, TranslatorData.ExportState::new, timeout,
                system.scheduler()).thenApply(TranslatorData.ExportedState::bytes));
        return parts;
    }

    /** A matching copy of the model now. */
    public CompletionStage<TranslatorView> snapshot(Duration timeout) {
        return TranslatorView.ask(system, name, settings.architecture(), parameters, data, timeout);
    }
}
