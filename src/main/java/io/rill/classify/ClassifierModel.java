package io.rill.classify;

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
import io.rill.nn.Adadelta;
import io.rill.nn.MaxNorm;
import io.rill.nn.Tensors;
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
 * One sentence classifier of a node, assembled: its parameter server (the CNN's tensors, Adadelta, max-norm on the
 * output rows; a generic {@link ParameterServer}), its data ({@link ClassifierData}: vocabularies, base rows,
 * held-out sentences) and its worker. Each of its streams gets a {@link ClassifyStreamActor}. Not an actor itself:
 * it wires actors and asks them.
 */
public final class ClassifierModel implements Learner {

    /** The parameter servers of classifiers. */
    public static final Placement.Kind<ParameterServer.Command> PARAMETERS = ParameterServer.kind("kim-cnn");

    private final String name;
    private final ClassifierSettings settings;
    private final CnnConfig config;
    private final ActorSystem<?> system;
    private final LineRejects rejects;
    private final ClassifierMetrics metrics;
    private final ActorRef<ParameterServer.Command> parameters;
    private final ActorRef<ClassifierData.Command> data;
    private final ActorRef<ClassifierWorker.Command> worker;

    /**
     * Places the model's parameter server and data (each from its restored state if there is one) and spawns its
     * worker; {@code initial} is the source's vectors when already at hand (the data asks for them otherwise).
     */
    public ClassifierModel(String name, ClassifierSettings settings, CnnConfig config, VectorSource source,
                           Pretrained initial, boolean recycle, ActorSystem<?> system, Spawner spawner,
                           Placement placement, LineRejects rejects, ClassifierMetrics metrics) {
        this.name = name;
        this.settings = settings;
        this.config = config;
        this.system = system;
        this.rejects = rejects;
        this.metrics = metrics;
        this.parameters = placement.place(PARAMETERS, List.of(name), (id, restored, sink) ->
                ParameterServer.create(id, design(settings, config), restored, sink, metrics)).get(name);
        ActorRef<ParameterServer.Command> server = parameters;
        this.data = placement.place(ClassifierData.KIND, List.of(name), (id, restored, sink) ->
                ClassifierData.create(id, settings, config.dimension(), source, initial, server, metrics, restored,
                        sink)).get(name);
        metrics.setLearningRateWith(rate -> server.tell(new ParameterServer.SetLearningRate(rate)));
        Behavior<ClassifierWorker.Command> worker = ClassifierWorker.create(config, settings, parameters, data,
                recycle, source.changes(), metrics, settings.seed() + 7);
        this.worker = spawner.spawn(Behaviors.supervise(worker).onFailure(SupervisorStrategy.restart()),
                "kim-cnn-" + name + "-worker", DispatcherSelector.fromConfig(ClassifierSettings.WORKER_DISPATCHER));
    }

    /**
     * A classifier's parameter server: the CNN's tensors for one word and one class, growing with the vocabularies
     * (a word's offset row starts at zero, a class's output row and bias as PyTorch's Linear starts them), updated by
     * Adadelta without clipping, the output rows held to {@code max-norm} after every update.
     */
    static ServerDesign design(ClassifierSettings settings, CnnConfig config) {
        Random growth = new Random(settings.seed() + 1);
        double maxNorm = settings.maxNorm();
        return ServerDesign.dense(
                () -> CnnParams.initialize(config, 1, 1, settings.seed()).tensors(),
                tensors -> new Adadelta(tensors, settings.learningRate(), settings.rho(), settings.epsilon()),
                Map.of(CnnParams.WORDS, Tensors.Fill.ZEROS, CnnParams.CLASSES, CnnParams.newClasses(config, growth)),
                0, List.of(tensors -> MaxNorm.apply(tensors.get(CnnParams.OUTPUT_WEIGHTS), Tensors.Axis.ROWS,
                        maxNorm)),
                settings.maxStaleness(), 0);
    }

    @Override
    public String name() {
        return name;
    }

    public ClassifierSettings settings() {
        return settings;
    }

    public CnnConfig config() {
        return config;
    }

    public ClassifierMetrics metrics() {
        return metrics;
    }

    public ActorRef<ParameterServer.Command> parameters() {
        return parameters;
    }

    public ActorRef<ClassifierData.Command> data() {
        return data;
    }

    @Override
    public Behavior<StreamLearner.Command> streamLearner(String topic, int partition, byte[] restored) {
        return ClassifyStreamActor.create(topic, partition, settings, data, worker, rejects, metrics, restored);
    }

    @Override
    public Map<String, Supplier<CompletionStage<byte[]>>> checkpointParts(Duration timeout) {
        Map<String, Supplier<CompletionStage<byte[]>>> parts = new LinkedHashMap<>();
        parts.put(PARAMETERS.section(name), () -> AskPattern.<ParameterServer.Command,
                ParameterServer.ExportedState>ask(parameters, ParameterServer.ExportState::new, timeout,
                system.scheduler()).thenApply(ParameterServer.ExportedState::bytes));
        parts.put(ClassifierData.KIND.section(name), () -> AskPattern.<ClassifierData.Command,
                ClassifierData.ExportedState>ask(data, ClassifierData.ExportState::new, timeout, system.scheduler())
                .thenApply(ClassifierData.ExportedState::bytes));
        return parts;
    }
}
