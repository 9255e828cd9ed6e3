package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Corpus BLEU-4 as the reference benchmark defines it, on cases worked by hand. */
class BleuTest {

    private static List<String> words(String text) {
        return List.of(text.split(" "));
    }

    @Test
    void aPerfectCorpusScores100AndOneWithoutA4GramMatchScores0() {
        Bleu perfect = new Bleu();
        perfect.add(words("je suis très fatigué ."), List.of(words("je suis très fatigué .")));
        assertThat(perfect.score()).isCloseTo(100, within(1e-9));

        Bleu none = new Bleu();
        none.add(words("je suis"), List.of(words("je suis")));
        assertThat(none.score()).isEqualTo(0.0); // no 3- or 4-gram at all: no smoothing
    }

    @Test
    void matchesAreClippedByTheReferenceWhereTheyOccurMostAndBrevityIsPenalised() {
        // Hypothesis "a a a a b c d" against "a b c d e" and "a a x": 1-grams a clipped to 2 (the second
        // reference), b c d once: 5 of 7; 2-grams: "a a" 1 (second), "a b" "b c" "c d": 4 of 6; 3-grams "a b c",
        // "b c d": 2 of 5; 4-grams "a b c d": 1 of 4. Length 7 > the closest reference's 5: no penalty.
        Bleu bleu = new Bleu();
        bleu.add(words("a a a a b c d"), List.of(words("a b c d e"), words("a a x")));
        double expected = 100 * Math.exp((Math.log(5.0 / 7) + Math.log(4.0 / 6) + Math.log(2.0 / 5)
                + Math.log(1.0 / 4)) / 4);
        assertThat(bleu.score()).isCloseTo(expected, within(1e-9));

        // References of 6 and 2 words are both 2 away from a hypothesis of 4: the shorter counts, so c > r and there
        // is no penalty.
        Bleu tie = new Bleu();
        tie.add(words("a b c d"), List.of(words("a b c d e f"), words("a b")));
        assertThat(tie.score()).isCloseTo(100, within(1e-9));

        Bleu shortOne = new Bleu();
        shortOne.add(words("a b c d"), List.of(words("a b c d e f")));
        assertThat(shortOne.score()).isCloseTo(100 * Math.exp(1 - 6.0 / 4), within(1e-9));
    }
}
