package io.rill.classify;

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
import io.rill.learn.WordVectors;
import io.rill.ops.Jmx;
import io.rill.request.RequestHandler;
import io.rill.request.RequestKind;
import io.rill.text.TokenizerKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sentence classifiers (Kim's 2014 CNN) learned online from topics of labelled lines ({@code label<TAB>sentence},
 * tokenized as lines), and classification over Kafka: a model of kind {@code kim-cnn} in {@code rill.models}, with
 * the defaults of {@code rill.classify}. Each model has its parameter server, data and worker
 * ({@link ClassifierModel}), a {@link Classifier} on every node that answers its requests, and a
 * {@link ClassifierProgress} (one in the whole cluster) that scores the held-out sentences and publishes progress.
 * JMX: {@code rill:type=Classifier,model=<name>} per model and {@code rill:type=Classification} for the requests.
 *
 * <p>Pre-trained vectors ({@code vectors}): {@code model:<name>}, a skip-gram model started before this one (its
 * dimension is the classifier's), or {@code file:<path>}, a word2vec file read at start ({@code vectors-binary}).
 */
public final class KimCnnKind implements LearnerKind {

    public static final String NAME = "kim-cnn";

    private static final Logger log = LoggerFactory.getLogger(KimCnnKind.class);
    /** How long the start waits for a skip-gram model's first copy of its vectors. */
    private static final long VECTORS_TIMEOUT_SECONDS = 60;

    private RequestKind<ClassificationRequest> classification;
    private ClassificationSettings classificationSettings;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultsPath() {
        return "rill.classify";
    }

    @Override
    public TokenizerKind tokenizer() {
        return TokenizerKind.LINES;
    }

    @Override
    public Learner start(ModelSpec spec, LearnerContext context) {
        if (classification == null) {
            classificationSettings = ClassificationSettings.from(context.config());
            classification = new RequestKind<>("classification", classificationSettings.requests(),
                    new ClassificationRequestParser(classificationSettings.requests().maxRequestBytes(),
                            classificationSettings.maxTextLength()).reader(),
                    new ClassificationMetrics(), ClassificationMBean.class, "type=Classification");
        }
        ClassificationSettings requests = classificationSettings;
        ClassificationMetrics requestMetrics = (ClassificationMetrics) classification.metrics();
        ClassifierSettings settings = ClassifierSettings.of(spec.config());
        VectorSource source;
        Pretrained initial;
        if (!settings.variant().pretrained()) {
            if (!settings.vectors().isEmpty()) {
                log.warn("model {} is {}: its rows are random, vectors = \"{}\" is not used", spec.name(),
                        settings.variant().configName(), settings.vectors());
            }
            source = VectorSource.none(settings.dimension(), settings.randRange());
            initial = Pretrained.none(settings.dimension(), settings.randRange());
        } else {
            source = source(spec.name(), settings, context);
            try {
                initial = source.vectors().toCompletableFuture().get(VECTORS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("model " + spec.name() + ": no vectors from " + source.description()
                        + " within " + VECTORS_TIMEOUT_SECONDS + " s: " + e, e);
            }
        }
        CnnConfig config = settings.cnn(initial.dimension());
        log.info("classifier {}: {}, vectors: {} ({} words)", spec.name(), config, source.description(),
                initial.size());
        ClassifierMetrics metrics = new ClassifierMetrics(settings.prequentialWindow());
        context.jmx().register(metrics, ClassifierMBean.class, Jmx.name("type=Classifier,model=" + spec.name()));
        boolean recycle = !context.clustered();
        ClassifierModel model = new ClassifierModel(spec.name(), settings, config, source, initial, recycle,
                context.system(), context.spawner(), context.placement(), context.lineRejects(), metrics);

        DispatcherSelector dispatcher = DispatcherSelector.fromConfig(ClassificationSettings.DISPATCHER);
        ActorRef<Classifier.Command> classifier = context.spawner().spawn(Classifier.create(spec.name(), config,
                        model.parameters(), model.data(), source, recycle, requests.snapshotInterval(),
                        settings.stepTimeout(), requestMetrics),
                "classifier-" + spec.name(), dispatcher);
        if (requests.requests().enabled()) {
            context.serve(classification, spec.name(), request -> AskPattern.<Classifier.Command,
                    RequestHandler.Answer>ask(classifier, replyTo -> new Classifier.Classify(request, replyTo),
                    requests.requests().timeout(), context.system().scheduler()));
        }

        ClassifierProgress.Publisher publisher = (key, value) -> context.publisher()
                .publish(settings.progressTopic(), key.getBytes(StandardCharsets.UTF_8), value)
                .whenComplete((sent, failure) -> {
                    if (failure != null) {
                        requestMetrics.publishFailed();
                    } else {
                        requestMetrics.progressPublished();
                    }
                });
        Behavior<ClassifierProgress.Command> progress = ClassifierProgress.create(spec.name(), config,
                model.parameters(), model.data(), recycle, settings.progressInterval(), settings.stepTimeout(),
                metrics, publisher);
        if (context.clustered()) {
            ClusterSingleton.get(context.system()).init(SingletonActor.of(Behaviors.supervise(progress)
                    .onFailure(SupervisorStrategy.restart()), "classifier-progress-" + spec.name())
                    .withProps(dispatcher));
        } else {
            context.spawner().spawn(progress, "classifier-progress-" + spec.name(), dispatcher);
        }
        return model;
    }

    private static VectorSource source(String name, ClassifierSettings settings, LearnerContext context) {
        String vectors = settings.vectors();
        if (vectors.startsWith("file:")) {
            Path path = Path.of(vectors.substring("file:".length()).trim());
            try {
                return VectorSource.fixed(Pretrained.of(VectorFile.read(path, settings.vectorsBinary())),
                        "file " + path);
            } catch (IOException e) {
                throw new UncheckedIOException("model " + name + ": cannot read its vectors: " + e.getMessage(), e);
            }
        }
        if (vectors.startsWith("model:")) {
            String other = vectors.substring("model:".length()).trim();
            Learner learner = context.model(other).orElseThrow(() -> new IllegalArgumentException("model " + name
                    + " reads the vectors of model " + other + ", which this node does not run (or starts later)"));
            if (!(learner instanceof WordVectors words)) {
                throw new IllegalArgumentException("model " + name + " reads the vectors of model " + other
                        + ", which has none (a skip-gram model has)");
            }
            return VectorSource.model(other, words);
        }
        throw new IllegalArgumentException("model " + name + " is " + settings.variant().configName()
                + ": it needs pre-trained vectors, vectors = \"model:<skip-gram model>\" or \"file:<word2vec "
                + "file>\"");
    }
}
