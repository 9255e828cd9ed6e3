package io.rill.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A broker outage: the broker, in its own JVM, is taken away (SIGKILL by default: a crash, no controlled shutdown,
 * its logs recovered at the next start; {@code --outage-signal term} for a clean stop) for a while under a running
 * node, while the producer keeps sending (its records wait in its buffer and are retried), then started again on
 * the same port and data directory. The node must ride it out without a restart, reconnect by itself and lose
 * nothing. Measured: from the broker's return to the first new record taken in (reconnect), and to having taken in
 * everything written up to the moment the producer's held-back records were all acknowledged (caught up).
 */
final class OutageScenario {

    private OutageScenario() {
    }

    static ScenarioResult run(FaultBench bench, Path dir) throws Exception {
        boolean kill = bench.outageSignal.equalsIgnoreCase("kill");
        String signal = kill ? "SIGKILL" : "SIGTERM";
        ScenarioResult result = new ScenarioResult("outage", "broker outage of " + bench.outageSeconds + " s ("
                + signal + ")");
        FaultData data = bench.data();
        result.steps.add(String.format(Locale.ROOT, "Broker in its own JVM on a fixed port; a producer (acks=all, "
                + "idempotent, delivery timeout %d s) writes %d records/s to each text topic the whole time; a node "
                + "`java %s -jar rill.jar run` consumes.", bench.outageSeconds + 600, bench.outageRate,
                bench.nodeJvmOpts));
        result.steps.add(String.format(Locale.ROOT, "Once the node consumes, %d s later: the broker gets %s; %d s "
                + "later it is started again on the same port and data directory. The node is watched all along "
                + "(alive, the same process).", bench.outageLead, signal, bench.outageSeconds));
        result.steps.add(String.format(Locale.ROOT, "Then: until the node takes in new records (reconnect), until "
                + "it has taken in everything written by the time the producer's held-back records were "
                + "acknowledged (caught up); %d s more of steady load; the producer stops; the final accounting.",
                bench.outageLead));
        try (FaultCluster cluster = new FaultCluster(bench, dir)) {
            cluster.startBroker();
            cluster.createTopics();
            try (PacedProducer producer = new PacedProducer(cluster.bootstrap(), List.of(
                    new PacedProducer.Target(FaultCluster.CORPUS, 2, data::corpusValue),
                    new PacedProducer.Target(FaultCluster.NAMES, 2, data::nameValue)),
                    Duration.ofSeconds(bench.outageSeconds + 600L), false);
                 Timeline timeline = new Timeline(cluster.admin(), FaultCluster.GROUP, FaultCluster.TEXT_PARTITIONS,
                         cluster::currentJmx, producer::acked, Duration.ofSeconds(1))) {
                producer.start(2.0 * bench.outageRate);
                timeline.start();
                FaultCluster.Node node = cluster.startNode("node", bench.nodeJvmOpts, "");
                timeline.event("node up");
                cluster.awaitConsuming(node, FaultCluster.TEXT_PARTITIONS.size(), Duration.ofSeconds(bench.startTimeout));
                Thread.sleep(bench.outageLead * 1000L);
                long restartsBefore = node.jmx.longAttribute(NodeJmx.NODE, "IngestRestarts");
                long maxIn = node.jmx.recordsIn();

                cluster.stopBroker(kill);
                double down = timeline.now();
                timeline.event("broker " + signal);
                System.out.printf("[outage] broker stopped (%s); %d s outage%n", signal, bench.outageSeconds);
                boolean aliveThroughout = true;
                long jmxFailures = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(bench.outageSeconds).toNanos();
                while (System.nanoTime() < deadline) {
                    aliveThroughout &= node.process.alive();
                    try {
                        maxIn = Math.max(maxIn, node.jmx.recordsIn());
                    } catch (Exception e) {
                        jmxFailures++;
                    }
                    Thread.sleep(250);
                }
                long heldBack = producer.sent() - producer.acked();
                double brokerStart = cluster.startBroker();
                double up = timeline.now();
                timeline.event("broker back");
                long sentAtReturn = producer.sent();
                System.out.printf(Locale.ROOT, "[outage] broker back after %.1f s (started in %.1f s); %,d records "
                        + "held back by the producer%n", up - down, brokerStart, heldBack);

                // Reconnect: the first record taken in after the broker's return. Meanwhile the producer's
                // held-back records get acknowledged; once they are, everything written up to then is the mark
                // for "caught up".
                double resumed = -1;
                double producerFlushed = -1;
                double caughtUp = -1;
                long written = -1;
                long end = System.nanoTime() + Duration.ofSeconds(bench.timeout).toNanos();
                while (System.nanoTime() < end && node.process.alive() && caughtUp < 0) {
                    long in = node.jmx.recordsIn();
                    if (resumed < 0 && in > maxIn) {
                        resumed = timeline.now();
                        timeline.event("taking in again");
                    }
                    if (producerFlushed < 0 && producer.acked() + producer.failed() >= sentAtReturn) {
                        producerFlushed = timeline.now();
                        written = cluster.endOffsets(FaultCluster.TEXT_PARTITIONS).values().stream()
                                .mapToLong(Long::longValue).sum();
                    }
                    if (written >= 0 && in >= written) {
                        caughtUp = timeline.now();
                        timeline.event("caught up");
                    }
                    Thread.sleep(100);
                }
                aliveThroughout &= node.process.alive();
                Thread.sleep(bench.outageLead * 1000L);
                producer.stopSending();
                boolean delivered = producer.awaitDelivered(Duration.ofSeconds(120));
                timeline.event("producer stopped");
                FaultCluster.Accounting accounting = cluster.awaitAccounted(node, FaultCluster.TEXT_PARTITIONS,
                        Duration.ofSeconds(bench.timeout));
                timeline.event("all counted");
                Thread.sleep(1500);
                long restarts = node.jmx.longAttribute(NodeJmx.NODE, "IngestRestarts") - restartsBefore;
                long restores = node.jmx.checkpoints("Restores");

                result.figure("signal to the broker", "%s", signal);
                result.figure("outage (broker down to broker serving again)", "%.1f s", up - down);
                result.figure("broker restart (process start to serving)", "%.1f s", brokerStart);
                result.figure("records held back by the producer during the outage", "%,d", heldBack);
                result.figure("reconnect: broker serving to first new record taken in", "%s",
                        resumed < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", resumed - up));
                result.figure("producer's held-back records acknowledged after", "%s",
                        producerFlushed < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", producerFlushed - up));
                result.figure("caught up: broker serving to all records written by then taken in", "%s",
                        caughtUp < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", caughtUp - up));
                result.figure("Kafka source restarts during the outage (rill:type=Node IngestRestarts)", "%d", restarts);
                result.figure("JMX reads that failed during the outage", "%d", jmxFailures);
                result.figure("producer", "%,d sent, %,d acknowledged, %,d failed", producer.sent(),
                        producer.acked(), producer.failed());
                result.check("the node stayed up, the same process, throughout", aliveThroughout,
                        "pid %d alive: %s", node.process.pid(), node.process.alive());
                result.check("the node was not restarted (Restores stays 0)", restores == 0, "Restores %d", restores);
                result.check("the node reconnected by itself", resumed >= 0, "%s", resumed < 0
                        ? "no new record taken in within " + bench.timeout + " s"
                        : String.format(Locale.ROOT, "%.1f s after the broker was back", resumed - up));
                result.check("the producer's records were all acknowledged", delivered && producer.failed() == 0
                        && producer.acked() == accounting.produced(), "%,d acknowledged, %,d failed, end offsets "
                        + "sum to %,d%s", producer.acked(), producer.failed(), accounting.produced(),
                        producer.firstFailure() == null ? "" : "; first failure: " + producer.firstFailure());
                FaultCluster.checkAccounting(result, accounting);
                long dead = node.jmx.deadLetters().get("Total");
                result.check("nothing dead-lettered", dead == 0, "%d", dead);
                timeline.close();
                Integer exit = cluster.stopNode(node, Duration.ofSeconds(90));
                result.check("the node stops cleanly on SIGTERM afterwards", exit != null && (exit == 0 || exit == 143),
                        "exit %s", exit == null ? "none within 90 s (killed)" : exit.toString());
                List<String> failures = cluster.grepNodes(java.util.regex.Pattern.compile("stream failed"));
                if (!failures.isEmpty()) {
                    result.note("The Kafka source failed while the broker was away and was restarted; the first of "
                            + "%d such lines: `%s`", failures.size(), FaultCluster.shorten(failures.get(0), 300));
                }
                if (resumed >= 0 && resumed - up > 20) {
                    result.note("A restarted source's consumer joins the group again, but the consumer it replaced "
                            + "could not leave it while the broker was away; partitions come back once that member's "
                            + "session expires (session.timeout.ms, Kafka's default 45 s, which rill does not change). "
                            + "That is the likely share of the reconnect time above 20 s.");
                }
                cluster.noteLogs(result);
                result.chartFile = bench.writeChart(timeline.chart("broker outage, " + bench.outageSeconds + " s ("
                                + signal + ")", String.format(Locale.ROOT, "%d records/s per text topic; dashed lines: "
                                + "broker down, back, node taking in again, caught up", bench.outageRate), false),
                        "outage");
            }
        }
        return result;
    }
}
