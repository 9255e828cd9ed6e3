package io.rill.node;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.kafka.javadsl.SendProducer;
import akka.stream.RestartSettings;
import com.typesafe.config.Config;
import io.rill.ingest.StreamActor;
import io.rill.learn.Learner;
import io.rill.learn.LearnerContext;
import io.rill.learn.LearnerKind;
import io.rill.learn.LineRejects;
import io.rill.learn.ModelSpec;
import io.rill.learn.Models;
import io.rill.learn.Publisher;
import io.rill.learn.Spawner;
import io.rill.learn.StreamLearner;
import io.rill.ops.Jmx;
import io.rill.ps.Placement;
import io.rill.request.Request;
import io.rill.request.RequestHandler;
import io.rill.request.RequestKind;
import io.rill.request.RequestService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The node's models, started from {@code rill.models} by their kinds, and what they need from the node: the context
 * they start in, the actors each stream of theirs gets, their parts of a checkpoint, and the request services their
 * handlers answer through (one per kind of request).
 */
final class NodeLearners implements LearnerContext {

    private final ActorSystem<?> system;
    private final Spawner spawner;
    private final Placement placement;
    private final boolean clustered;
    private final Jmx jmx;
    private final Publisher publisher;
    private final LineRejects lineRejects;
    private final Config config;
    private final Map<String, Learner> models = new LinkedHashMap<>();
    private final Map<String, List<String>> topicsByModel = new LinkedHashMap<>();
    /** Per kind of request, the handlers of the models that answer it. */
    private final Map<RequestKind<?>, Map<String, RequestHandler<?>>> handlers = new LinkedHashMap<>();
    private final List<RequestService> services = new ArrayList<>();

    NodeLearners(ActorSystem<?> system, Spawner spawner, Placement placement, boolean clustered, Jmx jmx,
                 SendProducer<byte[], byte[]> producer, LineRejects lineRejects, Config config) {
        this.system = system;
        this.spawner = spawner;
        this.placement = placement;
        this.clustered = clustered;
        this.jmx = jmx;
        this.publisher = (topic, key, value) -> producer.send(new ProducerRecord<>(topic, key, value));
        this.lineRejects = lineRejects;
        this.config = config;
    }

    /** Starts the models of {@code specs}, in order, each by its kind. */
    void start(Models kinds, List<ModelSpec> specs) {
        for (ModelSpec spec : specs) {
            LearnerKind kind = kinds.kind(spec.kind()).orElseThrow();
            models.put(spec.name(), kind.start(spec, this));
            topicsByModel.put(spec.name(), spec.topics());
        }
    }

    /** The actors of the models that learn from stream (topic, partition), by model name. */
    StreamActor.Learners streamLearners(String topic, int partition, Duration stepTimeout) {
        Map<String, Function<byte[], Behavior<StreamLearner.Command>>> learners = new LinkedHashMap<>();
        models.forEach((name, model) -> {
            if (topicsByModel.get(name).contains(topic)) {
                learners.put(name, restored -> model.streamLearner(topic, partition, restored));
            }
        });
        return new StreamActor.Learners(learners, stepTimeout);
    }

    /** Every model's parts of a node checkpoint. */
    Map<String, Supplier<CompletionStage<byte[]>>> checkpointParts(Duration timeout) {
        Map<String, Supplier<CompletionStage<byte[]>>> parts = new LinkedHashMap<>();
        models.values().forEach(model -> parts.putAll(model.checkpointParts(timeout)));
        return parts;
    }

    /** Starts one request service per kind of request the models answer, with its JMX bean. */
    void startRequestServices(String bootstrap, Map<String, String> clientProperties, RestartSettings restart) {
        handlers.forEach((kind, byModel) -> {
            @SuppressWarnings("unchecked")
            Class<Object> view = (Class<Object>) kind.mbeanInterface();
            jmx.register(kind.metrics(), view, Jmx.name(kind.jmxName()));
            services.add(startService(kind, byModel, bootstrap, clientProperties, restart));
        });
    }

    @SuppressWarnings("unchecked")
    private <R extends Request> RequestService startService(RequestKind<R> kind, Map<String, RequestHandler<?>> byModel,
                                                            String bootstrap, Map<String, String> clientProperties,
                                                            RestartSettings restart) {
        Map<String, RequestHandler<R>> typed = new LinkedHashMap<>();
        byModel.forEach((model, handler) -> typed.put(model, (RequestHandler<R>) handler));
        return RequestService.start(system, kind.name(), kind.settings(), kind.reader(), typed, kind.metrics(),
                bootstrap, clientProperties, restart);
    }

    /** Stops every request service, giving the replies in flight {@code drain}. */
    CompletionStage<Done> stopRequestServices(Duration drain) {
        CompletableFuture<?>[] stopped = services.stream()
                .map(service -> service.stop(drain).toCompletableFuture().exceptionally(e -> Done.getInstance()))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(stopped).thenApply(all -> Done.getInstance());
    }

    Map<String, Learner> models() {
        return models;
    }

    @Override
    public ActorSystem<?> system() {
        return system;
    }

    @Override
    public Spawner spawner() {
        return spawner;
    }

    @Override
    public Placement placement() {
        return placement;
    }

    @Override
    public boolean clustered() {
        return clustered;
    }

    @Override
    public Jmx jmx() {
        return jmx;
    }

    @Override
    public Publisher publisher() {
        return publisher;
    }

    @Override
    public LineRejects lineRejects() {
        return lineRejects;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Optional<Learner> model(String name) {
        return Optional.ofNullable(models.get(name));
    }

    @Override
    public <R extends Request> void serve(RequestKind<R> kind, String model, RequestHandler<R> handler) {
        handlers.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(model, handler);
    }
}
