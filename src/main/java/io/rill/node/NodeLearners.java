package io.rill.node;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's models, started from {@code rill.models} by their kinds, and what they need from the node: the context
 * they start in, the actors each stream of theirs gets, their parts of a checkpoint, and the request services their
 * handlers answer through (one per kind of request). Each model gets a context of its own, which tells a
 * {@link LearnerWatch} about every actor the model starts through it, so that {@code /health} can say whether the
 * model's actors are all alive.
 */
final class NodeLearners implements LearnerContext {

    private static final Logger log = LoggerFactory.getLogger(NodeLearners.class);

    /** Which of some topics exist; fails when the brokers cannot be asked. */
    @FunctionalInterface
    interface TopicLookup {
        CompletionStage<Set<String>> existing(Set<String> topics);
    }

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
    private final List<RequestService> services = new CopyOnWriteArrayList<>();
    private final LearnerWatch.Status watchStatus = new LearnerWatch.Status();
    private final ActorRef<LearnerWatch.Command> watch;
    private volatile boolean servicesStopped;

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
        this.watch = spawner.spawn(LearnerWatch.create(watchStatus), "learner-watch", Props.empty());
    }

    /** Starts the models of {@code specs}, in order, each by its kind, each in a context of its own. */
    void start(Models kinds, List<ModelSpec> specs) {
        for (ModelSpec spec : specs) {
            LearnerKind kind = kinds.kind(spec.kind()).orElseThrow();
            watchStatus.started(spec.name());
            models.put(spec.name(), kind.start(spec, new ModelContext(spec.name())));
            topicsByModel.put(spec.name(), spec.topics());
        }
    }

    /** Whether every model's actors are alive, for {@code /health}. */
    io.rill.ops.Health.Part health() {
        return watchStatus.part();
    }

    /** The node is stopping: the models' actors stop on purpose from now on. */
    void stopping() {
        watchStatus.stopping();
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

    /**
     * Starts one request service per kind of request the models answer, with its JMX bean, as soon as its requests
     * and replies topics exist. A kind whose topics are missing (a configured topic without a spec in topics/, or an
     * external cluster where creating it failed) is said so once, and its service starts when a check, every
     * {@code recheck}, finds them; subscribing to a missing topic would have the Kafka consumer warn every second.
     */
    void startRequestServices(String bootstrap, Map<String, String> clientProperties, RestartSettings restart,
                              TopicLookup topics, Duration recheck) {
        handlers.forEach((kind, byModel) -> {
            @SuppressWarnings("unchecked")
            Class<Object> view = (Class<Object>) kind.mbeanInterface();
            jmx.register(kind.metrics(), view, Jmx.name(kind.jmxName()));
            startWhenTopicsExist(kind, byModel, bootstrap, clientProperties, restart, topics, recheck, false);
        });
    }

    private void startWhenTopicsExist(RequestKind<?> kind, Map<String, RequestHandler<?>> byModel, String bootstrap,
                                      Map<String, String> clientProperties, RestartSettings restart,
                                      TopicLookup topics, Duration recheck, boolean warned) {
        List<String> wanted = List.of(kind.settings().requestsTopic(), kind.settings().repliesTopic());
        topics.existing(Set.copyOf(wanted)).whenComplete((found, failure) -> {
            boolean present = failure == null && found.containsAll(wanted);
            synchronized (this) {
                if (servicesStopped) {
                    return;
                }
                if (present) {
                    if (warned) {
                        log.info("the {} topics {} exist now: answering {} requests", kind.name(), wanted, kind.name());
                    }
                    services.add(startService(kind, byModel, bootstrap, clientProperties, restart));
                    return;
                }
            }
            boolean warnNow = !warned && failure == null;
            if (warnNow) {
                List<String> missing = wanted.stream().filter(t -> !found.contains(t)).distinct().toList();
                log.warn("{} not exist on {}: {} requests are not answered until {} created (checked every {}; "
                                + "give each topic a spec in topics/, or create it on the cluster)",
                        missing.size() == 1 ? "topic " + missing.get(0) + " does" : "topics " + missing + " do",
                        bootstrap, kind.name(), missing.size() == 1 ? "it is" : "they are", recheck.toSeconds() + " s");
            } else if (failure != null) {
                log.debug("cannot list the {} topics yet: {}", kind.name(), failure.toString());
            }
            system.scheduler().scheduleOnce(recheck, () -> startWhenTopicsExist(kind, byModel, bootstrap,
                    clientProperties, restart, topics, recheck, warned || warnNow), system.executionContext());
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
        synchronized (this) {
            servicesStopped = true;
        }
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

    /** The context of one model: the node's, except that the actors it starts are watched as the model's. */
    private final class ModelContext implements LearnerContext {
        private final String model;
        private final Spawner watchedSpawner;
        private final Placement watchedPlacement;

        ModelContext(String model) {
            this.model = model;
            this.watchedSpawner = new Spawner() {
                @Override
                public <T> ActorRef<T> spawn(Behavior<T> behavior, String name, Props props) {
                    return watched(spawner.spawn(behavior, name, props));
                }
            };
            this.watchedPlacement = new Placement() {
                @Override
                public <T> Map<String, ActorRef<T>> place(Kind<T> kind, List<String> ids, Factory<T> factory) {
                    Map<String, ActorRef<T>> refs = placement.place(kind, ids, factory);
                    refs.values().forEach(ModelContext.this::watched);
                    return refs;
                }
            };
        }

        private <T> ActorRef<T> watched(ActorRef<T> actor) {
            watch.tell(new LearnerWatch.Watch(model, actor));
            return actor;
        }

        @Override
        public ActorSystem<?> system() {
            return system;
        }

        @Override
        public Spawner spawner() {
            return watchedSpawner;
        }

        @Override
        public Placement placement() {
            return watchedPlacement;
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
            return NodeLearners.this.model(name);
        }

        @Override
        public <R extends Request> void serve(RequestKind<R> kind, String model, RequestHandler<R> handler) {
            NodeLearners.this.serve(kind, model, handler);
        }
    }
}
