package io.rill.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte scan of ASCII records gives exactly the word tokenizer's tokens, lines and hashes. */
class AsciiScanTest {

    /** Collects what the scan hands over, as the tokenizer's lines of Strings. */
    private static final class Lines implements AsciiTokenSink {
        final List<List<String>> lines = new ArrayList<>(List.of(new ArrayList<>()));

        @Override
        public void token(byte[] text, int from, int to) {
            byte[] lowered = new byte[to - from];
            for (int k = 0; k < lowered.length; k++) {
                lowered[k] = (byte) (text[from + k] | 0x20);
            }
            String token = new String(lowered, StandardCharsets.US_ASCII);
            lines.get(lines.size() - 1).add(token);
        }

        @Override
        public void lineBreak() {
            lines.add(new ArrayList<>());
        }
    }

    private static List<List<String>> scanned(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        Lines sink = new Lines();
        int tokens = WordTokenizer.scanAscii(bytes, bytes.length, sink);
        if (text.endsWith("\n")) {
            sink.lines.remove(sink.lines.size() - 1); // a trailing newline opens no line
        }
        assertThat(tokens).isEqualTo(sink.lines.stream().mapToInt(List::size).sum());
        return sink.lines;
    }

    @Test
    void theScanAgreesWithTheTokenizerOnRandomAsciiText() {
        String alphabet = "abcXYZqQ019 '.-,\n\t\"";
        Random random = new Random(11);
        Tokenizer tokenizer = new WordTokenizer();
        for (int round = 0; round < 5000; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = 1 + random.nextInt(40); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = text.toString();
            assertThat(scanned(s)).as("'%s'", s).isEqualTo(tokenizer.tokenize(s).lines());
        }
    }

    @Test
    void examples() {
        assertThat(scanned("Call me Ishmael. Don't--in 1851, O'Brien's ship")).containsExactly(List.of(
                "call", "me", "ishmael", "don't", "in", "1851", "o'brien", "s", "ship"));
        assertThat(scanned("rock'n'roll x'\nw42b\n\n")).containsExactly(
                List.of("rock'n", "roll", "x"), List.of("w", "42", "b"), List.of());
    }

    @Test
    void theDecoderSaysWhichValuesArePlainAscii() {
        RecordDecoder decoder = new RecordDecoder(12);
        assertThat(decoder.decodeUnlessAscii("the whale\n\tx".getBytes(StandardCharsets.US_ASCII))).isNull();
        assertThat(decoder.decodeUnlessAscii("école".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new Decoded.Text("école"));
        assertThat(decoder.decodeUnlessAscii(" \n\t ".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Decoded.Rejected.class);
        assertThat(((Decoded.Rejected) decoder.decodeUnlessAscii("a\rb".getBytes(StandardCharsets.US_ASCII))).reason())
                .isEqualTo(RejectReason.CONTROL_CHARACTER);
        assertThat(((Decoded.Rejected) decoder.decodeUnlessAscii("x".repeat(13).getBytes(StandardCharsets.US_ASCII)))
                .reason()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(((Decoded.Rejected) decoder.decodeUnlessAscii(null)).reason()).isEqualTo(RejectReason.NULL_VALUE);
        assertThat(((Decoded.Rejected) decoder.decodeUnlessAscii(new byte[0])).reason()).isEqualTo(RejectReason.EMPTY);
        assertThat(((Decoded.Rejected) decoder.decodeUnlessAscii(new byte[] {'a', (byte) 0xC3})).reason())
                .isEqualTo(RejectReason.MALFORMED_UTF8);
    }
}
