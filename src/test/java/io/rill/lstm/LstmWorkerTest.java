package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.rill.lstm.CharModelMetrics;
import io.rill.ps.ParameterServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker and the parameter server together: chunks of the streams that took part in the last step are trained
 * as one batch, a stream that has nothing to send is left out after the gather window, every step's gradient reaches
 * the server as a new version, and a character added after the worker's copy makes it fetch fresh parameters.
 */
class LstmWorkerTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstm", "rnn"})
  void chunksOfActiveStreamsAreTrainedTogether(String cell) {
    LstmSettings settings = LstmSettings.from(ConfigFactory.parseString("""
            rill.lstm.cell = %s
            rill.lstm.embedding-size = 4
            rill.lstm.hidden-size = 6
            rill.lstm.bptt-steps = 3
            rill.lstm.lanes-per-stream = 2
            rill.lstm.gather-window = 400ms
            rill.lstm.pull-every-steps = 1
            """.formatted(cell)).withFallback(ConfigFactory.load()));
    CharModelMetrics metrics = new CharModelMetrics();
    ActorRef<ParameterServer.Command> server = testKit.spawn(ParameterServer.create("names",
        CharModel.design(settings), null, null, metrics));
    ActorRef<CharModelData.Command> data = testKit.spawn(CharModelData.create("names", settings,
        new SeenSequences(1000, 0.01), server, metrics, null, null));
    ActorRef<LstmWorker.Command> worker = testKit.spawn(LstmWorker.create(settings, server, metrics, 1));
    // Characters arrive after the worker took its first copy: its copy must grow before it can train them.
    TestProbe<CharModelData.Encoded> encoded = testKit.createTestProbe();
    data.tell(new CharModelData.Encode(new int[] {'a', 'b', 'c'}, encoded.getRef()));
    assertThat(encoded.receiveMessage().ids()).containsExactly(1, 2, 3);

    TestProbe<LstmWorker.Trained> a = testKit.createTestProbe();
    TestProbe<LstmWorker.Trained> b = testKit.createTestProbe();
    LstmState zeros = LstmState.zeros(settings.architecture(), 2);
    int[][] inputs = {{0, 1, 2}, {0, 3, 3}};
    int[][] targets = {{1, 2, 0}, {3, 3, 0}};

    worker.tell(new LstmWorker.Train("a", inputs, targets, zeros, a.getRef()));
    LstmWorker.Trained first = a.receiveMessage(Duration.ofSeconds(10));
    assertThat(first.state().batchSize()).isEqualTo(2);
    assertThat(metrics.getBatchLanes()).isEqualTo(2);

    // b joins; a took part in the last step, so the worker waits for a's next chunk and trains both at once.
    worker.tell(new LstmWorker.Train("b", inputs, targets, zeros, b.getRef()));
    b.expectNoMessage(Duration.ofMillis(100));
    worker.tell(new LstmWorker.Train("a", inputs, targets, first.state(), a.getRef()));
    LstmWorker.Trained secondA = a.receiveMessage(Duration.ofSeconds(10));
    LstmWorker.Trained secondB = b.receiveMessage(Duration.ofSeconds(10));
    assertThat(metrics.getBatchLanes()).isEqualTo(4);
    assertThat(metrics.getActiveStreams()).isEqualTo(2);
    assertThat(secondA.state().batchSize()).isEqualTo(2);
    assertThat(secondB.state().batchSize()).isEqualTo(2);

    // Only a sends again: after the gather window it is trained alone.
    worker.tell(new LstmWorker.Train("a", inputs, targets, secondA.state(), a.getRef()));
    a.receiveMessage(Duration.ofSeconds(10));
    assertThat(metrics.getBatchLanes()).isEqualTo(2);

    CharModelView snapshot = CharModelView.ask(testKit.system(), settings.architecture(), server, data, true,
        Duration.ofSeconds(10)).toCompletableFuture().join();
    assertThat(snapshot.version()).isEqualTo(3);
    assertThat(snapshot.charactersTrained()).isEqualTo(2 * 3 + 4 * 3 + 2 * 3);
    assertThat(snapshot.vocabulary().size()).isEqualTo(4);
    assertThat(metrics.getStalenessMax()).isLessThanOrEqualTo(1);
  }
}
