package io.rill.ops;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RateMeterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aSteadyRateConvergesToItsValueAndDecaysWhenEventsStop() {
        AtomicLong clock = new AtomicLong();
        RateMeter meter = new RateMeter(clock::get);
        for (int second = 0; second < 600; second++) {
            meter.mark(100);
            clock.addAndGet(SECOND);
        }
        assertThat(meter.perSecond()).isCloseTo(100.0, within(1.0));
        clock.addAndGet(60 * SECOND); // a minute of silence: the one-minute average falls to about 1/e
        assertThat(meter.perSecond()).isCloseTo(100.0 / Math.E, within(3.0));
    }

    @Test
    void theFirstTickTakesTheRateAsItIs() {
        AtomicLong clock = new AtomicLong();
        RateMeter meter = new RateMeter(clock::get);
        assertThat(meter.perSecond()).isZero();
        meter.mark(50);
        clock.addAndGet(5 * SECOND);
        assertThat(meter.perSecond()).isCloseTo(10.0, within(1e-9));
    }
}
