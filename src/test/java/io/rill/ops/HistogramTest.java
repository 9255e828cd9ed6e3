package io.rill.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Percentiles over HdrHistogram: the same meaning as before, exact in range, no clamp above it. */
class HistogramTest {

    @Test
    void emptyIsMinusOne() {
        assertThat(new Histogram(1024).percentile(0.5)).isEqualTo(-1);
    }

    @Test
    void percentilesAreTheSmallestValueWithThatShareAtOrBelowItExactlyInRange() {
        Histogram h = new Histogram(20_000);
        Random random = new Random(7);
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < 100_001; i++) {
            long v = random.nextInt(20_001);
            values.add(v);
            h.record(v);
        }
        values.sort(null);
        for (double p : new double[] {0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
            long expected = values.get((int) Math.ceil(p * values.size()) - 1);
            assertThat(h.percentile(p)).as("p%s", p).isEqualTo(expected);
        }
        assertThat(h.count()).isEqualTo(100_001);
    }

    @Test
    void smallCountsAsBefore() {
        Histogram h = new Histogram(1024);
        h.record(0);
        h.record(3);
        assertThat(h.percentile(0.5)).isEqualTo(0);
        assertThat(h.percentile(0.99)).isEqualTo(3);
        h.record(-5); // negative values count as 0, as before
        assertThat(h.percentile(0.5)).isEqualTo(0);
    }

    @Test
    void valuesAboveTheExactRangeKeepTheirSizeInsteadOfBeingClamped() {
        Histogram h = new Histogram(20_000);
        for (int i = 0; i < 100; i++) {
            h.record(280_000); // 28 s in tenths of a millisecond
        }
        assertThat((double) h.percentile(0.99)).isCloseTo(280_000, within(280_000 * 0.001));
    }

    @Test
    void resetForgets() {
        Histogram h = new Histogram(1024);
        h.record(9);
        assertThat(h.percentile(0.5)).isEqualTo(9);
        h.reset();
        assertThat(h.percentile(0.5)).isEqualTo(-1);
        h.record(2);
        assertThat(h.percentile(0.5)).isEqualTo(2);
    }

    @Test
    void threadsRecordWithoutLosingCountsWhileOthersRead() throws Exception {
        Histogram h = new Histogram(1024);
        int threads = 4;
        int each = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int value = t;
            Thread writer = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    h.record(value);
                }
            });
            writer.start();
            writers.add(writer);
        }
        start.countDown();
        while (writers.stream().anyMatch(Thread::isAlive)) {
            h.percentile(0.99); // reading folds in what was recorded meanwhile
        }
        for (Thread writer : writers) {
            writer.join();
        }
        assertThat(h.count()).isEqualTo((long) threads * each);
        assertThat(h.percentile(0.5)).isEqualTo(1);
        assertThat(h.percentile(1.0)).isEqualTo(3);
    }

    @Test
    void significantDigitsCoverTheExactRange() {
        assertThat(Histogram.significantDigits(1024)).isEqualTo(3);   // exact below 2048
        assertThat(Histogram.significantDigits(2047)).isEqualTo(3);
        assertThat(Histogram.significantDigits(2048)).isEqualTo(4);   // exact below 32768
        assertThat(Histogram.significantDigits(20_000)).isEqualTo(4);
        assertThat(Histogram.significantDigits(100)).isEqualTo(2);    // exact below 256
    }
}
