package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import io.rill.learn.Learner;
import io.rill.learn.LearnerContext;
import io.rill.learn.LearnerKind;
import io.rill.learn.ModelSpec;
import io.rill.nn.MatrixThreads;
import io.rill.ops.Jmx;
import io.rill.request.RequestHandler;
import io.rill.request.RequestKind;
import io.rill.text.TokenizerKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Character models (an LSTM or a vanilla RNN) learned online by truncated BPTT from topics tokenized into characters,
 * and name generation over Kafka: a model of kind {@code char-lstm} in {@code rill.models}, with the defaults of
 * {@code rill.lstm}. Each model has its parameter server and worker ({@link CharModel}), {@code
 * generators-per-model} {@link Generator}s on every node that answer its generation requests, and a {@link ProgressReporter} (one in the whole cluster) that
 * publishes fresh samples with the held-out loss. JMX: {@code rill:type=CharModel,model=<name>} per model and
 * {@code rill:type=Generation} for the requests of all of them.
 */
public final class CharLstmKind implements LearnerKind {

    public static final String NAME = "char-lstm";

    /** A generator's ask for a copy of its model, lost with its server if a node dies: bounded. */
    private static final java.time.Duration VIEW_TIMEOUT = java.time.Duration.ofSeconds(10);

    /** The node's one kind of generation request, made with the first model. */
    private RequestKind<GenerationRequest> generation;
    private GenerationSettings generationSettings;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultsPath() {
        return "rill.lstm";
    }

    @Override
    public TokenizerKind tokenizer() {
        return TokenizerKind.CHARACTERS;
    }

    @Override
    public Learner start(ModelSpec spec, LearnerContext context) {
        if (generation == null) {
            // Process-wide, once: the worker splits its batch over the cores itself (rill.lstm.compute-threads).
            MatrixThreads.set(context.config().getInt("rill.nn.blas-threads"));
            generationSettings = GenerationSettings.from(context.config());
            generation = new RequestKind<>("generation", generationSettings.requests(),
                    new GenerationRequestParser(generationSettings.limits()).reader(), new GenerationMetrics(),
                    GenerationMBean.class, "type=Generation");
        }
        GenerationSettings settings = generationSettings;
        GenerationMetrics generationMetrics = (GenerationMetrics) generation.metrics();
        LstmSettings lstm = LstmSettings.of(spec.config());
        LstmSettings.Model model = new LstmSettings.Model(spec.name(), spec.topics(),
                LstmSettings.linePerSequence(spec.config().getString("sequences")));
        CharModelMetrics metrics = new CharModelMetrics();
        context.jmx().register(metrics, CharModelMBean.class, Jmx.name("type=CharModel,model=" + spec.name()));
        CharModel charModel = new CharModel(model, lstm,
                () -> new SeenSequences(settings.seenExpected(), settings.seenFalsePositiveRate()), context.system(),
                context.spawner(), context.placement(), metrics);

        DispatcherSelector dispatcher = DispatcherSelector.fromConfig(GenerationSettings.DISPATCHER);
        Generator.Views views = withSeen -> CharModelView.ask(context.system(), lstm.architecture(),
                charModel.parameters(), charModel.data(), withSeen, VIEW_TIMEOUT);
        // Generators of this model, each with its own snapshot, the requests dealt round-robin: while one samples a
        // pass, the requests that arrive meanwhile go to the others as well as queue for its next pass.
        List<ActorRef<Generator.Command>> generators = new ArrayList<>();
        for (int g = 0; g < settings.generatorsPerModel(); g++) {
            generators.add(context.spawner().spawn(Generator.create(views, settings.snapshotInterval(),
                            settings.seenRefreshInterval(), settings.novelAttempts(), settings.batchSamples(),
                            lstm.seed() + 11 + 1000L * g, generationMetrics),
                    g == 0 ? "generator-" + spec.name() : "generator-" + spec.name() + "-" + g, dispatcher));
        }
        AtomicInteger next = new AtomicInteger();
        if (settings.enabled()) {
            context.serve(generation, spec.name(), request -> AskPattern.<Generator.Command, RequestHandler.Answer>ask(
                    generators.get(Math.floorMod(next.getAndIncrement(), generators.size())),
                    replyTo -> new Generator.Generate(request, replyTo), settings.timeout(),
                    context.system().scheduler()));
        }

        ProgressReporter.Publisher publisher = (key, value) -> context.publisher()
                .publish(settings.repliesTopic(), key.getBytes(StandardCharsets.UTF_8), value)
                .whenComplete((sent, failure) -> {
                    if (failure != null) {
                        generationMetrics.publishFailed();
                    } else {
                        generationMetrics.progressPublished();
                    }
                });
        Behavior<ProgressReporter.Command> reporter = ProgressReporter.create(charModel.parameters(),
                charModel.data(), lstm.architecture(), lstm.progressSamples(), lstm.progressTemperature(), settings.limits().defaultMaxLength(),
                lstm.seed() + 13, metrics, publisher);
        if (context.clustered()) {
            // One generated-name stream per model for the whole cluster, not one per node.
            ClusterSingleton.get(context.system()).init(SingletonActor.of(Behaviors.supervise(reporter)
                    .onFailure(SupervisorStrategy.restart()), "progress-" + spec.name()).withProps(dispatcher));
        } else {
            context.spawner().spawn(reporter, "progress-" + spec.name(), dispatcher);
        }
        return charModel;
    }
}
