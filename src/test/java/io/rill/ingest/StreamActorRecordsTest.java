package io.rill.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.checkpoint.StreamBarrier;
import io.rill.ops.DeadLetterCounters;
import io.rill.ops.IngestStreamMetrics;
import io.rill.text.RejectReason;
import io.rill.text.TokenizerKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A stream actor taking raw records ({@link StreamActor.IngestRecords}): it decodes and counts the good ones,
 * dead-letters the refused ones and answers only once the dead letters are acknowledged; a batch whose dead letters
 * fail is answered {@link StreamActor.Failed}; a batch delivered again is neither counted nor dead-lettered twice.
 */
class StreamActorRecordsTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, String text) {
        return new ConsumerRecord<>("corpus", 0, offset, null, text == null ? null
                : text.getBytes(StandardCharsets.UTF_8));
    }

    /** Dead letters that are written (acknowledged) or fail, as the test says; every write is recorded. */
    private static final class DeadLetters implements StreamActor.DeadLetters {
        final List<DeadLetterWriter.Refused> written = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        @Override
        public CompletableFuture<?> write(List<DeadLetterWriter.Refused> refused) {
            if (failing) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
            }
            written.addAll(refused);
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void goodRecordsAreCountedBadOnesDeadLetteredOnceAndTheBatchAnsweredAfterBoth() {
        IngestStreamMetrics metrics = new IngestStreamMetrics("corpus", 0);
        DeadLetters deadLetters = new DeadLetters();
        DeadLetterCounters counters = new DeadLetterCounters();
        ActorRef<StreamActor.Command> stream = testKit.spawn(StreamActor.create("corpus", 0, 100, metrics,
                StreamActor.Learners.NONE, null, new StreamActor.Intake(TokenizerKind.WORDS, 64, deadLetters,
                        counters)));
        TestProbe<StreamActor.Reply> replies = testKit.createTestProbe();
        List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(0, "The white Whale"), record(1, null),
                record(2, "the sea\nthe ship"), record(3, "a\u0000b"), record(4, "Zoë's école"),
                record(5, "x".repeat(65)), record(6, " \n "));
        stream.tell(new StreamActor.IngestRecords(batch, replies.getRef()));
        assertThat(replies.receiveMessage()).isEqualTo(new StreamActor.Ack(4));
        assertThat(deadLetters.written).extracting(r -> r.record().offset()).containsExactly(1L, 3L, 5L, 6L);
        assertThat(deadLetters.written).extracting(r -> r.rejection().reason()).containsExactly(
                RejectReason.NULL_VALUE, RejectReason.CONTROL_CHARACTER, RejectReason.TOO_LARGE, RejectReason.EMPTY);
        assertThat(counters.getTotal()).isEqualTo(4);
        assertThat(metrics.getDeadLettered()).isEqualTo(4);

        TestProbe<StreamActor.Counts> counts = testKit.createTestProbe();
        stream.tell(new StreamActor.GetCounts(counts.getRef()));
        StreamActor.Counts c = counts.receiveMessage();
        assertThat(c.records()).isEqualTo(3);
        assertThat(c.tokens()).isEqualTo(9);
        assertThat(c.lines()).isEqualTo(4);
        assertThat(c.frequencies()).containsEntry("the", 3L).containsEntry("whale", 1L).containsEntry("zoë's", 1L)
                .containsEntry("école", 1L);

        // Delivered again (a batch read again after a failure): nothing counted or dead-lettered twice.
        stream.tell(new StreamActor.IngestRecords(batch, replies.getRef()));
        assertThat(replies.receiveMessage()).isEqualTo(new StreamActor.Ack(4));
        assertThat(deadLetters.written).hasSize(4);
        stream.tell(new StreamActor.GetCounts(counts.getRef()));
        assertThat(counts.receiveMessage().records()).isEqualTo(3);

        // Every record up to the batch's last offset is handled: a checkpoint resumes after it.
        TestProbe<StreamBarrier.StreamState> checkpoints = testKit.createTestProbe();
        stream.tell(new StreamActor.Barrier(1, checkpoints.getRef()));
        assertThat(checkpoints.receiveMessage().nextOffset()).isEqualTo(7);
    }

    @Test
    void aBatchWhoseDeadLettersFailIsAnsweredFailedAndTakenInWhenDeliveredAgain() {
        IngestStreamMetrics metrics = new IngestStreamMetrics("corpus", 1);
        DeadLetters deadLetters = new DeadLetters();
        ActorRef<StreamActor.Command> stream = testKit.spawn(StreamActor.create("corpus", 1, 100, metrics,
                StreamActor.Learners.NONE, null, new StreamActor.Intake(TokenizerKind.WORDS, 64, deadLetters,
                        new DeadLetterCounters())));
        TestProbe<StreamActor.Reply> replies = testKit.createTestProbe();
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(List.of(record(10, "a b"), record(11, ""),
                record(12, "c")));
        deadLetters.failing = true;
        stream.tell(new StreamActor.IngestRecords(batch, replies.getRef()));
        assertThat(replies.receiveMessage()).isInstanceOf(StreamActor.Failed.class);
        TestProbe<StreamBarrier.StreamState> checkpoints = testKit.createTestProbe();
        stream.tell(new StreamActor.Barrier(1, checkpoints.getRef()));
        assertThat(checkpoints.receiveMessage().nextOffset()).as("nothing handled yet").isEqualTo(-1);
        stream.tell(new StreamActor.Resume(1));

        deadLetters.failing = false;
        stream.tell(new StreamActor.IngestRecords(batch, replies.getRef()));
        assertThat(replies.receiveMessage(Duration.ofSeconds(5))).isEqualTo(new StreamActor.Ack(12));
        assertThat(deadLetters.written).extracting(r -> r.record().offset()).containsExactly(11L);
        TestProbe<StreamActor.Counts> counts = testKit.createTestProbe();
        stream.tell(new StreamActor.GetCounts(counts.getRef()));
        StreamActor.Counts c = counts.receiveMessage();
        assertThat(c.records()).isEqualTo(2);
        assertThat(c.tokens()).isEqualTo(3);
        stream.tell(new StreamActor.Barrier(2, checkpoints.getRef()));
        assertThat(checkpoints.receiveMessage().nextOffset()).isEqualTo(13);
    }
}
