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
