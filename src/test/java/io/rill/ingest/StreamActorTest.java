package io.rill.ingest;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.checkpoint.StreamBarrier;
import io.rill.learn.AcceptedRecord;
import io.rill.ops.IngestStreamMetrics;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StreamActorTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Tokenizer words = Tokenizer.of(TokenizerKind.WORDS);

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static AcceptedRecord record(long offset, String text) {
        return new AcceptedRecord(offset, text.length(), words.tokenize(text));
    }

    @Test
    void countsRecordsTokensBytesLinesAndFrequenciesAndAcknowledgesEachBatch() {
        IngestStreamMetrics metrics = new IngestStreamMetrics("corpus", 0);
        ActorRef<StreamActor.Command> stream = testKit.spawn(StreamActor.create("corpus", 0, 100, metrics));
        TestProbe<StreamActor.Ack> acks = testKit.createTestProbe();
        stream.tell(new StreamActor.Ingest(List.of(record(0, "the white whale"), record(1, "the sea\nthe ship")), acks.getRef()));
        assertThat(acks.receiveMessage().lastOffset()).isEqualTo(1);

        TestProbe<StreamActor.Counts> counts = testKit.createTestProbe();
        stream.tell(new StreamActor.GetCounts(counts.getRef()));
        StreamActor.Counts c = counts.receiveMessage();
        assertThat(c.records()).isEqualTo(2);
        assertThat(c.tokens()).isEqualTo(7);
        assertThat(c.lines()).isEqualTo(3);
        assertThat(c.bytes()).isEqualTo(15 + 16);
        assertThat(c.frequencies()).containsEntry("the", 3L).containsEntry("whale", 1L).hasSize(5);
        assertThat(metrics.getRecordsIn()).isEqualTo(2);
        assertThat(metrics.getTokensIn()).isEqualTo(7);
        assertThat(metrics.getDistinctTokens()).isEqualTo(5);
        assertThat(metrics.getTopTokens()).startsWith("the=3");
    }

    @Test
    void recordsDeliveredAgainAfterASourceRestartAreNotCountedTwice() {
        IngestStreamMetrics metrics = new IngestStreamMetrics("corpus", 1);
        ActorRef<StreamActor.Command> stream = testKit.spawn(StreamActor.create("corpus", 1, 100, metrics));
        TestProbe<StreamActor.Ack> acks = testKit.createTestProbe();
        stream.tell(new StreamActor.Ingest(List.of(record(10, "a b"), record(11, "c")), acks.getRef()));
        acks.receiveMessage();
        stream.tell(new StreamActor.Ingest(List.of(record(11, "c"), record(12, "d e")), acks.getRef()));
        assertThat(acks.receiveMessage().lastOffset()).isEqualTo(12);
        TestProbe<StreamActor.Counts> counts = testKit.createTestProbe();
        stream.tell(new StreamActor.GetCounts(counts.getRef()));
        StreamActor.Counts c = counts.receiveMessage();
        assertThat(c.records()).isEqualTo(3);
        assertThat(c.tokens()).isEqualTo(5);
        assertThat(metrics.getRecordsIn()).isEqualTo(3);
    }

    @Test
    void frequenciesStayBoundedButTotalsKeepCounting() {
        IngestStreamMetrics metrics = new IngestStreamMetrics("corpus", 2);
        ActorRef<StreamActor.Command> stream = testKit.spawn(StreamActor.create("corpus", 2, 3, metrics));
        TestProbe<StreamActor.Ack> acks = testKit.createTestProbe();
        stream.tell(new StreamActor.Ingest(List.of(record(0, "a b c d e a")), acks.getRef()));
        acks.receiveMessage();
        TestProbe<StreamActor.Counts> counts = testKit.createTestProbe();
        stream.tell(new StreamActor.GetCounts(counts.getRef()));
        StreamActor.Counts c = counts.receiveMessage();
        assertThat(c.frequencies()).containsOnlyKeys("a", "b", "c").containsEntry("a", 2L);
        assertThat(c.tokens()).isEqualTo(6);
    }

    @Test
    void aBarrierHoldsBatchesUntilResumeAndItsStateRestoresTheStream() {
        IngestStreamMetrics metrics = new IngestStreamMetrics("corpus", 3);
        ActorRef<StreamActor.Command> stream = testKit.spawn(StreamActor.create("corpus", 3, 100, metrics));
        TestProbe<StreamActor.Ack> acks = testKit.createTestProbe();
        stream.tell(new StreamActor.Ingest(List.of(record(0, "a b"), record(1, "c")), acks.getRef()));
        acks.receiveMessage();

        TestProbe<StreamBarrier.StreamState> checkpoints = testKit.createTestProbe();
        stream.tell(new StreamActor.Barrier(7, checkpoints.getRef()));
        StreamBarrier.StreamState checkpoint = checkpoints.receiveMessage();
        assertThat(checkpoint.sequence()).isEqualTo(7);
        assertThat(checkpoint.nextOffset()).isEqualTo(2);

        // Held: a batch waits until the checkpoint resumes the stream.
        stream.tell(new StreamActor.Ingest(List.of(record(2, "d e f")), acks.getRef()));
        acks.expectNoMessage(java.time.Duration.ofMillis(200));
        stream.tell(new StreamActor.Resume(7));
        assertThat(acks.receiveMessage().lastOffset()).isEqualTo(2);

        // A new actor from the checkpoint's state goes on from offset 2, as a restarted node would.
        IngestStreamMetrics restoredMetrics = new IngestStreamMetrics("corpus", 3);
        ActorRef<StreamActor.Command> restored = testKit.spawn(StreamActor.create("corpus", 3, 100, restoredMetrics,
                StreamActor.Learners.NONE, checkpoint.state()));
        restored.tell(new StreamActor.Ingest(List.of(record(1, "c"), record(2, "d e f")), acks.getRef()));
        assertThat(acks.receiveMessage().lastOffset()).isEqualTo(2);
        assertThat(restoredMetrics.getRecordsIn()).isEqualTo(3); // 2 restored, 1 new
        TestProbe<StreamActor.Counts> counts = testKit.createTestProbe();
        restored.tell(new StreamActor.GetCounts(counts.getRef()));
        StreamActor.Counts c = counts.receiveMessage();
        assertThat(c.records()).isEqualTo(3);
        assertThat(c.tokens()).isEqualTo(6);
        assertThat(c.frequencies()).containsKeys("a", "b", "c", "d", "e", "f");
    }

    @Test
    void recordsRefusedAfterTheLastAcceptedOneAreHandledForTheCheckpoint() {
        ActorRef<StreamActor.Command> stream = testKit.spawn(StreamActor.create("corpus", 4, 100,
                new IngestStreamMetrics("corpus", 4)));
        TestProbe<StreamActor.Ack> acks = testKit.createTestProbe();
        // Offsets 5 and 6 were dead-lettered: the batch ends at 6 though its last accepted record is 4.
        stream.tell(new StreamActor.Ingest(List.of(record(3, "a"), record(4, "b")), 6, acks.getRef()));
        acks.receiveMessage();
        TestProbe<StreamBarrier.StreamState> checkpoints = testKit.createTestProbe();
        stream.tell(new StreamActor.Barrier(1, checkpoints.getRef()));
        assertThat(checkpoints.receiveMessage().nextOffset()).isEqualTo(7);
    }
}
