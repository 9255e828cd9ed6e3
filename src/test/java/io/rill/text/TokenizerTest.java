package io.rill.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenizerTest {

    private final Tokenizer words = Tokenizer.of(TokenizerKind.WORDS);
    private final Tokenizer characters = Tokenizer.of(TokenizerKind.CHARACTERS);

    @Test
    void wordsAreLowerCasedLetterRunsWithOneApostropheAndDigitRuns() {
        TokenizedText text = words.tokenize("Call me Ishmael. Don't--in 1851, O'Brien's ship sailed.");
        assertThat(text.lines()).containsExactly(List.of(
                "call", "me", "ishmael", "don't", "in", "1851", "o'brien", "s", "ship", "sailed"));
        assertThat(text.tokenCount()).isEqualTo(10);
    }

    @Test
    void wordsMatchTheSharedTokenFileRuleOnAsciiAndExtendToOtherScripts() {
        assertThat(words.tokenize("rock'n'roll x'").lines().get(0)).containsExactly("rock'n", "roll", "x");
        assertThat(words.tokenize("w42b").lines().get(0)).containsExactly("w", "42", "b");
        assertThat(words.tokenize("Zoë’s ÉCOLE Москва").lines().get(0)).containsExactly("zoë's", "école", "москва");
    }

    @Test
    void theAsciiFastPathAgreesWithTheGeneralRuleOnRandomText() {
        String alphabet = "abcXYZ019 '’é.-\n\tÉß";
        java.util.Random random = new java.util.Random(5);
        Tokenizer tokenizer = new WordTokenizer();
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertThat(tokenizer.tokenize(text.toString()).lines()).as("'%s'", text).isEqualTo(reference(text.toString()));
        }
    }

    /** The rule, written as plainly as possible, code point by code point. */
    private static List<List<String>> reference(String text) {
        List<List<String>> lines = new java.util.ArrayList<>();
        String[] parts = text.split("\n", -1);
        int count = text.endsWith("\n") ? parts.length - 1 : parts.length;
        for (int p = 0; p < count; p++) {
            String line = parts[p];
            List<String> tokens = new java.util.ArrayList<>();
            int i = 0;
            while (i < line.length()) {
                int cp = line.codePointAt(i);
                if (Character.isLetter(cp)) {
                    StringBuilder w = new StringBuilder();
                    while (i < line.length() && Character.isLetter(line.codePointAt(i))) {
                        w.appendCodePoint(Character.toLowerCase(line.codePointAt(i)));
                        i += Character.charCount(line.codePointAt(i));
                    }
                    if (i + 1 < line.length() && (line.charAt(i) == '\'' || line.charAt(i) == '\u2019')
                            && Character.isLetter(line.codePointAt(i + 1))) {
                        w.append('\'');
                        i++;
                        while (i < line.length() && Character.isLetter(line.codePointAt(i))) {
                            w.appendCodePoint(Character.toLowerCase(line.codePointAt(i)));
                            i += Character.charCount(line.codePointAt(i));
                        }
                    }
                    tokens.add(w.toString());
                } else if (Character.isDigit(cp)) {
                    int start = i;
                    while (i < line.length() && Character.isDigit(line.charAt(i))) {
                        i++;
                    }
                    tokens.add(line.substring(start, i));
                } else {
                    i += Character.charCount(cp);
                }
            }
            lines.add(tokens);
        }
        return lines;
    }

    @Test
    void repeatedWordsComeBackAsTheSameInstance() {
        List<String> tokens = words.tokenize("whale Whale WHALE").lines().get(0);
        assertThat(tokens).containsExactly("whale", "whale", "whale");
        assertThat(tokens.get(0)).isSameAs(tokens.get(1)).isSameAs(tokens.get(2));
    }

    @Test
    void linesAreKeptApartAndATrailingNewlineOpensNoEmptyLine() {
        assertThat(words.tokenize("a b\n\nc\n").lines()).containsExactly(List.of("a", "b"), List.of(), List.of("c"));
        assertThat(words.tokenize("a").lines()).containsExactly(List.of("a"));
        assertThat(words.tokenize("...").lines()).containsExactly(List.of());
    }

    @Test
    void charactersAreCodePointsWithCaseKept() {
        TokenizedText text = characters.tokenize("Ann\nZoë 🐋\n");
        assertThat(text.lines()).containsExactly(List.of("A", "n", "n"), List.of("Z", "o", "ë", " ", "🐋"));
        assertThat(text.tokenCount()).isEqualTo(8);
    }

    @Test
    void tokenizerKindsParseTheirConfigurationNames() {
        assertThat(TokenizerKind.parse("words")).isEqualTo(TokenizerKind.WORDS);
        assertThat(TokenizerKind.parse(" Characters ")).isEqualTo(TokenizerKind.CHARACTERS);
        assertThatThrownBy(() -> TokenizerKind.parse("bytes")).hasMessageContaining("unknown tokenizer 'bytes'");
    }
}
