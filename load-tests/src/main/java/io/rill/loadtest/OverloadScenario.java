package io.rill.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Overload: a node with a fixed heap and the skip-gram learner on gets records on the corpus topic far faster than it
 * trains (a multiple of its measured train rate, or as fast as the producer can) for a while, then the load stops.
 * Kafka holds the backlog, so the node should only fall behind: its heap must stay within its limit (no
 * OutOfMemoryError, the process alive), the lag must grow and then drain to 0, and nothing may be dropped.
 *
 * <p>The train rate is measured first: a calibration batch is produced at once and the rate at which the node takes
 * it in is read between 20% and 90% of it (so neither start-up nor the tail counts).
 */
final class OverloadScenario {

    private OverloadScenario() {
    }

    static ScenarioResult run(FaultBench bench, Path dir) throws Exception {
        ScenarioResult result = new ScenarioResult("overload", String.format(Locale.ROOT,
                "overload for %d s against a fixed heap", bench.overloadSeconds));
        FaultData data = bench.data();
        result.steps.add(String.format(Locale.ROOT, "Broker in its own JVM; a node `java %s -jar rill.jar run` (skip-gram "
                + "on, defaults otherwise) learns from %s.", bench.overloadJvmOpts, FaultCluster.CORPUS));
        result.steps.add(bench.overloadRate > 0
                ? String.format(Locale.ROOT, "No calibration: the load is %,d records/s as given.", bench.overloadRate)
                : String.format(Locale.ROOT, "Calibration: %,d records produced at once; the node's intake between "
                + "20%% and 90%% of them is its train rate.", bench.calibrationRecords));
        result.steps.add(String.format(Locale.ROOT, "Overload: records of about %d characters at %s for %d s; heap, "
                + "lag and counts sampled every second. Then the producer stops and the node drains (at most %d s).",
                bench.recordChars, bench.overloadRate > 0 ? bench.overloadRate + " records/s"
                        : bench.overloadFactor > 0 ? bench.overloadFactor + "x the train rate" : "the producer's top speed",
                bench.overloadSeconds, bench.drainTimeout));
        try (FaultCluster cluster = new FaultCluster(bench, dir)) {
            cluster.startBroker();
            cluster.createTopics();
            List<org.apache.kafka.common.TopicPartition> corpus = FaultCluster.TEXT_PARTITIONS.subList(0, 2);
            try (PacedProducer producer = new PacedProducer(cluster.bootstrap(), List.of(
                    new PacedProducer.Target(FaultCluster.CORPUS, 2, data::corpusValue)), Duration.ofMinutes(10), true);
                 Timeline timeline = new Timeline(cluster.admin(), FaultCluster.GROUP, corpus, cluster::currentJmx,
                         producer::acked, Duration.ofSeconds(1))) {
                timeline.start();
                FaultCluster.Node node = cluster.startNode("node", bench.overloadJvmOpts, "");
                timeline.event("node up");
                long deadline = System.nanoTime() + Duration.ofSeconds(bench.startTimeout).toNanos();
                while (node.jmx.streams().size() < FaultCluster.TEXT_PARTITIONS.size()) {
                    if (System.nanoTime() > deadline || !node.process.alive()) {
                        throw new IllegalStateException("the node's partitions were not assigned within "
                                + bench.startTimeout + " s; see " + node.process.log());
                    }
                    Thread.sleep(100);
                }

                double trainRate = -1;
                if (bench.overloadRate <= 0) {
                    timeline.event("calibration");
                    producer.sendNow(bench.calibrationRecords);
                    trainRate = intakeRate(node, bench.calibrationRecords, bench.timeout);
                    System.out.printf(Locale.ROOT, "[overload] train rate: %,.0f records/s%n", trainRate);
                }
                double target = bench.overloadRate > 0 ? bench.overloadRate
                        : bench.overloadFactor > 0 ? bench.overloadFactor * trainRate : 0;
                long inBefore = node.jmx.recordsIn();
                long ackedBefore = producer.acked();
                double started = timeline.now();
                timeline.event("overload");
                producer.start(target);
                boolean alive = true;
                long end = System.nanoTime() + Duration.ofSeconds(bench.overloadSeconds).toNanos();
                while (System.nanoTime() < end) {
                    alive &= node.process.alive();
                    Thread.sleep(250);
                }
                producer.stopSending();
                boolean delivered = producer.awaitDelivered(Duration.ofSeconds(300));
                double stopped = timeline.now();
                timeline.event("load stops");
                long inAfter = node.process.alive() ? node.jmx.recordsIn() : -1;
                double produceRate = (producer.acked() - ackedBefore) / (stopped - started);
                double intake = (inAfter - inBefore) / (stopped - started);
                System.out.printf(Locale.ROOT, "[overload] produced %,.0f records/s for %.0f s, rill took in %,.0f/s; "
                        + "draining%n", produceRate, stopped - started, intake);
                FaultCluster.Accounting accounting = cluster.awaitAccounted(node, corpus,
                        Duration.ofSeconds(bench.drainTimeout));
                alive &= node.process.alive();
                timeline.event("drained");
                Thread.sleep(1500);
                timeline.close();

                List<Timeline.Sample> samples = timeline.samples();
                long heapPeak = Timeline.max(samples, Timeline.Sample::heapUsed);
                long heapLimit = Timeline.max(samples, Timeline.Sample::heapMax);
                long maxLag = Timeline.max(samples, Timeline.Sample::lag);
                long maxBacklog = Timeline.max(samples, Timeline.Sample::backlog);
                Optional<ProcMemory> rss = ProcMemory.of(node.process.pid());
                if (trainRate > 0) {
                    result.figure("train rate (calibration)", "%,.0f records/s", trainRate);
                }
                result.figure("load", "%,.0f records/s acknowledged for %.0f s (target %s)", produceRate,
                        stopped - started, target > 0 ? String.format(Locale.ROOT, "%,.0f/s", target) : "top speed");
                result.figure("rill's intake during the load", "%,.0f records/s", intake);
                result.figure("load / intake during the load", "%.1fx", intake > 0 ? produceRate / intake : Double.NaN);
                if (trainRate > 0) {
                    result.figure("load / train rate", "%.1fx", produceRate / trainRate);
                }
                result.figure("heap peak (used, sampled every second)", "%,.0f MiB of %,.0f MiB", heapPeak / ProcMemory.MIB,
                        heapLimit / ProcMemory.MIB);
                rss.ifPresent(m -> result.figure("node RSS at the end / peak (VmHWM)", "%,.0f / %,.0f MiB",
                        m.rssBytes() / ProcMemory.MIB, m.peakRssBytes() / ProcMemory.MIB));
                result.figure("max lag (end offsets - committed)", "%,d records", maxLag);
                result.figure("max backlog (end offsets - taken in)", "%,d records", maxBacklog);
                result.figure("drain: load stopped to all taken in and committed", "%.1f s%s", accounting.seconds(),
                        accounting.complete() ? "" : " (not drained: gave up)");
                result.check("the node stayed alive", alive, "pid %d", node.process.pid());
                result.check("the heap stayed within its limit", heapPeak > 0 && heapPeak < heapLimit,
                        "peak %,.0f MiB of %,.0f MiB", heapPeak / ProcMemory.MIB, heapLimit / ProcMemory.MIB);
                boolean overloaded = trainRate > 0 ? produceRate >= 0.9 * bench.overloadFactor * trainRate
                        : target <= 0 || produceRate >= 0.9 * target;
                result.check(bench.overloadRate > 0 || bench.overloadFactor <= 0 ? "the load ran at its target rate"
                        : "the load reached " + bench.overloadFactor + "x the train rate", overloaded,
                        "%,.0f records/s", produceRate);
                result.check("the lag grew, then drained to 0", maxLag > 0 && accounting.complete(),
                        "max %,d, drained in %.1f s", maxLag, accounting.seconds());
                result.check("the producer's records were all acknowledged", delivered && producer.failed() == 0
                        && producer.acked() == accounting.produced(), "%,d acknowledged, %,d failed, end offsets "
                        + "sum to %,d", producer.acked(), producer.failed(), accounting.produced());
                FaultCluster.checkAccounting(result, accounting);
                Integer exit = cluster.stopNode(node, Duration.ofSeconds(120));
                result.check("the node stops cleanly on SIGTERM afterwards", exit != null && (exit == 0 || exit == 143),
                        "exit %s", exit == null ? "none within 120 s (killed)" : exit.toString());
                cluster.noteLogs(result);
                result.chartFile = bench.writeChart(timeline.chart("overload, " + bench.overloadSeconds + " s",
                        String.format(Locale.ROOT, "node %s; load %,.0f records/s; intake %,.0f/s; dashed lines: "
                                + "phases", bench.overloadJvmOpts, produceRate, intake), true), "overload");
            }
        }
        return result;
    }

    /**
     * The node's intake while it works through {@code records} produced at once: records taken in between 20% and 90%
     * of them, over the time between.
     */
    static double intakeRate(FaultCluster.Node node, long records, int timeoutSeconds) throws Exception {
        long base = node.jmx.recordsIn();
        long low = base + records / 5;
        long high = base + records * 9 / 10;
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        long tLow = -1;
        long inLow = 0;
        while (System.nanoTime() < deadline && node.process.alive()) {
            long in = node.jmx.recordsIn();
            long now = System.nanoTime();
            if (tLow < 0 && in >= low) {
                tLow = now;
                inLow = in;
            }
            if (tLow >= 0 && in >= high && now > tLow) {
                return (in - inLow) / ((now - tLow) / 1e9);
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the node did not take in the calibration records within " + timeoutSeconds
                + " s");
    }
}
