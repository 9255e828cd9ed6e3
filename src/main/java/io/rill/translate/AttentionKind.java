package io.rill.translate;

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
import io.rill.ops.Jmx;
import io.rill.request.RequestHandler;
import io.rill.request.RequestKind;
import io.rill.text.TokenizerKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Translation with attention, learned online from sentence pairs: a model of kind {@code attention} in
 * {@code rill.models}, with the defaults of {@code rill.translate}, learning from topics tokenized as lines
 * ({@code source<TAB>target}). Each model has its parameter server, data and worker ({@link TranslationModel}), a
 * {@link Translator} on every node that answers its translation requests ({@code rill.translation}), and a
 * {@link TranslatorProgress} (one in the whole cluster) that publishes held-out loss, BLEU-4 and a sample translation
 * with its attention map. JMX: {@code rill:type=Translator,model=<name>} per model and {@code rill:type=Translation}
 * for the requests of all of them.
 */
public final class AttentionKind implements LearnerKind {

    public static final String NAME = "attention";

    /** A translator's or reporter's ask for a copy of its model, lost with its server if a node dies: bounded. */
    private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(10);

    /** The node's one kind of translation request, made with the first model. */
    private RequestKind<TranslationRequest> translation;
    private TranslationSettings translationSettings;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultsPath() {
        return "rill.translate";
    }

    @Override
    public TokenizerKind tokenizer() {
        return TokenizerKind.LINES;
    }

    @Override
    public Learner start(ModelSpec spec, LearnerContext context) {
        if (translation == null) {
            translationSettings = TranslationSettings.from(context.config());
            translation = new RequestKind<>("translation", translationSettings.requests(),
                    new TranslationRequestParser(translationSettings).reader(), new TranslationMetrics(),
                    TranslationMBean.class, "type=Translation");
        }
        TranslationSettings requests = translationSettings;
        TranslationMetrics requestMetrics = (TranslationMetrics) translation.metrics();
        TranslatorSettings settings = TranslatorSettings.of(spec.config());
        TranslatorMetrics metrics = new TranslatorMetrics();
        context.jmx().register(metrics, TranslatorMBean.class, Jmx.name("type=Translator,model=" + spec.name()));
        TranslationModel model = new TranslationModel(spec.name(), settings, context.system(), context.spawner(),
                context.placement(), context.lineRejects(), metrics);

        DispatcherSelector dispatcher = DispatcherSelector.fromConfig(TranslationSettings.DISPATCHER);
        ActorRef<Translator.Command> translator = context.spawner().spawn(Translator.create(
                        () -> model.snapshot(VIEW_TIMEOUT), settings.architecture(), requests.snapshotInterval(),
                        requestMetrics),
                "translator-" + spec.name(), dispatcher);
        if (requests.enabled()) {
            context.serve(translation, spec.name(), request -> AskPattern.<Translator.Command,
                    RequestHandler.Answer>ask(translator, replyTo -> new Translator.Translate(request, replyTo),
                    requests.timeout(), context.system().scheduler()));
        }

        TranslatorProgress.Publisher publisher = (key, value) -> context.publisher()
                .publish(requests.repliesTopic(), key.getBytes(StandardCharsets.UTF_8), value)
                .whenComplete((sent, failure) -> {
                    if (failure != null) {
                        requestMetrics.publishFailed();
                    } else {
                        requestMetrics.progressPublished();
                    }
                });
        Behavior<TranslatorProgress.Command> reporter = TranslatorProgress.create(spec.name(), settings,
                model.parameters(), () -> model.snapshot(VIEW_TIMEOUT), metrics, publisher);
        if (context.clustered()) {
            ClusterSingleton.get(context.system()).init(SingletonActor.of(Behaviors.supervise(reporter)
                    .onFailure(SupervisorStrategy.restart()), "translator-progress-" + spec.name())
                    .withProps(dispatcher));
        } else {
            context.spawner().spawn(reporter, "translator-progress-" + spec.name(), dispatcher);
        }
        return model;
    }
}
