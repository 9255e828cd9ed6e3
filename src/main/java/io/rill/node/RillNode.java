package io.rill.node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Cluster;
import akka.kafka.ProducerSettings;
import akka.kafka.javadsl.SendProducer;
import io.rill.checkpoint.Checkpoint;
import io.rill.checkpoint.CheckpointCoordinator;
import io.rill.checkpoint.CheckpointSettings;
import io.rill.checkpoint.CheckpointStore;
import io.rill.checkpoint.CommitGate;
import io.rill.cluster.ClusterSettings;
import io.rill.cluster.ShardedPlacement;
import io.rill.cluster.StreamHandover;
import io.rill.ingest.DeadLetterWriter;
import io.rill.ingest.IngestPipeline;
import io.rill.ingest.IngestValve;
import io.rill.ingest.LagPoller;
import io.rill.ingest.PartitionHandover;
import io.rill.ingest.StreamActor;
import io.rill.ingest.StreamSupervisor;
import io.rill.ingest.StreamSpec;
import io.rill.ingest.SupervisedStreams;
import io.rill.learn.Learner;
import io.rill.learn.LearnerKind;
import io.rill.learn.LineRejects;
import io.rill.learn.ModelSpec;
import io.rill.learn.Models;
import io.rill.learn.Spawner;
import io.rill.classify.KimCnnKind;
import io.rill.lstm.CharLstmKind;
import io.rill.translate.AttentionKind;
import io.rill.skipgram.SkipGramKind;
import akka.stream.RestartSettings;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rill.ops.CheckpointMetrics;
import io.rill.ops.CheckpointsMBean;
import io.rill.ops.ClusterMBean;
import io.rill.ops.ClusterMetrics;
import io.rill.ops.Health;
import io.rill.ops.HttpEndpoint;
import io.rill.ops.HttpSettings;
import io.rill.ops.Jmx;
import io.rill.ops.NodeStatus;
import io.rill.ops.ProgressRecorder;
import io.rill.ops.ProgressSettings;
import io.rill.ops.RemoteJmxServer;
import io.rill.ops.RemoteJmxSettings;
import io.rill.ps.Placement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rill node: the Kafka connection (its own embedded broker unless a cluster is configured), the topics, the
 * actor system with its stream actors, the ingest pipeline, and the JMX beans. Start it with {@link #start}; stop
 * it with {@link #close} or by stopping the JVM: both run Akka's CoordinatedShutdown, which stops ingestion first
 * and the broker last.
 */
public final class RillNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RillNode.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    /** At shutdown, how long the batches in flight may take to be answered before the last commit. */
    private static final Duration STOP_DRAIN = Duration.ofSeconds(2);

    private final RillSettings settings;
    private final ActorSystem<SpawnProtocol.Command> system;
    private final ActorRef<StreamSupervisor.Command> supervisor;
    private final NodeStatus status;
    private final String bootstrap;
    private final long brokerStartMillis;
    private final Map<String, Learner> models;
    private final HttpEndpoint http;
    private final Health health;

    /**
     * The kinds of model a node can run, in the order their models start (a model may read an earlier one's); new
     * ones for every node, since a kind keeps what its models share on the node (a kind of request).
     */
    private static List<LearnerKind> kinds() {
        return List.of(new SkipGramKind(), new CharLstmKind(), new KimCnnKind(), new AttentionKind());
    }

    private RillNode(RillSettings settings, ActorSystem<SpawnProtocol.Command> system,
                     ActorRef<StreamSupervisor.Command> supervisor, NodeStatus status, String bootstrap,
                     long brokerStartMillis, Map<String, Learner> models, HttpEndpoint http, Health health) {
        this.settings = settings;
        this.system = system;
        this.supervisor = supervisor;
        this.status = status;
        this.bootstrap = bootstrap;
        this.brokerStartMillis = brokerStartMillis;
        this.models = Map.copyOf(models);
        this.http = http;
        this.health = health;
    }

    public static RillNode start(RillSettings settings) {
        // Until the node is up, whatever was opened is closed again if a later step fails.
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            return start(settings, opened);
        } catch (RuntimeException e) {
            while (!opened.isEmpty()) {
                try {
                    opened.pop().close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    private static RillNode start(RillSettings settings, Deque<AutoCloseable> opened) {
        // First, so that settings refused as unsafe stop the node before anything else is opened.
        RemoteJmxServer remoteJmx = settings.remoteJmx().enabled() ? startRemoteJmx(settings.remoteJmx()) : null;
        if (remoteJmx != null) {
            opened.push(remoteJmx);
        }
        if (settings.embeddedBroker()) {
            checkEmbeddedLogins(settings);
        }
        EmbeddedKafkaBroker broker = settings.embeddedBroker()
                ? EmbeddedKafkaBroker.start(settings.embeddedDataDir(), settings.embeddedHost(),
                        settings.embeddedPort(), settings.embeddedMaxMessageBytes(), settings.embeddedSaslPlainUsers())
                : null;
        if (broker != null) {
            opened.push(broker);
        }
        String bootstrap = broker != null ? broker.bootstrapServers() : settings.bootstrapServers();
        long brokerStartMillis = broker != null ? broker.startMillis() : -1;
        Admin admin = Admin.create(settings.clientProperties(bootstrap));
        opened.push(admin);
        TopicProvisioner.ensure(admin, topicSpecs(settings));

        // One set of meters: the JMX beans, seen by Micrometer through the same getters (ops.MeterBridge), and the
        // JVM's own; /metrics serves them to Prometheus.
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        opened.push(meters::close);
        JvmGcMetrics gc = new JvmGcMetrics();
        opened.push(gc);
        for (var binder : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new ProcessorMetrics())) {
            binder.bindTo(meters);
        }
        Jmx jmx = new Jmx(meters);
        opened.push(jmx);
        NodeStatus status = new NodeStatus(broker != null ? "embedded" : "external", bootstrap, brokerStartMillis, jmx);
        status.dataDirectory(settings.dataDir());
        writeInstanceId(settings.dataDir(), status.getInstanceId());

        CheckpointSettings checkpointSettings = CheckpointSettings.from(settings.config());
        ClusterSettings cluster = ClusterSettings.from(settings.config(), checkpointSettings.directory());
        if (cluster.enabled() && !checkpointSettings.enabled()) {
            throw new IllegalArgumentException("rill.cluster.enabled needs rill.checkpoint.enabled: parameter "
                    + "servers and streams move between nodes through the shared checkpoint directory");
        }
        ActorSystem<SpawnProtocol.Command> system = ActorSystem.create(
                Behaviors.setup(context -> SpawnProtocol.create()), SYSTEM_NAME,
                cluster.actorSystemConfig(settings.config(), SYSTEM_NAME));
        opened.push(() -> {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        });
        ClusterMetrics clusterMetrics = cluster.enabled() ? joinCluster(system, cluster, jmx) : null;
        CheckpointMetrics checkpointMetrics = new CheckpointMetrics(checkpointSettings.enabled());
        jmx.register(checkpointMetrics, CheckpointsMBean.class, Jmx.name("type=Checkpoints"));
        // On a cluster, this node's checkpoints hold only its streams, in a directory of its own; they are read
        // partition by partition when partitions are assigned (StreamHandover), never restored as a whole.
        CheckpointStore store = !checkpointSettings.enabled() ? null : cluster.enabled()
                ? new CheckpointStore(cluster.nodeDirectory(cluster.nodeName()), checkpointSettings.keep())
                : new CheckpointStore(checkpointSettings.directory(), checkpointSettings.keep());
        Optional<Checkpoint> restored = store == null || cluster.enabled() ? Optional.empty()
                : restore(store, checkpointMetrics);
        Function<String, byte[]> section = name -> restored.flatMap(c -> c.section(name)).orElse(null);
        CommitGate gate = checkpointSettings.enabled() ? CommitGate.untilCheckpointed() : CommitGate.open();
        restored.ifPresent(checkpoint -> gate.checkpointed(checkpoint.offsets()));

        Placement placement = cluster.enabled()
                ? new ShardedPlacement(system, spawner(system), cluster.entitiesDirectory(),
                        cluster.entitySaveInterval(), cluster.entityStatesKept(), clusterMetrics)
                : new LocalPlacement(spawner(system), section);
        SendProducer<byte[], byte[]> producer = new SendProducer<>(ProducerSettings
                .create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withBootstrapServers(bootstrap)
                .withProperties(settings.clientProperties())
                .withProperty("acks", "all")
                .withProperty("enable.idempotence", "true")
                .withProperty("max.request.size", String.valueOf(settings.embeddedMaxMessageBytes())), system);

        Models kinds = new Models(kinds());
        List<ModelSpec> specs = kinds.read(settings.config());
        kinds.checkTopics(specs, settings.streams().stream()
                .collect(Collectors.toMap(StreamSpec::topic, StreamSpec::tokenizer)));
        DeadLetterWriter deadLetters = new DeadLetterWriter(producer, settings.deadletterTopic());
        LineRejects lineRejects = line -> deadLetters.writeLine(line).whenComplete((written, failure) -> {
            if (failure == null) {
                status.deadLetters().lineRejected(line.reason());
            } else {
                status.deadLetters().writeFailed();
            }
        });
        NodeLearners learners = new NodeLearners(system, spawner(system), placement, cluster.enabled(), jmx, producer,
                lineRejects, settings.config());
        learners.start(kinds, specs);
        Map<String, byte[]> streamStates = new HashMap<>();
        restored.ifPresent(checkpoint -> checkpoint.sections().forEach((name, bytes) -> {
            if (name.startsWith(Checkpoint.STREAM_SECTION_PREFIX)) {
                streamStates.put(name.substring(Checkpoint.STREAM_SECTION_PREFIX.length()), bytes);
            }
        }));
        Map<String, StreamActor.Intake> intakes = new HashMap<>();
        for (StreamSpec stream : settings.streams()) {
            intakes.put(stream.topic(), new StreamActor.Intake(stream.tokenizer(), settings.maxRecordBytes(),
                    deadLetters::write, status.deadLetters()));
        }
        ActorRef<StreamSupervisor.Command> supervisor = spawn(system, StreamSupervisor.create(status,
                settings.maxDistinctTokens(),
                (topic, partition) -> learners.streamLearners(topic, partition, settings.learnTimeout()),
                streamStates, intakes::get), "streams");
        learners.startRequestServices(bootstrap, settings.clientProperties(), RestartSettings.create(
                settings.restartMinBackoff(), settings.restartMaxBackoff(), settings.restartRandomFactor()),
                names -> existingTopics(admin, names, settings.adminTimeout()), REQUEST_TOPIC_RECHECK);
        List<String> topics = settings.streams().stream().map(StreamSpec::topic).toList();
        ActorRef<CheckpointCoordinator.Command> coordinator = null;
        if (store != null) {
            Duration exportTimeout = checkpointSettings.barrierTimeout();
            Supplier<List<CheckpointCoordinator.StatePart>> parts = () -> cluster.enabled()
                    ? List.of() // sharded servers save themselves (ShardedPlacement)
                    : learners.checkpointParts(exportTimeout).entrySet().stream()
                            .map(e -> (CheckpointCoordinator.StatePart) new CheckpointPart(e.getKey(), e.getValue()))
                            .toList();
            coordinator = spawn(system, CheckpointCoordinator.create(checkpointSettings, store, gate,
                    new SupervisedStreams(system, supervisor),
                    parts, () -> status.streams().stream().mapToLong(m -> m.getRecordsIn() + m.getDeadLettered())
                            .sum(), checkpointMetrics,
                    nextSequence(store), restored.map(Checkpoint::offsets).orElse(Map.of())), "checkpoints");
        }
        ActorRef<CheckpointCoordinator.Command> checkpoints = coordinator;
        IngestValve valve = new IngestValve();
        IngestPipeline pipeline = IngestPipeline.start(system, settings.ingest(), settings.groupId(),
                settings.clientProperties(), bootstrap, supervisor, status,
                gate, valve, cluster.enabled()
                        ? new StreamHandover(cluster.nodesDirectory(), cluster.nodeName(), system, supervisor, gate,
                                () -> askCheckpoint(system, checkpoints, checkpointSettings),
                                cluster.handoverTimeout(), settings.askTimeout(), clusterMetrics)
                        : PartitionHandover.fromCheckpoint(gate));
        checkpointMetrics.controlledBy(new CheckpointMetrics.Controls() {
            @Override
            public String checkpointNow() {
                if (checkpoints == null) {
                    return "checkpoints are off (rill.checkpoint.enabled)";
                }
                return askCheckpoint(system, checkpoints, checkpointSettings).toCompletableFuture().join().description();
            }

            @Override
            public void pauseIngest() {
                valve.close();
                log.info("ingestion paused by an operator");
            }

            @Override
            public void resumeIngest() {
                valve.open();
                log.info("ingestion resumed by an operator");
            }

            @Override
            public boolean ingestPaused() {
                return valve.isClosed();
            }
        });
        LagPoller lagPoller = new LagPoller(admin, settings.groupId(), topics, status, settings.lagPollInterval(),
                settings.adminTimeout());

        Duration sessionTimeout = sessionTimeout(settings);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Health health = new Health()
                .check("ingest", () -> NodeHealth.ingest(pipeline.done(), valve, status, settings.groupId(),
                        sessionTimeout, stopping::get))
                .check("learners", learners::health)
                .check("broker", () -> NodeHealth.broker(admin, bootstrap));
        ProgressSettings progressSettings = settings.progress();
        ProgressRecorder progress = progressSettings.enabled() ? new ProgressRecorder(jmx, progressSettings) : null;
        if (progress != null) {
            opened.push(progress);
        }
        HttpSettings httpSettings = settings.http();
        HttpEndpoint http = httpSettings.enabled() ? startHttp(httpSettings) : null;
        if (http != null) {
            opened.push(http);
            NodeHttp.routes(http, meters, health, status, learners.models(), progress, settings.remoteJmx(), jmx,
                    settings.dataDir().resolve("tmp"));
            status.httpAddress(http.address());
            writeQuietly(settings.httpAddressFile(), http.address() + "\n");
        }

        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        // From here on actors stop on purpose: /health says "stopping" rather than reporting failures.
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "health-stopping", () -> {
            stopping.set(true);
            learners.stopping();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
        // Stop taking records, write a last checkpoint (which lets the held offsets commit), then drain and close.
        shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stop-ingest",
                () -> pipeline.stop(STOP_DRAIN, () -> {
                    valve.open(); // a paused node must not hold its last batches against the checkpoint
                    return checkpoints != null && checkpointSettings.onShutdown()
                            ? askCheckpoint(system, checkpoints, checkpointSettings)
                            : CompletableFuture.completedFuture(Done.getInstance());
                }).exceptionally(e -> Done.getInstance()));
        shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stop-requests",
                () -> learners.stopRequestServices(Duration.ofMillis(500)));
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-kafka-and-jmx", () -> {
            // One task, in order: the HTTP endpoint and the last row of the training curves, then clients before the
            // broker they talk to, JMX and the meters last.
            if (http != null) {
                http.close();
                deleteQuietly(settings.httpAddressFile());
            }
            if (progress != null) {
                progress.close();
            }
            lagPoller.close();
            producer.close().toCompletableFuture().exceptionally(e -> Done.getInstance()).join();
            admin.close(Duration.ofSeconds(5));
            if (broker != null) {
                broker.close();
            }
            if (remoteJmx != null) {
                remoteJmx.close();
            }
            jmx.close();
            gc.close();
            meters.close();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
        log.info("rill node up: broker {} ({}), streams {}", bootstrap, status.getBrokerMode(), topics);
        return new RillNode(settings, system, supervisor, status, bootstrap, brokerStartMillis, learners.models(),
                http, health);
    }

    /** How often a node whose request topics are missing looks for them again. */
    private static final Duration REQUEST_TOPIC_RECHECK = Duration.ofSeconds(10);

    /** Which of {@code names} exist on the cluster. */
    private static CompletionStage<Set<String>> existingTopics(Admin admin, Set<String> names, Duration timeout) {
        CompletableFuture<Set<String>> found = new CompletableFuture<>();
        admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().timeoutMs((int) timeout.toMillis()))
                .names().whenComplete((all, failure) -> {
                    if (failure != null) {
                        found.completeExceptionally(failure);
                    } else {
                        found.complete(names.stream().filter(all::contains).collect(Collectors.toSet()));
                    }
                });
        return found;
    }

    /** The consumer group's session timeout: how long a silent member stays in the group. */
    private static Duration sessionTimeout(RillSettings settings) {
        String key = "session.timeout.ms";
        String value = settings.clientProperties().get(key);
        if (value == null && settings.config().hasPath("akka.kafka.consumer.kafka-clients." + key)) {
            value = settings.config().getString("akka.kafka.consumer.kafka-clients." + key);
        }
        try {
            return Duration.ofMillis(value == null ? 45_000 : Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(45);
        }
    }

    private static HttpEndpoint startHttp(HttpSettings http) {
        try {
            return HttpEndpoint.start(http);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve HTTP on " + http.host() + ":" + http.port() + " (rill.http.host "
                    + "and port; RILL_HTTP_PORT, or rill.http.enabled = false): " + e.getMessage(), e);
        }
    }

    /** {@code <data-dir>/instance-id}: a client that reads this node's id there shares its disk. */
    private static void writeInstanceId(Path dataDir, String id) {
        writeQuietly(dataDir.resolve("instance-id"), id + "\n");
    }

    private static void writeQuietly(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text);
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("cannot write {}: {}", file, e.toString());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", file, e.toString());
        }
    }

    private static final String SYSTEM_NAME = "rill";

    /**
     * Waits until this node is a member of the cluster (so that nothing is consumed before it can learn), then
     * registers the cluster's JMX bean.
     */
    private static ClusterMetrics joinCluster(ActorSystem<?> system, ClusterSettings cluster, Jmx jmx) {
        Cluster members = Cluster.get(Adapter.toClassic(system));
        CompletableFuture<Done> up = new CompletableFuture<>();
        members.registerOnMemberUp(() -> up.complete(Done.getInstance()));
        try {
            up.get(cluster.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not join the cluster at " + cluster.seedNodes() + " within "
                    + cluster.joinTimeout() + " (rill.cluster.join-timeout): is a seed node up, and reachable at "
                    + "the address it is listed under?");
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("waiting to join the cluster: " + e, e);
        }
        log.info("node {} is up in the cluster (seeds {})", system.address(), cluster.seedNodes());
        ClusterMetrics metrics = new ClusterMetrics(members.selfAddress().toString(), members::state,
                () -> members.selfMember().status().toString());
        jmx.register(metrics, ClusterMBean.class, Jmx.name("type=Cluster"));
        return metrics;
    }

    /** A learner's part of a checkpoint. */
    private record CheckpointPart(String section, Supplier<CompletionStage<byte[]>> exporter)
            implements CheckpointCoordinator.StatePart {
        @Override
        public CompletionStage<byte[]> export() {
            return exporter.get();
        }
    }

    /** Loads the newest valid checkpoint, if any, saying on the log and on JMX what was loaded and what skipped. */
    private static Optional<Checkpoint> restore(CheckpointStore store, CheckpointMetrics metrics) {
        CheckpointStore.LoadResult result;
        try {
            result = store.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint directory " + store.directory(), e);
        }
        result.skipped().forEach(skipped -> log.warn("checkpoint {} skipped: {}", skipped.file(), skipped.reason()));
        metrics.invalidSkipped(result.skipped().size());
        result.loaded().ifPresentOrElse(loaded -> {
            metrics.restored(loaded.checkpoint().sequence(), result.skipped().size());
            log.info("restoring checkpoint {} ({}, {} bytes, written {}), offsets {}", loaded.checkpoint().sequence(),
                    loaded.file().getFileName(), loaded.bytes(), loaded.checkpoint().createdAt(),
                    loaded.checkpoint().offsets());
        }, () -> log.info("no checkpoint in {}: starting afresh", store.directory()));
        return result.checkpoint();
    }

    private static long nextSequence(CheckpointStore store) {
        try {
            return store.nextSequence();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint directory " + store.directory(), e);
        }
    }

    /** Asks the coordinator for a checkpoint now; completes when it is written or abandoned. */
    private static CompletionStage<CheckpointCoordinator.Result> askCheckpoint(
            ActorSystem<?> system, ActorRef<CheckpointCoordinator.Command> coordinator, CheckpointSettings settings) {
        return AskPattern.ask(coordinator, CheckpointCoordinator.CheckpointNow::new,
                settings.barrierTimeout().multipliedBy(2), system.scheduler());
    }

    private static List<TopicSpec> topicSpecs(RillSettings settings) {
        List<TopicSpec> specs = TopicSpec.loadAll(settings.topicsDir().orElse(null));
        if (settings.replicationFactorOverride() > 0) {
            specs = specs.stream().map(s -> s.withReplicationFactor((short) settings.replicationFactorOverride())).toList();
        }
        return specs;
    }

    private static RemoteJmxServer startRemoteJmx(RemoteJmxSettings jmx) {
        try {
            return RemoteJmxServer.start(jmx);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start remote JMX on " + jmx.host() + ":" + jmx.port(), e);
        }
    }

    /** An embedded broker that wants SASL/PLAIN logins refuses rill's own clients unless they log in too. */
    private static void checkEmbeddedLogins(RillSettings settings) {
        if (!settings.embeddedSaslPlainUsers().isEmpty()
                && !"SASL_PLAINTEXT".equals(settings.clientProperties().get("security.protocol"))) {
            throw new IllegalArgumentException("rill.kafka.embedded.sasl-plain-users makes the embedded broker "
                    + "accept SASL/PLAIN logins only, so rill's own clients must log in too: set "
                    + "rill.kafka.client-properties { \"security.protocol\" = \"SASL_PLAINTEXT\", "
                    + "\"sasl.mechanism\" = \"PLAIN\", \"sasl.jaas.config\" = \"...\" }");
        }
    }

    private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system,
                                         akka.actor.typed.Behavior<T> behavior, String name) {
        return spawner(system).spawn(behavior, name, Props.empty());
    }

    static Spawner spawner(ActorSystem<SpawnProtocol.Command> system) {
        return new Spawner() {
            @Override
            public <T> ActorRef<T> spawn(akka.actor.typed.Behavior<T> behavior, String name, Props props) {
                CompletionStage<ActorRef<T>> spawned = AskPattern.ask(system,
                        replyTo -> new SpawnProtocol.Spawn<>(behavior, name, props, replyTo),
                        ASK_TIMEOUT, system.scheduler());
                return spawned.toCompletableFuture().join();
            }
        };
    }

    /** The node's models of type {@code type} (a learner's class, such as {@code CharModel}), by name. */
    public <T extends Learner> Map<String, T> models(Class<T> type) {
        Map<String, T> matching = new LinkedHashMap<>();
        models.forEach((name, model) -> {
            if (type.isInstance(model)) {
                matching.put(name, type.cast(model));
            }
        });
        return matching;
    }

    /** The counts of every stream actor of this node, asked of the actors themselves, sorted by stream. */
    public List<StreamActor.Counts> streamCounts() {
        List<ActorRef<StreamActor.Command>> streams = AskPattern.<StreamSupervisor.Command, StreamSupervisor.StreamList>ask(
                supervisor, StreamSupervisor.ListStreams::new, ASK_TIMEOUT, system.scheduler())
                .toCompletableFuture().join().streams();
        List<StreamActor.Counts> counts = new ArrayList<>();
        for (ActorRef<StreamActor.Command> stream : streams) {
            counts.add(AskPattern.<StreamActor.Command, StreamActor.Counts>ask(
                    stream, StreamActor.GetCounts::new, ASK_TIMEOUT, system.scheduler()).toCompletableFuture().join());
        }
        counts.sort(Comparator.comparing(StreamActor.Counts::topic).thenComparingInt(StreamActor.Counts::partition));
        return counts;
    }

    public NodeStatus status() {
        return status;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public long brokerStartMillis() {
        return brokerStartMillis;
    }

    public RillSettings settings() {
        return settings;
    }

    /** The address of the node's HTTP endpoint ({@code host:port}), if it serves one (rill.http.enabled). */
    public Optional<String> httpAddress() {
        return Optional.ofNullable(http).map(HttpEndpoint::address);
    }

    /** Whether the node is up, part by part, as {@code /health} reports it. */
    public Health.Report health() {
        return health.report();
    }

    public ActorSystem<SpawnProtocol.Command> system() {
        return system;
    }

    /** Blocks until the node has stopped (by {@link #close}, a signal, or a fatal error). */
    public void awaitTermination() throws InterruptedException {
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @Override
    public void close() {
        CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
        try {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("node did not stop within 60 s: {}", e.toString());
        }
    }
}
