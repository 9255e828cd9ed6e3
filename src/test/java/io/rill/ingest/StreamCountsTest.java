package io.rill.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.learn.AcceptedRecord;
import io.rill.ops.IngestStreamMetrics;
import io.rill.skipgram.SplitMix64;
import io.rill.testing.StateBytes;
import io.rill.text.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StreamCountsTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A record of a few lines of tokens from a skewed pool, some long or non-ASCII. */
    private static AcceptedRecord record(long offset, SplitMix64 rng) {
        List<List<String>> lines = new ArrayList<>();
        int tokens = 0;
        for (int line = 0, n = 1 + rng.nextInt(3); line < n; line++) {
            List<String> words = new ArrayList<>();
            for (int i = 0, m = rng.nextInt(8); i < m; i++) {
                int rank = (int) Math.exp(rng.nextDouble() * Math.log(80));
                words.add(rank == 79 ? "ß".repeat(30_000) : rank % 5 == 0 ? "mot" + rank + "é" : "t" + rank);
            }
            tokens += words.size();
            lines.add(words);
        }
        return new AcceptedRecord(offset, 10 + rng.nextInt(100), new TokenizedText(lines, tokens));
    }

    private static void assertSameCounts(StreamCounts actual, StreamCounts expected) {
        assertThat(actual.records()).isEqualTo(expected.records());
        assertThat(actual.tokens()).isEqualTo(expected.tokens());
        assertThat(actual.bytes()).isEqualTo(expected.bytes());
        assertThat(actual.lines()).isEqualTo(expected.lines());
        assertThat(actual.lastOffset()).isEqualTo(expected.lastOffset());
        assertThat(actual.learnedOffset()).isEqualTo(expected.learnedOffset());
        assertThat(actual.frequencies()).isEqualTo(expected.frequencies());
        assertThat(actual.top(7)).containsExactlyEntriesOf(expected.top(7));
    }

    @Test
    void restoredCountsCountTheSameFromThenOn() {
        SplitMix64 rng = new SplitMix64(6);
        StreamCounts original = new StreamCounts(40); // fewer entries than the pool's 80 tokens: the bound is hit
        long offset = 0;
        for (int i = 0; i < 300; i++) {
            original.count(record(offset, rng));
            offset += 1 + rng.nextInt(3); // compacted topics skip offsets
            if (i % 10 == 9) original.learned(offset - 1);
        }
        assertThat(original.distinctTokens()).isEqualTo(40);

        StreamCounts restored = StateBytes.roundTrip(original::writeTo, in -> StreamCounts.readFrom(in, 40));
        assertSameCounts(restored, original);
        for (int i = 0; i < 300; i++) {
            // a restarted source delivers a few records again: neither counts them twice
            long at = rng.nextInt(10) == 0 ? offset - 1 - rng.nextInt(5) : offset++;
            AcceptedRecord record = record(at, rng);
            assertThat(restored.count(record)).isEqualTo(original.count(record));
            if (i % 7 == 0) {
                original.learned(at);
                restored.learned(at);
            }
        }
        assertSameCounts(restored, original);
    }

    @Test
    void truncatedOrCorruptedBytesOrTooManyEntriesGiveAnIOException() {
        SplitMix64 rng = new SplitMix64(8);
        StreamCounts counts = new StreamCounts(30);
        for (long offset = 0; offset < 30; offset++) counts.count(record(offset, rng));
        byte[] bytes = StateBytes.of(counts::writeTo);
        StateBytes.Reader<StreamCounts> reader = in -> StreamCounts.readFrom(in, 30);
        StateBytes.assertTruncationsFail(bytes, reader, 500);
        StateBytes.assertCorruptionsFailCleanly(bytes, reader, 6, 1_000);
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> StreamCounts.readFrom(in, 29)))
                .hasMessageContaining("30 token frequencies, more than the configured 29");
    }
}
