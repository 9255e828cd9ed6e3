package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.rill.ps.ParameterServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trains one character model's chunks: every stream of the model sends its next chunk (T characters of each of its
 * lanes, with the lanes' carried state), the worker gathers the chunks of all active streams into one batch, runs
 * forward and backward once for the whole batch ({@link CharLstm}), answers each stream with its lanes' new state,
 * and pushes the gradient to the parameter server without waiting. Every {@code pull-every-steps} steps it asks for
 * fresh parameters and goes on with the ones it has until they arrive, so training and the server's updates overlap.
 *
 * <p>Gathering: a stream sends its next chunk only after the answer to its last one, so the worker waits for the
 * streams that took part in the last step, at most {@code gather-window}; a stream that has nothing to send is left
 * out of the step and rejoins with its next chunk.
 *
 * <p>State it owns: its copy of the parameters and their version, the chunks waiting for a step. Lost when it
 * stops: nothing the model needs; the waiting streams ask again after their step timeout.
 */
public final class LstmWorker extends AbstractBehavior<LstmWorker.Command> {

  public sealed interface Command {
  }

  /**
   * A chunk of one stream: {@code inputs[lane][t]}, {@code targets[lane][t]}, and its lanes' carried state.
   * {@code replyTo} gets the state after the chunk.
   */
  public record Train(String stream, int[][] inputs, int[][] targets, LstmState state, ActorRef<Trained> replyTo)
      implements Command {
  }

  /** The lanes' state after the chunk, the batch's mean loss, and the parameter version it was computed on. */
  public record Trained(LstmState state, double loss, long version) {
  }

  /** A pull's answer: the parameters, or why there are none (on a cluster, the server may be moving). */
  private record Fresh(ParameterServer.Snapshot snapshot, Throwable failure) implements Command {
  }

  private enum GatherWindowEnded implements Command {
    INSTANCE
  }

  private final LstmSettings settings;
  private final ActorRef<ParameterServer.Command> server;
  private final CharModelMetrics metrics;
  private final TimerScheduler<Command> timers;
  private final CharLstm engine;
  private final Map<ActorRef<Trained>, Train> waiting = new LinkedHashMap<>();
  private Set<ActorRef<Trained>> expected = new HashSet<>();
  private LstmParams params;
  private LstmGradients gradients;
  private long version;
  private boolean pullInFlight;
  private int stepsSincePull;

  public static Behavior<Command> create(LstmSettings settings, ActorRef<ParameterServer.Command> server,
                                         CharModelMetrics metrics, long seed) {
    return Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new LstmWorker(context, timers, settings, server, metrics, seed)));
  }

  private LstmWorker(ActorContext<Command> context, TimerScheduler<Command> timers, LstmSettings settings,
                     ActorRef<ParameterServer.Command> server, CharModelMetrics metrics, long seed) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.server = server;
    this.metrics = metrics;
    this.engine = new CharLstm(settings.architecture(), seed, settings.computeThreads());
    pull();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Train.class, this::onTrain)
        .onMessage(Fresh.class, this::onFresh)
        .onMessageEquals(GatherWindowEnded.INSTANCE, this::onGatherWindowEnded)
        .build();
  }

  private Behavior<Command> onTrain(Train train) {
    waiting.put(train.replyTo(), train); // a stream that asks again after a timeout replaces its chunk
    if (waiting.keySet().containsAll(expected)) {
      step();
    } else if (!timers.isTimerActive(GatherWindowEnded.INSTANCE)) {
      timers.startSingleTimer(GatherWindowEnded.INSTANCE, settings.gatherWindow());
    }
    return this;
  }

  private Behavior<Command> onGatherWindowEnded() {
    step();
    return this;
  }

  private Behavior<Command> onFresh(Fresh fresh) {
    pullInFlight = false;
    if (fresh.failure() != null) {
      getContext().getLog().warn("no parameters from the server ({}); pulling again", fresh.failure().toString());
      pull();
      return this;
    }
    params = LstmParams.wrap(settings.architecture(), fresh.snapshot().params());
    version = fresh.snapshot().version();
    if (gradients == null || gradients.vocabularySize() != params.vocabularySize()) {
      gradients = LstmGradients.zerosLike(params);
    }
    if (!waiting.isEmpty() && (waiting.keySet().containsAll(expected)
        || !timers.isTimerActive(GatherWindowEnded.INSTANCE))) {
      step();
    }
    return this;
  }

  /** Trains every waiting chunk as one batch, if the parameters know all their characters. */
  private void step() {
    timers.cancel(GatherWindowEnded.INSTANCE);
    if (waiting.isEmpty() || params == null) {
      return;
    }
    List<Train> chunks = new ArrayList<>(waiting.values());
    int steps = chunks.get(0).inputs()[0].length;
    int lanes = 0;
    for (Train chunk : chunks) {
      if (maxId(chunk) >= params.vocabularySize()) {
        pull(); // the vocabulary grew since our copy: wait for one that has the new characters
        return;
      }
      lanes += chunk.inputs().length;
    }
    long start = System.nanoTime();
    int[][] inputs = new int[lanes][];
    int[][] targets = new int[lanes][];
    List<LstmState> states = new ArrayList<>(chunks.size());
    int row = 0;
    for (Train chunk : chunks) {
      for (int lane = 0; lane < chunk.inputs().length; lane++, row++) {
        inputs[row] = chunk.inputs()[lane];
        targets[row] = chunk.targets()[lane];
      }
      states.add(chunk.state());
    }
    CharLstm.ChunkResult result = engine.trainChunk(params, inputs, targets, LstmState.concat(states), gradients);
    server.tell(new ParameterServer.Push(gradients.tensors(), version, lanes * steps, result.loss()));
    gradients = LstmGradients.zerosLike(params); // the pushed buffer now belongs to the server
    metrics.step(chunks.size(), lanes, System.nanoTime() - start);
    row = 0;
    for (Train chunk : chunks) {
      int count = chunk.inputs().length;
      chunk.replyTo().tell(new Trained(result.finalState().rows(row, count), result.loss(), version));
      row += count;
    }
    expected = new HashSet<>(waiting.keySet());
    waiting.clear();
    if (++stepsSincePull >= settings.pullEverySteps()) {
      pull();
    }
  }

  private void pull() {
    if (!pullInFlight) {
      pullInFlight = true;
      stepsSincePull = 0;
      // Asked with a timeout: a pull lost with its server (a node that died) must not stop this worker forever.
      getContext().ask(ParameterServer.Snapshot.class, server, settings.stepTimeout(), ParameterServer.Pull::new,
          Fresh::new);
    }
  }

  private static int maxId(Train chunk) {
    int max = 0;
    for (int[][] ids : new int[][][] {chunk.inputs(), chunk.targets()}) {
      for (int[] lane : ids) {
        for (int id : lane) {
          max = Math.max(max, id);
        }
      }
    }
    return max;
  }
}
