package io.rill.ops;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * An exponentially weighted moving rate over one minute, the load-average style that operators know from
 * Unix and from Dropwizard's meters: events are counted in 5-second ticks, each tick folds into the rate with
 * weight 1 - e^(-5/60). Thread-safe: writers only add to a counter; the tick happens lazily on read or write.
 */
public final class RateMeter {

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final double ALPHA = 1 - Math.exp(-5.0 / 60.0);

    private final LongSupplier nanoClock;
    private final LongAdder uncounted = new LongAdder();
    private final AtomicLong lastTick;
    private volatile double ratePerNano;
    private volatile boolean initialised;

    public RateMeter() {
        this(System::nanoTime);
    }

    public RateMeter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastTick = new AtomicLong(nanoClock.getAsLong());
    }

    public void mark(long events) {
        tickIfNeeded();
        uncounted.add(events);
    }

    /** Events per second, averaged over about the last minute. */
    public double perSecond() {
        tickIfNeeded();
        return ratePerNano * TimeUnit.SECONDS.toNanos(1);
    }

    private void tickIfNeeded() {
        long old = lastTick.get();
        long now = nanoClock.getAsLong();
        long age = now - old;
        if (age < TICK_NANOS) {
            return;
        }
        long newTick = now - age % TICK_NANOS;
        if (lastTick.compareAndSet(old, newTick)) {
            long ticks = age / TICK_NANOS;
            for (long i = 0; i < ticks; i++) {
                tick();
            }
        }
    }

    private synchronized void tick() {
        double instant = (double) uncounted.sumThenReset() / TICK_NANOS;
        if (initialised) {
            ratePerNano += ALPHA * (instant - ratePerNano);
        } else {
            ratePerNano = instant;
            initialised = true;
        }
    }
}
