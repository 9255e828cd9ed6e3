package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import io.rill.learn.Learner;
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
 * One character model of a node, assembled: its parameter server (the LSTM's tensors, Adam, clipping; a generic
 * {@link ParameterServer}), its data ({@link CharModelData}: vocabulary, seen set, held-out lines) and its worker.
 * Each of the model's streams gets its own {@link CharStreamActor}. Not an actor itself: it only wires actors and
 * asks them.
 */
public final class CharModel implements Learner {

  /** The parameter servers of character models. */
  public static final Placement.Kind<ParameterServer.Command> PARAMETERS = ParameterServer.kind("char-model");

  private final LstmSettings.Model model;
  private final LstmSettings settings;
  private final ActorSystem<?> system;
  private final CharModelMetrics metrics;
  private final ActorRef<ParameterServer.Command> parameters;
  private final ActorRef<CharModelData.Command> data;
  private final ActorRef<LstmWorker.Command> worker;

  /**
   * Places the model's parameter server and data (each from its restored state if there is one, the data with an
   * empty seen set from {@code newSeen} otherwise) and spawns its worker.
   */
  public CharModel(LstmSettings.Model model, LstmSettings settings, Supplier<SeenSequences> newSeen,
                   ActorSystem<?> system, Spawner spawner, Placement placement, CharModelMetrics metrics) {
    this.model = model;
    this.settings = settings;
    this.system = system;
    this.metrics = metrics;
    this.parameters = placement.place(PARAMETERS, List.of(model.name()), (id, restored, sink) ->
        ParameterServer.create(id, design(settings), restored, sink, metrics)).get(model.name());
    ActorRef<ParameterServer.Command> parametersRef = this.parameters;
    this.data = placement.place(CharModelData.KIND, List.of(model.name()), (id, restored, sink) ->
        CharModelData.create(id, settings, newSeen.get(), parametersRef, metrics, restored, sink)).get(model.name());
    metrics.setLearningRateWith(rate -> parametersRef.tell(new ParameterServer.SetLearningRate(rate)));
    this.worker = spawner.spawn(Behaviors.supervise(LstmWorker.create(settings, parameters, metrics,
            settings.seed() + 7)).onFailure(SupervisorStrategy.restart()), "char-model-" + model.name() + "-worker",
        DispatcherSelector.fromConfig(LstmSettings.WORKER_DISPATCHER));
  }

  /**
   * A character model's parameter server: the tensors of {@link LstmParams} for the end-of-sequence symbol alone,
   * growing by a vocabulary entry for every new character ({@link LstmParams#newCharacters}), updated by Adam after
   * clipping the global norm, and handing a copy to its subscribers every {@code progress.every-steps} updates.
   */
  static ServerDesign design(LstmSettings settings) {
    Random growth = new Random(settings.seed() + 1);
    return ServerDesign.dense(
        () -> LstmParams.initialize(settings.architecture(), new CharVocabulary().size(), settings.seed()).tensors(),
        tensors -> new Adam(tensors, settings.learningRate(), 0.9, 0.999, 1e-8),
        Map.of(LstmTensors.VOCABULARY, LstmParams.newCharacters(growth)), settings.gradientClip(), List.of(),
        settings.maxStaleness(), settings.progressEverySteps());
  }

  @Override
  public String name() {
    return model.name();
  }

  public LstmSettings.Model model() {
    return model;
  }

  public LstmSettings settings() {
    return settings;
  }

  public CharModelMetrics metrics() {
    return metrics;
  }

  public ActorRef<ParameterServer.Command> parameters() {
    return parameters;
  }

  public ActorRef<CharModelData.Command> data() {
    return data;
  }

  @Override
  public Behavior<StreamLearner.Command> streamLearner(String topic, int partition, byte[] restored) {
    return CharStreamActor.create(topic + "-" + partition, settings, model.linePerSequence(), data, worker, metrics,
        restored);
  }

  @Override
  public Map<String, Supplier<CompletionStage<byte[]>>> checkpointParts(Duration timeout) {
    Map<String, Supplier<CompletionStage<byte[]>>> parts = new LinkedHashMap<>();
    parts.put(PARAMETERS.section(model.name()), () -> AskPattern.<ParameterServer.Command,
        ParameterServer.ExportedState>ask(parameters, ParameterServer.ExportState::new, timeout, system.scheduler())
        .thenApply(ParameterServer.ExportedState::bytes));
    parts.put(CharModelData.KIND.section(model.name()), () -> AskPattern.<CharModelData.Command,
        CharModelData.ExportedState>ask(data, CharModelData.ExportState::new, timeout, system.scheduler())
        .thenApply(CharModelData.ExportedState::bytes));
    return parts;
  }

  /** A copy of the model now: its parameters and, with the seen set, its data. */
  public CompletionStage<CharModelView> snapshot(Duration timeout) {
    return CharModelView.ask(system, settings.architecture(), parameters, data, true, timeout);
  }
}
