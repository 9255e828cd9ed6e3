package io.rill.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelledLineTest {

    private static LabelledLine parse(String line) {
        return LabelledLine.parse(line, 40, 8);
    }

    @Test
    void aGoodLineHasItsLabelAndLowerCasedTokens() {
        LabelledLine line = parse(" pos \tA  Gripping ,\tfunny film .");
        assertThat(line).isEqualTo(new LabelledLine.Example("pos", List.of("a", "gripping", ",", "funny", "film",
                ".")));
        assertThat(((LabelledLine.Example) line).sentence()).isEqualTo("a gripping , funny film .");
    }

    @Test
    void everyBadLineHasItsReason() {
        assertThat(reason("pos a good film")).isEqualTo(LabelledLine.NO_TAB);
        assertThat(reason("\ta good film")).isEqualTo(LabelledLine.EMPTY_LABEL);
        assertThat(reason("  \ta good film")).isEqualTo(LabelledLine.EMPTY_LABEL);
        assertThat(reason("pos\t")).isEqualTo(LabelledLine.EMPTY_SENTENCE);
        assertThat(reason("pos\t  \t ")).isEqualTo(LabelledLine.EMPTY_SENTENCE);
        assertThat(reason("positive1\tfilm")).isEqualTo(LabelledLine.LABEL_TOO_LONG);
        assertThat(reason("pos\t" + "x".repeat(37))).isEqualTo(LabelledLine.LINE_TOO_LONG);
        assertThat(parse("pos\t" + "x".repeat(36))).isInstanceOf(LabelledLine.Example.class);
        assertThat(parse("positive\tfilm")).isInstanceOf(LabelledLine.Example.class); // 8 characters: the limit
    }

    private static String reason(String line) {
        LabelledLine parsed = parse(line);
        assertThat(parsed).isInstanceOf(LabelledLine.Refused.class);
        assertThat(((LabelledLine.Refused) parsed).detail()).isNotBlank();
        return ((LabelledLine.Refused) parsed).reason();
    }

    @Test
    void requestsSplitPunctuationOffWordsSoThatBothSpellingsMeet() {
        assertThat(Tokens.ofRequest("A gripping, funny film.")).isEqualTo(Tokens.ofTopic("a gripping , funny film ."));
        assertThat(Tokens.ofRequest("(wow!!) it's \"well-made\"...")).containsExactly("(", "wow", "!!", ")", "it's",
                "\"", "well-made", "\"", "...");
        assertThat(Tokens.ofRequest("the characters' '70s -- fine")).containsExactly("the", "characters'", "'70s",
                "--", "fine");
        assertThat(Tokens.ofRequest("  ")).isEmpty();
        assertThat(Tokens.ofTopic("Film. ok")).containsExactly("film.", "ok");
    }
}
