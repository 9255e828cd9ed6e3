package io.rill.skipgram;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.StreamLearner;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A word stream's skip-gram actor: its window carries a document across records, so a document split over
 * several records yields exactly the pairs of the same document in one record; and a batch is acknowledged only
 * after the worker has trained its pairs.
 */
class SkipGramStreamActorTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Tokenizer words = Tokenizer.of(TokenizerKind.WORDS);
    private static final List<String> VOCABULARY = List.of("call", "me", "ishmael", "some", "years", "ago",
            "never", "mind", "how", "long", "precisely");

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aDocumentSplitAcrossRecordsYieldsThePairsOfTheSameDocumentInOneRecord() {
        String document = "call me ishmael some years ago\nnever mind how long precisely";
        List<int[]> whole = pairsOf(List.of(document + "\n\n"), false);
        List<int[]> split = pairsOf(List.of("call me ishmael", "some years ago\nnever mind", "how long precisely\n\n"), false);
        assertThat(split).hasSameSizeAs(whole).isNotEmpty();
        for (int i = 0; i < whole.size(); i++) {
            assertThat(split.get(i)).isEqualTo(whole.get(i));
        }
        // With the default boundary every line ends a document: no pair joins "ago" and "never".
        int ago = VOCABULARY.indexOf("ago");
        int never = VOCABULARY.indexOf("never");
        assertThat(pairsOf(List.of(document), true)).noneMatch(p -> p[0] == ago && p[1] == never || p[0] == never && p[1] == ago);
        assertThat(whole).anyMatch(p -> p[0] == ago && p[1] == never);
    }

    /** The worker's Train message, or null when the batch completed no pair (its window waits for more tokens). */
    private static SkipGramWorker.Train receiveTrain(TestProbe<SkipGramWorker.Command> worker) {
        try {
            return worker.expectMessageClass(SkipGramWorker.Train.class, Duration.ofMillis(300));
        } catch (AssertionError none) {
            return null;
        }
    }

    /** Feeds records one batch each through a stream actor whose vocabulary and worker are probes; returns the pairs. */
    private static List<int[]> pairsOf(List<String> records, boolean documentPerLine) {
        TestProbe<VocabularyActor.Command> vocabulary = testKit.createTestProbe();
        TestProbe<SkipGramWorker.Command> worker = testKit.createTestProbe();
        TestProbe<StreamLearner.Learned> acks = testKit.createTestProbe();
        SkipGramStreamActor.Link link = new SkipGramStreamActor.Link(vocabulary.getRef(), worker.getRef(), 3, 42L,
                documentPerLine, Duration.ofSeconds(5));
        ActorRef<StreamLearner.Command> stream = testKit.spawn(SkipGramStreamActor.create("corpus-0", link, null));
        List<int[]> pairs = new ArrayList<>();
        for (int offset = 0; offset < records.size(); offset++) {
            String text = records.get(offset);
            stream.tell(new StreamLearner.Learn(List.of(new AcceptedRecord(offset, text.length(),
                    words.tokenize(text))), acks.getRef()));
            VocabularyActor.Observe observe = vocabulary.expectMessageClass(VocabularyActor.Observe.class);
            List<int[]> ids = observe.lines().stream()
                    .map(line -> Arrays.stream(line).mapToInt(VOCABULARY::indexOf).toArray()).toList();
            observe.replyTo().tell(new VocabularyActor.Observed(ids, AliasTable.EMPTY, 0.025f));
            SkipGramWorker.Train train = receiveTrain(worker);
            if (train != null) {
                acks.expectNoMessage(Duration.ofMillis(50)); // no acknowledgement before the worker has trained
                for (int i = 0; i < train.pairs(); i++) {
                    pairs.add(new int[] {train.centers()[i], train.contexts()[i]});
                }
                train.replyTo().tell(new SkipGramWorker.Trained(train.pairs(), 0));
            }
            assertThat(acks.receiveMessage().offset()).isEqualTo(offset);
        }
        return pairs;
    }
}
