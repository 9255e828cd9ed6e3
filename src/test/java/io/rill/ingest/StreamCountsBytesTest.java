package io.rill.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.learn.AcceptedRecord;
import io.rill.state.StateFormat;
import io.rill.testing.StateBytes;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Counting a word record from its ASCII bytes ({@link StreamCounts#countAscii}) counts exactly what counting its
 * tokens does, whatever mix of the two a stream sees; the frequencies survive a checkpoint in both formats.
 */
class StreamCountsBytesTest {

    private final Tokenizer words = Tokenizer.of(TokenizerKind.WORDS);

    private static String text(Random random) {
        String[] pool = {"the", "The", "WHALE", "whale", "ahab's", "don't", "1851", "sea", "x", "o'brien", "q"};
        StringBuilder s = new StringBuilder();
        for (int i = 1 + random.nextInt(12); i > 0; i--) {
            s.append(random.nextInt(6) == 0 ? "w" + random.nextInt(200) : pool[random.nextInt(pool.length)]);
            s.append(switch (random.nextInt(8)) {
                case 0 -> "\n";
                case 1 -> ", ";
                case 2 -> "--";
                case 3 -> "\t";
                default -> " ";
            });
        }
        return s.toString();
    }

    private AcceptedRecord tokenized(long offset, String text) {
        return new AcceptedRecord(offset, text.getBytes(StandardCharsets.UTF_8).length, words.tokenize(text));
    }

    private static void assertSame(StreamCounts actual, StreamCounts expected) {
        assertThat(actual.records()).isEqualTo(expected.records());
        assertThat(actual.tokens()).isEqualTo(expected.tokens());
        assertThat(actual.bytes()).isEqualTo(expected.bytes());
        assertThat(actual.lines()).isEqualTo(expected.lines());
        assertThat(actual.lastOffset()).isEqualTo(expected.lastOffset());
        assertThat(actual.distinctTokens()).isEqualTo(expected.distinctTokens());
        assertThat(actual.frequencies()).isEqualTo(expected.frequencies());
        assertThat(actual.top(10)).containsExactlyEntriesOf(expected.top(10));
    }

    @Test
    void bytesAndTokensCountTheSameUpToTheBoundAndThroughACheckpoint() {
        for (int bound : new int[] {0, 7, 60, 1_000_000}) {
            Random random = new Random(bound);
            StreamCounts fromBytes = new StreamCounts(bound);
            StreamCounts fromTokens = new StreamCounts(bound);
            long offset = 0;
            for (int i = 0; i < 3000; i++) {
                String text = text(random);
                if (text.isBlank()) {
                    continue;
                }
                if (random.nextInt(10) == 0) { // a non-ASCII record takes the token path on both
                    text = text + " école Straße";
                    assertThat(fromBytes.count(tokenized(offset, text))).isTrue();
                } else if (random.nextBoolean()) {
                    assertThat(fromBytes.countAscii(offset, text.getBytes(StandardCharsets.US_ASCII))).isTrue();
                } else {
                    AcceptedRecord record = fromBytes.countAsciiWithTokens(offset,
                            text.getBytes(StandardCharsets.US_ASCII));
                    assertThat(record).isEqualTo(tokenized(offset, text));
                }
                fromTokens.count(tokenized(offset, text));
                if (random.nextInt(20) == 0) { // delivered again: counted once
                    assertThat(fromBytes.countAscii(offset, "again".getBytes(StandardCharsets.US_ASCII))).isFalse();
                    assertThat(fromBytes.countAsciiWithTokens(offset, "The again".getBytes(StandardCharsets.US_ASCII)))
                            .isEqualTo(tokenized(offset, "The again"));
                }
                offset += 1 + random.nextInt(2);
                if (i == 1500) {
                    fromBytes = StateBytes.roundTrip(fromBytes::writeTo, in -> StreamCounts.readFrom(in, bound));
                }
            }
            assertSame(fromBytes, fromTokens);
            assertSame(StateBytes.roundTrip(fromBytes::writeTo, in -> StreamCounts.readFrom(in, bound)), fromTokens);
        }
    }

    @Test
    void countsWrittenByTheFormerFormatAreRead() {
        StreamCounts expected = new StreamCounts(100);
        expected.count(tokenized(4, "the white whale\nthe sea école"));
        expected.learned(4);
        byte[] formerFormat = StateBytes.of(out -> {
            StateFormat.writeVersion(out, 1);
            out.writeLong(1);
            out.writeLong(6);
            out.writeLong(30);
            out.writeLong(2);
            out.writeLong(4);
            out.writeLong(4);
            Map<String, Long> frequencies = expected.frequencies();
            out.writeInt(frequencies.size());
            for (Map.Entry<String, Long> entry : frequencies.entrySet()) {
                StateFormat.writeString(out, entry.getKey());
                out.writeLong(entry.getValue());
            }
        });
        StreamCounts read = StateBytes.read(formerFormat, in -> StreamCounts.readFrom(in, 100));
        assertSame(read, expected);
        assertThat(read.learnedOffset()).isEqualTo(4);
        assertThat(read.frequencies()).containsEntry("the", 2L).containsEntry("école", 1L);
    }
}
