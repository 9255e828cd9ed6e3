package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every reason a parallel line is refused, and what a good line gives. */
class ParallelLineTest {

    @Test
    void aGoodLineGivesBothSidesAndIgnoresFurtherColumns() {
        ParallelLine.Parsed parsed = ParallelLine.parse(
                "I am cold.\tJ'ai froid.\tCC-BY 2.0 (France) Attribution: tatoeba.org #1 (x) & #2 (y)", 50);
        assertThat(parsed).isEqualTo(new ParallelLine.Pair(List.of("i", "am", "cold", "."),
                List.of("j", "'", "ai", "froid", ".")));
    }

    @Test
    void everyReasonToRefuseALine() {
        assertThat(reason(ParallelLine.parse("no tab at all", 50))).isEqualTo("no-tab");
        assertThat(reason(ParallelLine.parse("\tJ'ai froid.", 50))).isEqualTo("empty-side");
        assertThat(reason(ParallelLine.parse("I am cold.\t", 50))).isEqualTo("empty-side");
        assertThat(reason(ParallelLine.parse("I am cold.\t  \tattribution", 50))).isEqualTo("empty-side");
        assertThat(reason(ParallelLine.parse("one two three four\tun", 3))).isEqualTo("too-long");
        assertThat(reason(ParallelLine.parse("un\tone two three four", 3))).isEqualTo("too-long");
        assertThat(reason(ParallelLine.parse("x".repeat(201) + "\ty", 50))).isEqualTo("too-long");
        assertThat(ParallelLine.parse("one two three\tun", 3)).isInstanceOf(ParallelLine.Pair.class);
    }

    private static String reason(ParallelLine.Parsed parsed) {
        assertThat(parsed).isInstanceOf(ParallelLine.Refused.class);
        ParallelLine.Refused refused = (ParallelLine.Refused) parsed;
        assertThat(refused.detail()).isNotBlank();
        return refused.reason();
    }
}
