package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.LineRejects;
import io.rill.learn.StreamLearner;
import io.rill.request.RequestHandler;
import io.rill.text.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The translator's actors against probes that play their neighbours: a stream refuses bad lines (each dead-lettered
 * before the batch is answered), holds out sentences by source, asks the model's data for ids, sends the worker full
 * batches, skips redelivered records, and comes back from its exported state with the same queue; a translator of a
 * model that has not trained yet refuses with not-trained, and answers with a map once it has.
 */
class TranslatorActorsTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static TranslatorSettings settings(String overrides) {
        return TranslatorSettings.of(ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.load().getConfig("rill.translate")));
    }

    private static AcceptedRecord record(long offset, String... lines) {
        List<List<String>> tokens = new ArrayList<>();
        for (String line : lines) {
            tokens.add(line.isEmpty() ? List.of() : List.of(line));
        }
        return new AcceptedRecord(offset, String.join("\n", lines).length(), new TokenizedText(tokens, lines.length));
    }

    @Test
    void aStreamRefusesBadLinesHoldsOutBySourceBatchesAndComesBackFromItsState() {
        TranslatorSettings settings = settings("batch-pairs = 2, batch-timeout = 1h, held-out.every = 0,"
                + " max-sentence-words = 5");
        TestProbe<TranslatorData.Command> data = testKit.createTestProbe();
        TestProbe<TranslatorWorker.Command> worker = testKit.createTestProbe();
        TestProbe<StreamLearner.Learned> acks = testKit.createTestProbe();
        List<LineRejects.RejectedLine> rejected = Collections.synchronizedList(new ArrayList<>());
        LineRejects rejects = line -> {
            rejected.add(line);
            return CompletableFuture.completedFuture(null);
        };
        TranslatorMetrics metrics = new TranslatorMetrics();
        ActorRef<StreamLearner.Command> stream = testKit.spawn(TranslatorStreamActor.create("pairs", 0, settings,
                data.ref(), worker.ref(), rejects, metrics, null));

        stream.tell(new StreamLearner.Learn(List.of(
                record(10, "go .\tva !", "no tab here", "", "hi .\tsalut ."),
                record(11, "\tsalut", "a b c d e f\tx", "run !\tcours !")), acks.ref()));
        TranslatorData.Encode encode = data.expectMessageClass(TranslatorData.Encode.class);
        assertThat(encode.source()).containsExactly("go", ".", "hi", "run", "!");
        assertThat(encode.target()).containsExactly("va", "!", "salut", ".", "cours");
        assertThat(rejected).extracting(LineRejects.RejectedLine::reason)
                .containsExactly("no-tab", "empty-side", "too-long");
        assertThat(rejected).extracting(LineRejects.RejectedLine::line).containsExactly(1, 0, 1);
        assertThat(rejected).extracting(LineRejects.RejectedLine::offset).containsExactly(10L, 11L, 11L);
        assertThat(metrics.getLinesRejectedByReason()).isEqualTo("empty-side=1 no-tab=1 too-long=1");
        encode.replyTo().tell(new TranslatorData.Encoded(encode.source(), new int[] {4, 5, 6, 7, 8},
                encode.target(), new int[] {4, 5, 6, 7, 8}));

        TranslatorWorker.Train train = worker.expectMessageClass(TranslatorWorker.Train.class);
        assertThat(train.sources()).isDeepEqualTo(new int[][] {{4, 5}, {6, 5}});
        assertThat(train.targets()).isDeepEqualTo(new int[][] {{4, 5}, {6, 7}});
        assertThat(acks.receiveMessage().offset()).isEqualTo(11);
        train.replyTo().tell(new TranslatorWorker.Trained(1.0, 1));

        // A redelivered record is not taken in twice; the odd pair waits in the queue, and the state holds it.
        stream.tell(new StreamLearner.Learn(List.of(record(11, "run !\tcours !")), acks.ref()));
        assertThat(acks.receiveMessage().offset()).isEqualTo(11);
        TestProbe<StreamLearner.ExportedState> exported = testKit.createTestProbe();
        stream.tell(new StreamLearner.ExportState(exported.ref()));
        byte[] state = exported.receiveMessage().bytes();
        worker.expectNoMessage(Duration.ofMillis(100));

        TestProbe<TranslatorWorker.Command> worker2 = testKit.createTestProbe();
        ActorRef<StreamLearner.Command> restored = testKit.spawn(TranslatorStreamActor.create("pairs", 0, settings,
                data.ref(), worker2.ref(), rejects, metrics, state));
        restored.tell(new StreamLearner.Learn(List.of(record(11, "run !\tcours !"), record(12, "go .\tva !")),
                acks.ref()));
        TranslatorData.Encode again = data.expectMessageClass(TranslatorData.Encode.class);
        assertThat(again.source()).containsExactly("go", "."); // a new actor's id cache starts empty
        again.replyTo().tell(new TranslatorData.Encoded(again.source(), new int[] {4, 5}, again.target(),
                new int[] {4, 5}));
        TranslatorWorker.Train next = worker2.expectMessageClass(TranslatorWorker.Train.class);
        assertThat(next.sources()).isDeepEqualTo(new int[][] {{7, 8}, {4, 5}}); // the queued pair first
        assertThat(acks.receiveMessage().offset()).isEqualTo(12);
    }

    @Test
    void oneSourceSentenceInNIsHeldOutWithEveryPairOfIt() {
        TranslatorSettings settings = settings("held-out.every = 3");
        List<String> sources = List.of("i am cold .", "tom is in boston .", "go .", "hi .", "run !", "who ?",
                "wow !", "fire !", "help !", "jump .");
        int heldOut = 0;
        for (String source : sources) {
            List<String> words = SentenceTokens.of(source);
            boolean held = settings.isHeldOut(words);
            assertThat(settings.isHeldOut(List.copyOf(words))).isEqualTo(held);
            heldOut += held ? 1 : 0;
        }
        assertThat(heldOut).isBetween(1, 9);
        assertThat(settings("held-out.every = 0").isHeldOut(List.of("go"))).isFalse();
    }

    @Test
    void aTranslatorRefusesUntilItsModelHasTrainedThenAnswersWithAMap() {
        TranslatorSettings settings = settings("embedding-size = 4, hidden-size = 3, attention-size = 5");
        TranslatorConfig config = settings.architecture();
        WordVocabulary source = new WordVocabulary();
        WordVocabulary target = new WordVocabulary();
        for (String w : List.of("i", "am", "cold", ".")) {
            source.add(w, 100);
        }
        for (String w : List.of("j", "'", "ai", "froid", ".")) {
            target.add(w, 100);
        }
        TranslatorParams params = TranslatorParams.initialize(config, source.size(), target.size(), 1);
        long[] version = {0};
        TranslationMetrics metrics = new TranslationMetrics();
        ActorRef<Translator.Command> translator = testKit.spawn(Translator.create(
                () -> CompletableFuture.completedFuture(new TranslatorView("en-fr", params, source, target,
                        version[0], 0, List.of())), config, Duration.ofMillis(50), metrics));
        TestProbe<RequestHandler.Answer> answers = testKit.createTestProbe();
        TranslationRequest request = new TranslationRequest("t1", "en-fr", "I am hot.",
                SentenceTokens.of("I am hot."), 2, 6);
        translator.tell(new Translator.Translate(request, answers.ref()));
        RequestHandler.Answer refused = answers.receiveMessage();
        assertThat(refused).isInstanceOf(RequestHandler.Refused.class);
        assertThat(((RequestHandler.Refused) refused).error().code().wireName()).isEqualTo("not-trained");

        version[0] = 3;
        answers.awaitAssert(Duration.ofSeconds(5), () -> {
            translator.tell(new Translator.Translate(request, answers.ref()));
            RequestHandler.Answer answer = answers.receiveMessage();
            assertThat(answer).isInstanceOf(RequestHandler.Reply.class);
            var reply = TranslationJson.read(((RequestHandler.Reply) answer).json());
            assertThat(reply.path("version").asLong()).isEqualTo(3);
            assertThat(reply.path("unknown").get(0).asText()).isEqualTo("hot");
            TranslatedSentence sentence = TranslationJson.sentence(reply);
            assertThat(sentence.sourceTokens()).containsExactly("i", "am", "hot", ".");
            assertThat(sentence.attention()).hasNumberOfRows(sentence.targetTokens().size());
            return null;
        });
        assertThat(metrics.getUnknownWords()).isPositive();
    }
}
