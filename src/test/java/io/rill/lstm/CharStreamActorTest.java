package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.StreamLearner;
import io.rill.lstm.CharModelMetrics;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The stream actor's truncated BPTT across Kafka records: the test plays the parameter server (character ids) and
 * the worker (it runs each chunk forward on fixed parameters and returns the state), so the chunks and carried
 * states the actor produces can be compared with reading the same characters in one go.
 */
class CharStreamActorTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final String NAMES = "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail "
      + "emily elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace chloe penelope";
  private static final CharVocabulary VOCABULARY = CharVocabulary.ofSortedCharacters(NAMES.replace(" ", ""));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void stateCarriedAcrossRecordsEqualsTheStateAfterTheSameCharactersInOneRecord() {
    List<String> names = Arrays.asList(NAMES.split(" "));
    List<FedRecord> oneRecord = List.of(new FedRecord(0, names));
    List<FedRecord> recordPerName = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      recordPerName.add(new FedRecord(i, List.of(names.get(i))));
    }
    LstmSettings settings = settings(1, 0);
    LstmParams params = LstmParams.initialize(settings.architecture(), VOCABULARY.size(), 3);
    Run whole = run(settings, params, List.of(oneRecord));
    Run split = run(settings, params, recordPerName.stream().map(List::of).toList());

    assertThat(split.inputs).hasSameSizeAs(whole.inputs).hasSizeGreaterThan(5);
    for (int c = 0; c < whole.inputs.size(); c++) {
      assertThat(split.inputs.get(c)).isDeepEqualTo(whole.inputs.get(c));
      assertThat(toArray(split.carried.get(c))).containsExactly(toArray(whole.carried.get(c)), within(1e-6f));
    }

    // The same characters in one chunk, from the zero state: end-of-sequence, then each name and its end.
    int chunks = whole.inputs.size();
    int[] stream = new int[chunks * settings.bpttSteps() + 1];
    int at = 1;
    for (String name : names) {
      for (int id : VOCABULARY.encode(name + "\n")) {
        if (at < stream.length) {
          stream[at++] = id;
        }
      }
    }
    int[][] inputs = {Arrays.copyOf(stream, stream.length - 1)};
    int[][] targets = {Arrays.copyOfRange(stream, 1, stream.length)};
    LstmState direct = new CharLstm(settings.architecture(), 0)
        .evaluateChunk(params, inputs, targets, LstmState.zeros(settings.architecture(), 1)).finalState();
    assertThat(toArray(whole.last)).containsExactly(toArray(direct), within(1e-5f));
  }

  @Test
  void linesAreDealtToLanesHeldOutLinesStayOutAndRedeliveredRecordsAreNotFedTwice() {
    LstmSettings settings = settings(4, 3);
    LstmParams params = LstmParams.initialize(settings.architecture(), VOCABULARY.size(), 3);
    List<String> names = Arrays.asList(NAMES.split(" "));
    List<FedRecord> records = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      records.add(new FedRecord(i, List.of(names.get(i))));
    }
    // The second feed repeats the first half: a source restarted from an older offset.
    Run run = run(settings, params, List.of(records, records.subList(0, 10)));
    assertThat(run.inputs.get(0)).hasNumberOfRows(4);
    int trainedCharacters = run.observed.stream().flatMap(o -> o.trainingSequences().stream())
        .mapToInt(name -> name.length() + 1).sum();
    int heldOutCharacters = run.observed.stream().flatMap(o -> o.heldOut().stream()).mapToInt(u -> u.length).sum();
    assertThat(trainedCharacters + heldOutCharacters).isEqualTo(NAMES.length() + 1);
    assertThat(heldOutCharacters).isPositive();
    assertThat(run.inputs.size() * 4 * settings.bpttSteps()).isLessThanOrEqualTo(trainedCharacters);
  }

  @Test
  void aLineLongerThanTheBacklogBoundDoesNotStallTheStream() {
    LstmSettings settings = LstmSettings.from(ConfigFactory.parseString("""
            rill.lstm.embedding-size = 4
            rill.lstm.hidden-size = 6
            rill.lstm.bptt-steps = 5
            rill.lstm.lanes-per-stream = 3
            rill.lstm.max-buffered-characters = 50
            rill.lstm.held-out.every = 0
            """).withFallback(ConfigFactory.load()));
    LstmParams params = LstmParams.initialize(settings.architecture(), VOCABULARY.size(), 3);
    String longLine = "abcdefghilmnoprstuvy".repeat(100);
    List<FedRecord> feed1 = List.of(new FedRecord(0, List.of(longLine)));
    List<FedRecord> feed2 = new ArrayList<>();
    List<String> names = Arrays.asList(NAMES.split(" "));
    for (int i = 0; i < names.size(); i++) {
      feed2.add(new FedRecord(1 + i, List.of(names.get(i))));
    }
    // Each feed must be acknowledged (run() waits for that), although the backlog stays far above 50.
    Run run = run(settings, params, List.of(feed1, feed2, feed2));
    assertThat(run.inputs).isNotEmpty();
    assertThat(run.inputs.get(0)[0]).startsWith(CharVocabulary.EOS, VOCABULARY.idOf('a'), VOCABULARY.idOf('b'));
  }

  /** One record's offset and its lines. */
  private record FedRecord(long offset, List<String> lines) {
  }

  /** Records as the stream's actor gets them: each line's characters, one token each. */
  private static StreamLearner.Learn learnOf(List<FedRecord> records, ActorRef<StreamLearner.Learned> replyTo) {
    Tokenizer characters = Tokenizer.of(TokenizerKind.CHARACTERS);
    return new StreamLearner.Learn(records.stream().map(r -> new AcceptedRecord(r.offset(), 0,
        characters.tokenize(String.join("\n", r.lines())))).toList(), replyTo);
  }

  private record Run(List<int[][]> inputs, List<LstmState> carried, LstmState last,
                     List<CharModelData.Observe> observed) {
  }

  /** Feeds {@code feeds} one after another, answering for the server and the worker, and records every chunk. */
  private static Run run(LstmSettings settings, LstmParams params, List<List<FedRecord>> feeds) {
    TestProbe<CharModelData.Command> server = testKit.createTestProbe();
    TestProbe<LstmWorker.Command> worker = testKit.createTestProbe();
    TestProbe<StreamLearner.Learned> fed = testKit.createTestProbe();
    ActorRef<StreamLearner.Command> stream = testKit.spawn(CharStreamActor.create("names-0", settings, true,
        server.getRef(), worker.getRef(), new CharModelMetrics()));
    CharLstm engine = new CharLstm(settings.architecture(), 0);
    List<int[][]> inputs = new ArrayList<>();
    List<LstmState> carried = new ArrayList<>();
    List<CharModelData.Observe> observed = new ArrayList<>();
    LstmState last = null;
    for (List<FedRecord> feed : feeds) {
      stream.tell(learnOf(feed, fed.getRef()));
      boolean acknowledged = false;
      long quietSince = System.nanoTime();
      long deadline = System.nanoTime() + 20_000_000_000L;
      // Answer the server and the worker until the feed is acknowledged and no chunk came for a while.
      while (!acknowledged || System.nanoTime() - quietSince < 300_000_000L) {
        assertThat(System.nanoTime()).as("feed acknowledged within 20 s").isLessThan(deadline);
        CharModelData.Command toServer = poll(server, 10);
        if (toServer instanceof CharModelData.Encode encode) {
          int[] ids = Arrays.stream(encode.codePoints()).map(VOCABULARY::idOf).toArray();
          encode.replyTo().tell(new CharModelData.Encoded(encode.codePoints(), ids));
        } else if (toServer instanceof CharModelData.Observe observe) {
          observed.add(observe);
        }
        if (poll(fed, 1) != null) {
          acknowledged = true;
        }
        if (poll(worker, 10) instanceof LstmWorker.Train train) {
          inputs.add(train.inputs());
          carried.add(train.state());
          last = engine.evaluateChunk(params, train.inputs(), train.targets(), train.state()).finalState();
          train.replyTo().tell(new LstmWorker.Trained(last, 0, 0));
          quietSince = System.nanoTime();
        }
      }
    }
    testKit.stop(stream);
    return new Run(inputs, carried, last, observed);
  }

  private static <T> T poll(TestProbe<T> probe, long millis) {
    try {
      return probe.receiveMessage(Duration.ofMillis(millis));
    } catch (AssertionError nothing) {
      return null;
    }
  }

  private static LstmSettings settings(int lanes, int heldOutEvery) {
    return LstmSettings.from(ConfigFactory.parseString("""
            rill.lstm.embedding-size = 4
            rill.lstm.hidden-size = 6
            rill.lstm.bptt-steps = 5
            rill.lstm.lanes-per-stream = %d
            rill.lstm.max-buffered-characters = 100000
            rill.lstm.held-out.every = %d
            """.formatted(lanes, heldOutEvery)).withFallback(ConfigFactory.load()));
  }

  private static float[] toArray(LstmState state) {
    INDArray h = state.hidden(0);
    INDArray c = state.cell(0);
    float[] hs = h.dup().data().asFloat();
    float[] cs = c.dup().data().asFloat();
    float[] all = Arrays.copyOf(hs, hs.length + cs.length);
    System.arraycopy(cs, 0, all, hs.length, cs.length);
    return all;
  }
}
