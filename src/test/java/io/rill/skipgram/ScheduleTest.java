package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void learningRateStartsAtInitialHalvesAfterDecayTokensAndHoldsAtTheFloor() {
        LearningRate lr = new LearningRate(0.025f, 1_000_000, 0.002f);
        assertThat(lr.at(0)).isEqualTo(0.025f);
        assertThat(lr.at(1_000_000)).isCloseTo(0.0125f, within(1e-7f));
        assertThat(lr.at(3_000_000)).isCloseTo(0.00625f, within(1e-7f));
        assertThat(lr.at(100_000_000)).isEqualTo(0.002f);
        assertThat(lr.at(Long.MAX_VALUE)).isEqualTo(0.002f);
        for (long n = 0; n < 50_000_000; n += 1_000_000) {
            assertThat(lr.at(n + 1_000_000)).isLessThanOrEqualTo(lr.at(n));
        }
    }

    @Test
    void lossAverageDoesNotDependOnHowPairsAreBatched() {
        LossAverage whole = new LossAverage(1000);
        LossAverage pieces = new LossAverage(1000);
        whole.add(100 * 2.0, 100);
        pieces.add(100 * 2.0, 100);
        whole.add(600 * 0.5, 600);
        for (int i = 0; i < 6; i++) pieces.add(100 * 0.5, 100);
        assertThat(pieces.value()).isCloseTo(whole.value(), within(1e-12));
        // after 600 pairs at 0.5, the weight left on 2.0 is exp(-0.6)
        assertThat(whole.value()).isCloseTo(0.5 + 1.5 * Math.exp(-0.6), within(1e-12));
        assertThat(new LossAverage(10).value()).isNaN();
    }

    @Test
    void splitMixIsReproducibleAndUniform() {
        SplitMix64 a = new SplitMix64(77), b = new SplitMix64(77);
        for (int i = 0; i < 100; i++) assertThat(a.nextLong()).isEqualTo(b.nextLong());
        int bins = 10, n = 1_000_000;
        long[] hits = new long[bins];
        float min = 1, max = 0;
        for (int i = 0; i < n; i++) {
            float f = a.nextFloat();
            min = Math.min(min, f);
            max = Math.max(max, f);
            hits[a.nextInt(bins)]++;
        }
        assertThat(min).isGreaterThanOrEqualTo(0f);
        assertThat(max).isLessThan(1f);
        double chi2 = 0, expected = (double) n / bins;
        for (long h : hits) chi2 += (h - expected) * (h - expected) / expected;
        assertThat(chi2).isLessThan(40); // 9 degrees of freedom: P(chi2 > 40) < 1e-5
    }
}
