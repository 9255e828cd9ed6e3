package io.rill.loadtest;

import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Sustained ingest at a target rate, then bursts: a node (defaults, skip-gram on) gets records on the corpus topic at
 * a steady rate for a while; once it has drained, bursts of many records are sent as fast as the producer can, each
 * drained before the next. Reported: the rate achieved by the producer and by rill's intake, the lag over time,
 * and per burst how long it took to take in and to commit. Checks: the producer held the rate, rill kept up with it,
 * every burst drained, nothing lost or counted twice.
 */
final class RateScenario {

    private RateScenario() {
    }

    static ScenarioResult run(FaultBench bench, Path dir) throws Exception {
        ScenarioResult result = new ScenarioResult("rate", String.format(Locale.ROOT,
                "%,d records/s for %d s, then %d bursts of %,d records", bench.rate, bench.rateSeconds, bench.bursts,
                bench.burstRecords));
        FaultData data = FaultData.load(bench.rateRecordChars);
        result.steps.add(String.format(Locale.ROOT, "Broker in its own JVM; a node `java %s -jar rill.jar run` "
                + "(skip-gram on, defaults otherwise) learns from %s; records of about %d characters (%s).",
                bench.nodeJvmOpts, FaultCluster.CORPUS, bench.rateRecordChars, data.describe()));
        result.steps.add(String.format(Locale.ROOT, "Sustained: %,d records/s for %d s (each record due at its "
                + "time, late ones sent at once), then wait until drained.", bench.rate, bench.rateSeconds));
        result.steps.add(String.format(Locale.ROOT, "Bursts: %d x %,d records as fast as the producer can, each "
                + "followed by the wait until all are taken in and committed, and %d s of quiet.", bench.bursts,
                bench.burstRecords, bench.burstGap));
        try (FaultCluster cluster = new FaultCluster(bench, dir)) {
            cluster.startBroker();
            cluster.createTopics();
            List<TopicPartition> corpus = FaultCluster.TEXT_PARTITIONS.subList(0, 2);
            try (PacedProducer producer = new PacedProducer(cluster.bootstrap(), List.of(
                    new PacedProducer.Target(FaultCluster.CORPUS, 2, data::corpusValue)), Duration.ofMinutes(10), true);
                 Timeline timeline = new Timeline(cluster.admin(), FaultCluster.GROUP, corpus, cluster::currentJmx,
                         producer::acked, Duration.ofSeconds(1))) {
                timeline.start();
                FaultCluster.Node node = cluster.startNode("node", bench.nodeJvmOpts, "");
                timeline.event("node up");
                long deadline = System.nanoTime() + Duration.ofSeconds(bench.startTimeout).toNanos();
                while (node.jmx.streams().size() < FaultCluster.TEXT_PARTITIONS.size()) {
                    if (System.nanoTime() > deadline || !node.process.alive()) {
                        throw new IllegalStateException("the node's partitions were not assigned within "
                                + bench.startTimeout + " s; see " + node.process.log());
                    }
                    Thread.sleep(100);
                }

                // Sustained.
                long inBefore = node.jmx.recordsIn();
                long ackedBefore = producer.acked();
                double started = timeline.now();
                timeline.event("sustained");
                producer.start(bench.rate);
                boolean alive = true;
                long end = System.nanoTime() + Duration.ofSeconds(bench.rateSeconds).toNanos();
                while (System.nanoTime() < end) {
                    alive &= node.process.alive();
                    Thread.sleep(250);
                }
                producer.stopSending();
                producer.awaitDelivered(Duration.ofSeconds(120));
                double stopped = timeline.now();
                long inAfter = node.jmx.recordsIn();
                timeline.event("sustained ends");
                double achieved = (producer.acked() - ackedBefore) / (stopped - started);
                double intake = (inAfter - inBefore) / (stopped - started);
                long lagAtEnd = timeline.sample().backlog();
                long maxLag = maxLag(timeline.samples(), started, stopped);
                System.out.printf(Locale.ROOT, "[rate] sustained: %,.0f records/s produced, %,.0f/s taken in; "
                        + "backlog at the end %,d%n", achieved, intake, lagAtEnd);
                FaultCluster.Accounting drained = cluster.awaitAccounted(node, corpus,
                        Duration.ofSeconds(bench.drainTimeout));
                timeline.event("drained");
                result.figure("sustained: produced (acknowledged)", "%,.0f records/s for %.0f s (target %,d/s; the "
                        + "producer was at most %.0f ms behind its schedule)", achieved, stopped - started, bench.rate,
                        producer.maxBehindMillis());
                result.figure("sustained: taken in by rill", "%,.0f records/s", intake);
                result.figure("sustained: backlog at the end (end offsets - taken in)", "%,d records", lagAtEnd);
                result.figure("sustained: max lag (end offsets - committed)", "%,d records", maxLag);
                result.figure("sustained: drained (all taken in and committed) after the load", "%.1f s%s",
                        drained.seconds(), drained.complete() ? "" : " (gave up)");
                result.check("the producer held the target rate", achieved >= 0.95 * bench.rate,
                        "%,.0f of %,d records/s", achieved, bench.rate);
                result.check("rill kept up with the target rate", intake >= 0.95 * bench.rate,
                        "took in %,.0f records/s; backlog at the end %,d", intake, lagAtEnd);

                // Bursts.
                result.tableTitle = "Bursts";
                result.tableHeader = List.of("burst", "records", "sent in (s)", "send rate (records/s)",
                        "all taken in after (s)", "all committed after (s)", "max lag (records)");
                boolean allDrained = drained.complete();
                for (int b = 1; b <= bench.bursts && alive; b++) {
                    Thread.sleep(bench.burstGap * 1000L);
                    double t0 = timeline.now();
                    timeline.event("burst " + b);
                    double sendSeconds = producer.sendNow(bench.burstRecords);
                    long written = cluster.endOffsets(corpus).values().stream().mapToLong(Long::longValue).sum();
                    double takenIn = -1;
                    long stop = System.nanoTime() + Duration.ofSeconds(bench.drainTimeout).toNanos();
                    while (System.nanoTime() < stop && node.process.alive()) {
                        if (node.jmx.recordsIn() >= written) {
                            takenIn = timeline.now() - t0;
                            break;
                        }
                        Thread.sleep(100);
                    }
                    FaultCluster.Accounting a = cluster.awaitAccounted(node, corpus,
                            Duration.ofSeconds(bench.drainTimeout));
                    double committed = timeline.now() - t0;
                    allDrained &= a.complete() && takenIn >= 0;
                    result.tableRows.add(List.of(Integer.toString(b), String.format(Locale.ROOT, "%,d",
                            bench.burstRecords), String.format(Locale.ROOT, "%.2f", sendSeconds),
                            String.format(Locale.ROOT, "%,.0f", bench.burstRecords / sendSeconds),
                            takenIn < 0 ? "never" : String.format(Locale.ROOT, "%.1f", takenIn),
                            a.complete() ? String.format(Locale.ROOT, "%.1f", committed) : "never",
                            String.format(Locale.ROOT, "%,d", maxLag(timeline.samples(), t0, timeline.now()))));
                    System.out.printf(Locale.ROOT, "[rate] burst %d: sent in %.2f s, taken in after %.1f s, "
                            + "committed after %.1f s%n", b, sendSeconds, takenIn, committed);
                    alive &= node.process.alive();
                }
                Thread.sleep(1500);
                timeline.close();
                FaultCluster.Accounting accounting = cluster.awaitAccounted(node, corpus, Duration.ofSeconds(60));
                result.check("the node stayed alive", alive && node.process.alive(), "pid %d", node.process.pid());
                result.check("every burst drained", allDrained, "see the table");
                result.check("the producer's records were all acknowledged", producer.failed() == 0
                        && producer.acked() == accounting.produced(), "%,d acknowledged, %,d failed, end offsets "
                        + "sum to %,d", producer.acked(), producer.failed(), accounting.produced());
                FaultCluster.checkAccounting(result, accounting);
                Integer exit = cluster.stopNode(node, Duration.ofSeconds(120));
                result.check("the node stops cleanly on SIGTERM afterwards", exit != null && (exit == 0 || exit == 143),
                        "exit %s", exit == null ? "none within 120 s (killed)" : exit.toString());
                cluster.noteLogs(result);
                result.chartFile = bench.writeChart(timeline.chart(String.format(Locale.ROOT, "%,d records/s for %d "
                                + "s, then bursts of %,d", bench.rate, bench.rateSeconds, bench.burstRecords),
                        String.format(Locale.ROOT, "records of ~%d characters on %s; dashed lines: phases and bursts",
                                bench.rateRecordChars, FaultCluster.CORPUS), false), "rate");
            }
        }
        return result;
    }

    /** The largest lag (end offsets - committed) sampled between {@code from} and {@code to} seconds. */
    private static long maxLag(List<Timeline.Sample> samples, double from, double to) {
        return samples.stream().filter(s -> s.t() >= from && s.t() <= to)
                .mapToLong(Timeline.Sample::lag).max().orElse(-1);
    }
}
