package io.rill.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.kafka.javadsl.SendProducer;
import akka.stream.RestartSettings;
import io.rill.generate.GenerationService;
import io.rill.generate.GenerationSettings;
import io.rill.generate.Generator;
import io.rill.generate.ProgressReporter;
import io.rill.learn.StreamLearner;
import io.rill.lstm.CharModel;
import io.rill.lstm.LstmSettings;
import io.rill.lstm.SeenSequences;
import io.rill.ops.CharModelMBean;
import io.rill.ops.CharModelMetrics;
import io.rill.ops.GenerationMBean;
import io.rill.ops.GenerationMetrics;
import io.rill.ops.Jmx;
import io.rill.ps.Placement;
import io.rill.skipgram.SkipGramLearner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The node's character models and their generation side, wired: per model the parameter server and worker
 * ({@link CharModel}), the request {@link Generator} and the {@link ProgressReporter}, their JMX beans, and the
 * node's one {@link GenerationService} over all models.
 */
final class CharModels {

    private final GenerationSettings generation;
    private final Map<String, CharModel> models;
    private final Map<String, ActorRef<Generator.Command>> generators;
    private final GenerationMetrics generationMetrics;

    private CharModels(GenerationSettings generation, Map<String, CharModel> models,
                       Map<String, ActorRef<Generator.Command>> generators, GenerationMetrics generationMetrics) {
        this.generation = generation;
        this.models = models;
        this.generators = generators;
        this.generationMetrics = generationMetrics;
    }

    /**
     * Starts the models: their parameter servers where {@code placement} puts them, the rest on this node; on a
     * cluster ({@code clustered}) the progress reporter of each model runs once in the cluster, as a singleton.
     */
    static CharModels start(RillSettings settings, ActorSystem<?> system, SkipGramLearner.Spawner spawner,
                            Placement placement, boolean clustered, Jmx jmx,
                            SendProducer<byte[], byte[]> producer) {
        LstmSettings lstm = LstmSettings.from(settings.config());
        GenerationSettings generation = GenerationSettings.from(settings.config());
        Map<String, CharModel> models = new LinkedHashMap<>();
        Map<String, ActorRef<Generator.Command>> generators = new LinkedHashMap<>();
        GenerationMetrics generationMetrics = new GenerationMetrics();
        if (!lstm.enabled()) {
            return new CharModels(generation, models, generators, generationMetrics);
        }
        jmx.register(generationMetrics, GenerationMBean.class, Jmx.name("type=Generation"));
        DispatcherSelector generationDispatcher = DispatcherSelector.fromConfig(GenerationSettings.DISPATCHER);
        for (LstmSettings.Model model : lstm.models()) {
            CharModelMetrics metrics = new CharModelMetrics();
            jmx.register(metrics, CharModelMBean.class, Jmx.name("type=CharModel,model=" + model.name()));
            CharModel charModel = new CharModel(model, lstm,
                    () -> new SeenSequences(generation.seenExpected(), generation.seenFalsePositiveRate()), system,
                    spawner, placement, metrics);
            models.put(model.name(), charModel);
            generators.put(model.name(), spawner.spawn(Generator.create(charModel.server(),
                            generation.snapshotInterval(), generation.seenRefreshInterval(),
                            generation.novelAttempts(), lstm.seed() + 11, generationMetrics),
                    "generator-" + model.name(), generationDispatcher));
            ProgressReporter.Publisher publisher = (key, value) -> producer
                    .send(new ProducerRecord<>(generation.repliesTopic(), key.getBytes(StandardCharsets.UTF_8), value))
                    .whenComplete((sent, failure) -> {
                        if (failure != null) {
                            generationMetrics.publishFailed();
                        } else {
                            generationMetrics.progressPublished();
                        }
                    });
            Behavior<ProgressReporter.Command> reporter = ProgressReporter.create(charModel.server(),
                    lstm.progressSamples(), lstm.progressTemperature(), generation.limits().defaultMaxLength(),
                    lstm.seed() + 13, metrics, publisher);
            if (clustered) {
                // One generated-name stream per model for the whole cluster, not one per node.
                ClusterSingleton.get(system).init(SingletonActor.of(Behaviors.supervise(reporter)
                        .onFailure(SupervisorStrategy.restart()), "progress-" + model.name())
                        .withProps(generationDispatcher));
            } else {
                spawner.spawn(reporter, "progress-" + model.name(), generationDispatcher);
            }
        }
        return new CharModels(generation, Map.copyOf(models), Map.copyOf(generators), generationMetrics);
    }

    /** For the stream supervisor: the per-stream actors of the models that learn from a topic's stream. */
    Map<String, Function<byte[], Behavior<StreamLearner.Command>>> streamLearners(String topic, int partition) {
        Map<String, Function<byte[], Behavior<StreamLearner.Command>>> learners = new LinkedHashMap<>();
        models.values().forEach(model -> {
            if (model.model().topics().contains(topic)) {
                learners.put(model.name(), restored -> model.streamLearner(topic, partition, restored));
            }
        });
        return learners;
    }

    /** Starts answering generation requests, unless generation or every model is off; null then. */
    GenerationService startGenerationService(ActorSystem<?> system, RillSettings settings, String bootstrap) {
        if (!generation.enabled() || models.isEmpty()) {
            return null;
        }
        RestartSettings restart = RestartSettings.create(settings.restartMinBackoff(), settings.restartMaxBackoff(),
                settings.restartRandomFactor());
        return GenerationService.start(system, generation, bootstrap, settings.clientProperties(), restart,
                generators, generationMetrics);
    }

    /** The models' state for a checkpoint: section name → how to ask for the bytes. */
    Map<String, Supplier<CompletionStage<byte[]>>> stateParts(Duration timeout) {
        Map<String, Supplier<CompletionStage<byte[]>>> parts = new LinkedHashMap<>();
        models.values().forEach(model -> parts.put(CharModel.section(model.name()), () -> model.exportState(timeout)));
        return parts;
    }

    Map<String, CharModel> models() {
        return models;
    }

    GenerationMetrics generationMetrics() {
        return generationMetrics;
    }
}
