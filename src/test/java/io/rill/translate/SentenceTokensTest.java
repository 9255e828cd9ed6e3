package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The translator's tokens are the reference's ({@code re.findall(r'\w+|[^\w\s]', s.lower())} in Python 3): the
 * expected lists below are what Python printed for the same strings.
 */
class SentenceTokensTest {

    @Test
    void wordsAndPunctuationMarksApartAsThePythonReferenceCutsThem() {
        assertThat(SentenceTokens.of("Qu'est-ce que c'est ?"))
                .containsExactly("qu", "'", "est", "-", "ce", "que", "c", "'", "est", "?");
        assertThat(SentenceTokens.of("I'm 20.")).containsExactly("i", "'", "m", "20", ".");
        assertThat(SentenceTokens.of("Tom a 3½ ans — « vraiment » !"))
                .containsExactly("tom", "a", "3½", "ans", "—", "«", "vraiment", "»", "!");
        // A decomposed accent is a mark, not a word character: it stands apart, as in the reference.
        assertThat(SentenceTokens.of("e\u0301te\u0301 déjà")).containsExactly("e", "\u0301", "te", "\u0301", "déjà");
        assertThat(SentenceTokens.of("snake_case x²")).containsExactly("snake_case", "x²");
        assertThat(SentenceTokens.of("ΑΘΗΝΑ Straße")).containsExactly("αθηνα", "straße");
        assertThat(SentenceTokens.of("日本語のテキスト。")).containsExactly("日本語のテキスト", "。");
        // U+2009 is a space; U+200B (a format character) is not, so it is a token of its own.
        assertThat(SentenceTokens.of("a\u2009b\u200bc")).containsExactly("a", "b", "\u200b", "c");
        assertThat(SentenceTokens.of("tab\there\u001cx\u0085y")).containsExactly("tab", "here", "x", "y");
        assertThat(SentenceTokens.of(" \t ")).isEmpty();
        assertThat(SentenceTokens.of("Go.")).isEqualTo(List.of("go", "."));
    }
}
