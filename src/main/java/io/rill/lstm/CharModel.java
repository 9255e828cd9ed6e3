package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.Behavior;
import io.rill.learn.Learner;
import io.rill.learn.Spawner;
import io.rill.learn.StreamLearner;
import java.util.Map;
import io.rill.ps.CharModelServer;
import io.rill.ps.Placement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One character model of a node, assembled: its parameter server and its worker. It hands each of the model's
 * streams the link it feeds ({@link #linkFor}), which makes the stream's own {@link CharStreamActor}. Not an actor
 * itself: it only wires actors and asks them.
 */
public final class CharModel implements Learner {

  private final LstmSettings.Model model;
  private final LstmSettings settings;
  private final ActorSystem<?> system;
  private final CharModelMetrics metrics;
  private final ActorRef<CharModelServer.Command> server;
  private final ActorRef<LstmWorker.Command> worker;

  /**
   * Places the model's parameter server (starting from its restored state if there is one, with an empty seen set
   * from {@code newSeen} otherwise) and spawns its worker.
   */
  public CharModel(LstmSettings.Model model, LstmSettings settings, Supplier<SeenSequences> newSeen,
                   ActorSystem<?> system, Spawner spawner, Placement placement,
                   CharModelMetrics metrics) {
    this.model = model;
    this.settings = settings;
    this.system = system;
    this.metrics = metrics;
    this.server = placement.place(CharModelServer.KIND, List.of(model.name()), (id, restored, sink) ->
        CharModelServer.create(id, settings, newSeen.get(), metrics, restored, sink)).get(model.name());
    ActorRef<CharModelServer.Command> serverRef = this.server;
    metrics.setLearningRateWith(rate -> serverRef.tell(new CharModelServer.SetLearningRate(rate)));
    this.worker = spawner.spawn(Behaviors.supervise(LstmWorker.create(settings, server, metrics, settings.seed() + 7))
            .onFailure(SupervisorStrategy.restart()), "char-model-" + model.name() + "-worker",
        DispatcherSelector.fromConfig(LstmSettings.WORKER_DISPATCHER));
  }

  @Override
  public String name() {
    return model.name();
  }

  public LstmSettings.Model model() {
    return model;
  }

  public CharModelMetrics metrics() {
    return metrics;
  }

  public ActorRef<CharModelServer.Command> server() {
    return server;
  }

  @Override
  public Behavior<StreamLearner.Command> streamLearner(String topic, int partition, byte[] restored) {
    return CharStreamActor.create(topic + "-" + partition, settings, model.linePerSequence(), server, worker, metrics,
        restored);
  }

  /** The checkpoint section name of a model's parameter server. */
  public static String section(String model) {
    return CharModelServer.KIND.section(model);
  }

  @Override
  public Map<String, Supplier<CompletionStage<byte[]>>> checkpointParts(Duration timeout) {
    return Map.of(section(model.name()), () -> exportState(timeout));
  }

  /** The parameter server's whole state as bytes, for a checkpoint. */
  public CompletionStage<byte[]> exportState(Duration timeout) {
    return AskPattern.<CharModelServer.Command, CharModelServer.ExportedState>ask(server,
            CharModelServer.ExportState::new, timeout, system.scheduler())
        .thenApply(CharModelServer.ExportedState::bytes);
  }

  /** A copy of the model now, with its seen set and held-out lines. */
  public CompletionStage<CharModelServer.Snapshot> snapshot(Duration timeout) {
    return AskPattern.ask(server, replyTo -> new CharModelServer.Pull(true, replyTo), timeout, system.scheduler());
  }
}
