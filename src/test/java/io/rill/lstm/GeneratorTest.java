package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rill.request.RequestHandler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A generator answers every request, each with its own reply, however many arrive at once: requests that wait while
 * it samples are answered together in its next pass, a pass is bounded by batch-samples, and a request refused for
 * its prefix does not disturb the others of its pass.
 */
class GeneratorTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ObjectMapper json = new ObjectMapper();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyRequestOfABurstIsAnsweredAndWaitingOnesShareAPass() throws Exception {
    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters("abcdefgh");
    LstmParams params = LstmParams.initialize(LstmConfig.lstm(4, 16), vocabulary.size(), 7);
    SeenSequences seen = new SeenSequences(1000, 0.01);
    seen.add("abc");
    CharModelView view = new CharModelView("names", params, vocabulary, 42, 0, seen, List.of());
    GenerationMetrics metrics = new GenerationMetrics();
    ActorRef<Generator.Command> generator = testKit.spawn(Generator.create(
        withSeen -> CompletableFuture.completedFuture(view), Duration.ofMinutes(1), Duration.ofMinutes(1), 10, 20,
        1, metrics));
    TestProbe<RequestHandler.Answer> probe = testKit.createTestProbe();
    int requests = 200;
    for (int r = 0; r < requests; r++) {
      String prefix = r % 50 == 7 ? "xz" : r % 3 == 0 ? "a" : "";
      generator.tell(new Generator.Generate(new GenerationRequest("r" + r, "names", 1 + r % 4, 0.8, 0, prefix,
          4 + r % 9, r % 5 == 0), probe.ref()));
    }
    Set<String> answered = new HashSet<>();
    int refused = 0;
    for (int r = 0; r < requests; r++) {
      RequestHandler.Answer answer = probe.receiveMessage(Duration.ofSeconds(20));
      if (answer instanceof RequestHandler.Refused refusal) {
        assertThat(refusal.error().code().wireName()).isEqualTo("unknown-characters");
        refused++;
        continue;
      }
      JsonNode reply = json.readTree(((RequestHandler.Reply) answer).json());
      String id = reply.get("id").asText();
      assertThat(answered.add(id)).as("answered once: " + id).isTrue();
      int k = Integer.parseInt(id.substring(1));
      assertThat(reply.get("version").asLong()).isEqualTo(42);
      JsonNode samples = reply.get("samples");
      if (k % 5 != 0) { // novelOnly may keep fewer
        assertThat(samples.size()).isEqualTo(1 + k % 4);
      }
      for (JsonNode sample : samples) {
        String text = sample.get("text").asText();
        assertThat(text).startsWith(k % 3 == 0 ? "a" : "");
        assertThat(text.codePointCount(0, text.length())).isLessThanOrEqualTo(4 + k % 9);
        if (k % 5 == 0) {
          assertThat(sample.get("inTraining").asBoolean()).isFalse();
        }
      }
    }
    assertThat(refused).isEqualTo(4);
    assertThat(answered).hasSize(requests - refused);
    // A burst queues behind the first pass: fewer passes than requests, none over batch-samples (20 samples, at
    // most 4 per request, so at least 5 requests fit a pass).
    assertThat(metrics.getSamplingPasses()).isLessThan(requests);
    assertThat(metrics.getRequestsPerPass()).isGreaterThan(1.0);
  }
}
