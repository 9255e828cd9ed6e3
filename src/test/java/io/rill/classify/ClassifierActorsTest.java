package io.rill.classify;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.LineRejects;
import io.rill.learn.StreamLearner;
import io.rill.learn.WordVectors;
import io.rill.ps.ParameterServer;
import io.rill.text.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The classifier's data actor and stream actor, with the parameter server and the worker played by probes: ids and
 * growth, base rows that follow a learning source only at refreshes, checkpoint round trips; the stream's bad lines
 * dead-lettered before the batch is answered, mini-batches and the backlog, and a restored stream.
 */
class ClassifierActorsTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A skip-gram model stand-in whose vectors change: every word's row is (version, version, ...). */
    private static final class Changing implements WordVectors {
        volatile long version = 1;

        @Override
        public CompletionStage<Vectors> wordVectors() {
            float v = version;
            return CompletableFuture.completedFuture(new Vectors(new String[] {"good", "bad"},
                    new float[] {v, v, v, -v, -v, -v}, 3, version));
        }
    }

    private static ClassifierSettings settings(Map<String, Object> more) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("variant", "multichannel", "max-classes", 2,
                "batch-size", 2, "max-buffered-sentences", 2, "batch-linger", "100ms", "held-out.every", 0,
                "max-line-length", 60, "max-label-length", 5));
        all.putAll(more);
        return ClassifierModelTest.settings(all);
    }

    private static ClassifierData.Synced sync(ActorRef<ClassifierData.Command> data, DataCopy copy) {
        TestProbe<ClassifierData.Synced> probe = testKit.createTestProbe();
        data.tell(copy.request(probe.getRef()));
        ClassifierData.Synced synced = probe.receiveMessage();
        copy.apply(synced);
        return synced;
    }

    @Test
    void theFixedRowsFollowALearningSourceOnlyAtRefreshesAndSurviveACheckpoint() {
        Changing source = new Changing();
        ClassifierSettings settings = settings(Map.of());
        TestProbe<ParameterServer.Command> server = testKit.createTestProbe();
        ClassifierMetrics metrics = new ClassifierMetrics(10);
        ActorRef<ClassifierData.Command> data = testKit.spawn(ClassifierData.create("m", settings, 3,
                VectorSource.model("corpus", source), null, server.getRef(), metrics, null, null));
        TestProbe<ClassifierData.Encoded> encoded = testKit.createTestProbe();
        data.tell(new ClassifierData.Encode(List.of("good", "film", "good"), List.of("pos", "neg", "meh"),
                encoded.getRef()));
        ClassifierData.Encoded ids = encoded.receiveMessage();
        assertThat(ids.wordIds()).containsExactly(0, 1, 0);
        assertThat(ids.labelIds()).containsExactly(0, 1, -1); // two classes at most
        List<ParameterServer.Command> grows = server.receiveSeveralMessages(3);
        assertThat(grows).containsExactly(new ParameterServer.Grow(CnnParams.CLASSES, 1),
                new ParameterServer.Grow(CnnParams.WORDS, 1024), // words grow in chunks
                new ParameterServer.Grow(CnnParams.CLASSES, 2));

        DataCopy copy = new DataCopy(3, true);
        sync(data, copy);
        float[] row = new float[3];
        copy.base().read(0, row, 0);
        assertThat(row).containsExactly(1f, 1f, 1f);
        copy.base().read(1, row, 0);
        float[] film = row.clone(); // not in the vectors: a random row, |x| ≤ a
        for (float x : film) {
            assertThat(Math.abs(x)).isLessThanOrEqualTo((float) Math.sqrt(3 * 1.0) + 1e-6f);
        }

        source.version = 2; // the skip-gram model learns on, but nobody refreshed: the rows stay
        ClassifierData.Synced unchanged = sync(data, copy);
        assertThat(unchanged.rows()).isEmpty();
        copy.base().read(0, row, 0);
        assertThat(row).containsExactly(1f, 1f, 1f);

        data.tell(new ClassifierData.Refresh());
        // The source answers asynchronously: sync once the refreshed rows are in, not before.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.getBaseRefreshes() == 1);
        ClassifierData.Synced refreshed = sync(data, copy);
        assertThat(refreshed.rowsFrom()).isZero();
        copy.base().read(0, row, 0);
        assertThat(row).containsExactly(2f, 2f, 2f);
        copy.base().read(1, row, 0);
        assertThat(row).containsExactly(film); // a word the source does not have keeps its row
        assertThat(metrics.getBaseRefreshes()).isEqualTo(1);

        data.tell(new ClassifierData.Observe(List.of(new int[] {0, 1}), new int[] {1}));
        TestProbe<ClassifierData.ExportedState> exported = testKit.createTestProbe();
        data.tell(new ClassifierData.ExportState(exported.getRef()));
        byte[] state = exported.receiveMessage().bytes();
        source.version = 3;
        Pretrained atStart = Pretrained.of(source.wordVectors().toCompletableFuture().join()); // version 3's
        ActorRef<ClassifierData.Command> restored = testKit.spawn(ClassifierData.create("m", settings, 3,
                VectorSource.model("corpus", source), atStart, server.getRef(), metrics, state, null));
        DataCopy again = new DataCopy(3, true);
        sync(restored, again);
        assertThat(again.labels()).containsExactly("pos", "neg");
        assertThat(again.id("film")).isEqualTo(1);
        assertThat(again.base().rowsFrom(0)).containsExactly(copy.base().rowsFrom(0)); // version 2's rows, kept
        assertThat(again.heldOut()).hasSize(1);
        assertThat(again.heldOutLabels()).containsExactly(1);
    }

    /** Lines dead-lettered by a test that decides when the broker has them. */
    private static final class Rejects implements LineRejects {
        final List<RejectedLine> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> written = new CompletableFuture<>();

        @Override
        public CompletionStage<?> reject(RejectedLine line) {
            lines.add(line);
            return written;
        }
    }

    private static AcceptedRecord record(long offset, String... lines) {
        List<List<String>> tokens = new ArrayList<>();
        for (String line : lines) {
            tokens.add(line.isEmpty() ? List.of() : List.of(line));
        }
        return new AcceptedRecord(offset, 100, new TokenizedText(tokens, lines.length));
    }

    @Test
    void badLinesAreDeadLetteredBeforeTheBatchIsAnsweredAndTheRestIsTrainedInMiniBatches() {
        ClassifierSettings settings = settings(Map.of("variant", "rand", "dimension", 3));
        TestProbe<ParameterServer.Command> server = testKit.createTestProbe();
        ClassifierMetrics metrics = new ClassifierMetrics(10);
        ActorRef<ClassifierData.Command> data = testKit.spawn(ClassifierData.create("m", settings, 3,
                VectorSource.none(3, 0.25), Pretrained.none(3, 0.25), server.getRef(), metrics, null, null));
        TestProbe<ClassifierWorker.Command> worker = testKit.createTestProbe();
        Rejects rejects = new Rejects();
        ActorRef<StreamLearner.Command> stream = testKit.spawn(ClassifyStreamActor.create("t", 0, settings, data,
                worker.getRef(), rejects, metrics, null));
        TestProbe<StreamLearner.Learned> learned = testKit.createTestProbe();
        stream.tell(new StreamLearner.Learn(List.of(
                record(5, "pos\tA fine film", "no tab here", "", "\tno label", "neg\t  ", "toolong\tx"),
                record(6, "neg\ta dull film", "pos\t" + "x".repeat(60), "meh\tthird class", "neg\tdull")),
                learned.getRef()));

        learned.expectNoMessage(Duration.ofMillis(300)); // the dead letters are not on the broker yet
        assertThat(rejects.lines).extracting(LineRejects.RejectedLine::reason).containsExactlyInAnyOrder(
                LabelledLine.NO_TAB, LabelledLine.EMPTY_LABEL, LabelledLine.EMPTY_SENTENCE,
                LabelledLine.LABEL_TOO_LONG, LabelledLine.LINE_TOO_LONG, LabelledLine.TOO_MANY_CLASSES);
        LineRejects.RejectedLine noTab = rejects.lines.stream().filter(l -> l.reason().equals(LabelledLine.NO_TAB))
                .findFirst().orElseThrow();
        assertThat(noTab).extracting(LineRejects.RejectedLine::topic, LineRejects.RejectedLine::partition,
                LineRejects.RejectedLine::offset, LineRejects.RejectedLine::line, LineRejects.RejectedLine::text)
                .containsExactly("t", 0, 5L, 1, "no tab here");
        assertThat(metrics.getLinesRejected()).isEqualTo(6);
        rejects.written.complete(null);

        // three good sentences, batches of two: the first at once
        ClassifierWorker.Train first = (ClassifierWorker.Train) worker.receiveMessage();
        assertThat(first.sentences()).hasNumberOfRows(2);
        assertThat(first.sentences()[0]).containsExactly(0, 1, 2); // a fine film
        assertThat(first.labels()).containsExactly(0, 1);
        learned.expectNoMessage(Duration.ofMillis(200)); // backlog 3 > 2: not yet
        first.replyTo().tell(new ClassifierWorker.Trained(1, 2, 0.7, 1));
        assertThat(learned.receiveMessage().offset()).isEqualTo(6);
        ClassifierWorker.Train rest = (ClassifierWorker.Train) worker.receiveMessage(); // after the linger
        assertThat(rest.sentences()).hasNumberOfRows(1);
        assertThat(rest.sentences()[0]).containsExactly(3); // dull

        // a checkpoint while the last one is out: answered once it is back, holding it in the backlog
        TestProbe<StreamLearner.ExportedState> exported = testKit.createTestProbe();
        stream.tell(new StreamLearner.ExportState(exported.getRef()));
        exported.expectNoMessage(Duration.ofMillis(200));
        rest.replyTo().tell(new ClassifierWorker.Trained(0, 1, 0.7, 2));
        byte[] empty = exported.receiveMessage().bytes();
        stream.tell(StreamLearner.Resume.INSTANCE);

        // a restored stream: records it has taken in are answered without being read again
        ActorRef<StreamLearner.Command> restored = testKit.spawn(ClassifyStreamActor.create("t", 0, settings, data,
                worker.getRef(), rejects, metrics, empty));
        restored.tell(new StreamLearner.Learn(List.of(record(6, "neg\tdull")), learned.getRef()));
        assertThat(learned.receiveMessage().offset()).isEqualTo(6);
        worker.expectNoMessage(Duration.ofMillis(300));
    }
}
