package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubsamplerTest {

    @Test
    void keepProbabilityFollowsTheFormula() {
        Subsampler s = new Subsampler(1e-3);
        // z = 0.01: (sqrt(10) + 1) * 0.1
        assertThat(s.keepProbability(1, 100)).isCloseTo(0.416227766, within(1e-9));
        // z = 0.5: (sqrt(500) + 1) * 0.002
        assertThat(s.keepProbability(1, 2)).isCloseTo(0.046721360, within(1e-9));
        // z clamps to 1 when a count outruns the total (counts restart after eviction, totals don't)
        assertThat(s.keepProbability(5, 4)).isCloseTo((Math.sqrt(1000) + 1) * 1e-3, within(1e-12));
        // rare words: P > 1
        assertThat(s.keepProbability(1, 1_000_000)).isGreaterThan(1);
    }

    @ParameterizedTest
    @CsvSource({"1, 2", "1, 20", "1, 100", "3, 1000", "7, 2000"})
    void keepFrequencyMatchesTheProbability(long count, long total) {
        Subsampler s = new Subsampler(1e-3);
        SplitMix64 rng = new SplitMix64(count * 1000 + total);
        double p = Math.min(1, s.keepProbability(count, total));
        int n = 400_000, kept = 0;
        for (int i = 0; i < n; i++) if (s.keep(count, total, rng)) kept++;
        double sd = Math.sqrt(n * p * (1 - p));
        assertThat(p).isLessThan(1);
        assertThat((double) kept).isCloseTo(n * p, within(4.5 * sd));
    }

    @Test
    void wordsAtOrBelowTheKeepAllFrequencyAreAlwaysKept() {
        Subsampler s = new Subsampler(1e-3);
        SplitMix64 rng = new SplitMix64(9);
        // z = 2.6e-3 < 2.618 t: P >= 1
        assertThat(s.keepProbability(26, 10_000)).isGreaterThanOrEqualTo(1);
        for (int i = 0; i < 100_000; i++) {
            assertThat(s.keep(26, 10_000, rng)).isTrue();
            assertThat(s.keep(1, 10_000, rng)).isTrue();
        }
    }
}
