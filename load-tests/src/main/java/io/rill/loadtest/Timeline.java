package io.rill.loadtest;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a scenario looked like over time, sampled every second from both sides: from the broker (the topics' end
 * offsets and the group's committed offsets, through an admin client), from the node (records taken in, heap used and
 * its limit, the last checkpoint's sequence, over remote JMX) and from the harness (records the producer has had
 * acknowledged). A side that cannot be read (the node killed, the broker down) leaves -1 in that sample. Events (a
 * kill, the broker going away) are marked with the time they happened. The samples feed the report's figures and the
 * SVG chart.
 */
final class Timeline implements AutoCloseable {

    /**
     * One sample, {@code t} seconds after the timeline started. -1: not known. {@code endOffsets} and {@code
     * committed} are summed over the watched partitions (a partition without a committed offset counts 0).
     */
    record Sample(double t, long produced, long endOffsets, long committed, long recordsIn, long heapUsed,
                  long heapMax, long checkpointSequence) {

        /** Records written to the topics but not yet committed by rill: the consumer lag. */
        long lag() {
            return endOffsets < 0 || committed < 0 ? -1 : endOffsets - committed;
        }

        /** Records written to the topics that rill has not yet taken in. */
        long backlog() {
            return endOffsets < 0 || recordsIn < 0 ? -1 : Math.max(0, endOffsets - recordsIn);
        }
    }

    record Event(double t, String label) {
    }

    private final Admin admin;
    private final String group;
    private final List<TopicPartition> partitions;
    private final Supplier<NodeJmx> node;
    private final LongSupplier produced;
    private final long periodMillis;
    private final long startNanos = System.nanoTime();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private Thread thread;

    Timeline(Admin admin, String group, List<TopicPartition> partitions, Supplier<NodeJmx> node,
             LongSupplier produced, Duration period) {
        this.admin = admin;
        this.group = group;
        this.partitions = List.copyOf(partitions);
        this.node = node;
        this.produced = produced;
        this.periodMillis = period.toMillis();
    }

    void start() {
        running = true;
        thread = new Thread(this::loop, "timeline");
        thread.setDaemon(true);
        thread.start();
    }

    /** Seconds since the timeline started. */
    double now() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    void event(String label) {
        events.add(new Event(now(), label));
    }

    private void loop() {
        long next = System.nanoTime();
        while (running) {
            samples.add(sample());
            next += TimeUnit.MILLISECONDS.toNanos(periodMillis);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime(); // a slow sample (the broker down): no catching up in a burst
            }
        }
    }

    /** One sample now; each side read with its own bounds, failures leaving -1. */
    Sample sample() {
        double t = now();
        long producedNow = produced.getAsLong();
        long recordsIn = -1;
        long heapUsed = -1;
        long heapMax = -1;
        long sequence = -1;
        NodeJmx jmx = node.get();
        if (jmx != null) {
            try {
                // No stream beans yet (partitions not assigned): nothing known about the count.
                var streams = jmx.streams();
                recordsIn = streams.isEmpty() ? -1 : streams.values().stream().mapToLong(NodeJmx.Stream::recordsIn).sum();
                long[] heap = jmx.heap();
                heapUsed = heap[0];
                heapMax = heap[1];
                sequence = jmx.checkpoints("LastSequence");
            } catch (Exception e) {
                // the node is gone or not up yet
            }
        }
        long[] offsets = brokerOffsets(1500);
        return new Sample(t, producedNow, offsets[0], offsets[1], recordsIn, heapUsed, heapMax, sequence);
    }

    /** {end offsets, committed offsets} summed over the partitions, or -1 each when the broker does not answer. */
    long[] brokerOffsets(long timeoutMillis) {
        try {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> ends =
                    admin.listOffsets(latest).all();
            KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            long end = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info : ends.get(timeoutMillis, TimeUnit.MILLISECONDS).values()) {
                end += info.offset();
            }
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            Map<TopicPartition, OffsetAndMetadata> group = committed.get(left, TimeUnit.MILLISECONDS);
            long sum = 0;
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata offset = group.get(tp);
                sum += offset == null ? 0 : offset.offset();
            }
            return new long[] {end, sum};
        } catch (Exception e) {
            return new long[] {-1, -1};
        }
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** The largest known value of {@code field} over the samples, or -1. */
    static long max(List<Sample> samples, java.util.function.ToLongFunction<Sample> field) {
        return samples.stream().mapToLong(field).max().orElse(-1);
    }

    /**
     * The chart of this timeline: records per second (taken in by rill, acknowledged to the producer), lag and
     * backlog, heap used against its limit, and, when asked, the checkpoint sequence; events as vertical lines.
     */
    SvgChart chart(String title, String subtitle, boolean withCheckpoints) {
        List<Sample> all = samples();
        int n = all.size();
        double[] t = new double[n];
        double[] inRate = new double[n];
        double[] producedRate = new double[n];
        double[] lag = new double[n];
        double[] backlog = new double[n];
        double[] heap = new double[n];
        double[] heapMax = new double[n];
        double[] sequence = new double[n];
        for (int i = 0; i < n; i++) {
            Sample s = all.get(i);
            t[i] = s.t();
            inRate[i] = Double.NaN;
            producedRate[i] = Double.NaN;
            if (i > 0) {
                Sample p = all.get(i - 1);
                double dt = s.t() - p.t();
                // A node restart starts its count again from its checkpoint: no rate across that.
                if (s.recordsIn() >= 0 && p.recordsIn() >= 0 && s.recordsIn() >= p.recordsIn() && dt > 0) {
                    inRate[i] = (s.recordsIn() - p.recordsIn()) / dt;
                }
                if (dt > 0) {
                    producedRate[i] = (s.produced() - p.produced()) / dt;
                }
            }
            lag[i] = s.lag() < 0 ? Double.NaN : s.lag();
            backlog[i] = s.backlog() < 0 ? Double.NaN : s.backlog();
            heap[i] = s.heapUsed() < 0 ? Double.NaN : s.heapUsed() / ProcMemory.MIB;
            heapMax[i] = s.heapMax() < 0 ? Double.NaN : s.heapMax() / ProcMemory.MIB;
            sequence[i] = s.checkpointSequence() < 0 ? Double.NaN : s.checkpointSequence();
        }
        SvgChart chart = new SvgChart(title, subtitle);
        chart.panel("throughput", "records/s", List.of(
                new SvgChart.Series("taken in by rill", "#1f77b4", t, inRate),
                new SvgChart.Series("acknowledged to the producer", "#ff7f0e", t, producedRate)));
        chart.panel("lag", "records", List.of(
                new SvgChart.Series("end offsets - committed (consumer lag)", "#d62728", t, lag),
                new SvgChart.Series("end offsets - taken in", "#9467bd", t, backlog)));
        chart.panel("heap", "MiB", List.of(
                new SvgChart.Series("heap used", "#2ca02c", t, heap),
                new SvgChart.Series("heap limit (max)", "#7f7f7f", t, heapMax)));
        if (withCheckpoints) {
            chart.panel("checkpoints", "sequence", List.of(
                    new SvgChart.Series("last checkpoint written", "#8c564b", t, sequence)));
        }
        for (Event e : events()) {
            chart.event(e.t(), e.label());
        }
        return chart;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(10_000);
        }
    }

    static List<Double> times(List<Event> events, String prefix) {
        List<Double> found = new ArrayList<>();
        for (Event e : events) {
            if (e.label().startsWith(prefix)) {
                found.add(e.t());
            }
        }
        return found;
    }
}
