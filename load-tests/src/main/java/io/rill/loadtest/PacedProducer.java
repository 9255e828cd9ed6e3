package io.rill.loadtest;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * The producer of the fault scenarios: one {@link KafkaProducer} ({@code acks=all}, idempotent, retrying for as long
 * as {@code deliveryTimeout} allows, so a broker outage is ridden out by buffering and retrying, not by losing
 * records) that writes good records to one or more topics, in turn, spreading each topic's records over its
 * partitions in turn. It sends at a steady rate from a thread of its own ({@link #start}, {@link #setRate}; record i
 * is due at start + i / rate, late ones go at once), or as fast as it can (rate 0), or a burst from the caller's
 * thread ({@link #sendNow}). It counts what it handed to Kafka, what the broker acknowledged and what failed.
 */
final class PacedProducer implements AutoCloseable {

    /** A topic to write, how many partitions it has, and the value of its record number j. */
    record Target(String topic, int partitions, LongFunction<byte[]> values) {
    }

    private final List<Target> targets;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong next = new AtomicLong();
    private final LongAdder acked = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLongArray ackedByTarget;
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private volatile double rate;
    private volatile boolean sending;
    private volatile long anchorNanos;
    private volatile long anchorIndex;
    private volatile double maxBehindMillis;
    private Thread thread;

    PacedProducer(String bootstrap, List<Target> targets, Duration deliveryTimeout, boolean bulk) {
        this.targets = List.copyOf(targets);
        this.ackedByTarget = new AtomicLongArray(targets.size());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.LINGER_MS_CONFIG, bulk ? "10" : "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(bulk ? 256 * 1024 : 64 * 1024));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "17000000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryTimeout.toMillis()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        // A send blocks (buffer full, metadata unknown) at most this long before it fails.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(deliveryTimeout.toMillis()));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Starts sending from a thread of its own at {@code recordsPerSecond} over all targets (0: as fast as it can). */
    synchronized void start(double recordsPerSecond) {
        if (thread != null) {
            throw new IllegalStateException("already sending");
        }
        setRate(recordsPerSecond);
        sending = true;
        thread = new Thread(this::loop, "fault-producer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Changes the pace from now on. */
    void setRate(double recordsPerSecond) {
        anchorIndex = next.get();
        anchorNanos = System.nanoTime();
        rate = recordsPerSecond;
    }

    private void loop() {
        while (sending) {
            double r = rate;
            if (r > 0) {
                long due = anchorNanos + (long) ((next.get() - anchorIndex) * 1e9 / r);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
                    continue;
                }
                maxBehindMillis = Math.max(maxBehindMillis, -wait / 1e6);
            }
            sendOne();
        }
    }

    /** Stops the sending thread (records already handed to Kafka are still delivered). */
    void stopSending() throws InterruptedException {
        Thread t;
        synchronized (this) {
            sending = false;
            t = thread;
            thread = null;
        }
        if (t != null) {
            t.join(TimeUnit.MINUTES.toMillis(10));
        }
    }

    /** Sends {@code n} records as fast as Kafka takes them, from this thread; returns the seconds it took. */
    double sendNow(long n) {
        long start = System.nanoTime();
        for (long i = 0; i < n; i++) {
            sendOne();
        }
        producer.flush();
        return (System.nanoTime() - start) / 1e9;
    }

    private void sendOne() {
        long i = next.getAndIncrement();
        int t = (int) (i % targets.size());
        long j = i / targets.size();
        Target target = targets.get(t);
        int partition = (int) (j % target.partitions());
        try {
            producer.send(new ProducerRecord<>(target.topic(), partition, null, target.values().apply(j)),
                    (metadata, e) -> {
                        if (e == null) {
                            acked.increment();
                            ackedByTarget.incrementAndGet(t);
                        } else {
                            failed.increment();
                            firstFailure.compareAndSet(null, e);
                        }
                    });
        } catch (RuntimeException e) {
            failed.increment();
            firstFailure.compareAndSet(null, e);
        }
    }

    /** Waits until every record handed to Kafka is acknowledged or failed; false if {@code timeout} passed first. */
    boolean awaitDelivered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    long sent() {
        return next.get();
    }

    long acked() {
        return acked.sum();
    }

    long acked(int target) {
        return ackedByTarget.get(target);
    }

    long failed() {
        return failed.sum();
    }

    long pending() {
        return next.get() - acked.sum() - failed.sum();
    }

    Exception firstFailure() {
        return firstFailure.get();
    }

    double maxBehindMillis() {
        return maxBehindMillis;
    }

    @Override
    public void close() throws InterruptedException {
        stopSending();
        producer.close(Duration.ofSeconds(30));
    }
}
