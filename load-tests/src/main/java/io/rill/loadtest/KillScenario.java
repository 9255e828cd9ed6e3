package io.rill.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * kill -9, N times: a rill node in a child JVM is killed with SIGKILL at a random moment while a producer keeps
 * writing both text topics at a steady rate, and started again on the same data directory, N times; the last node
 * then takes in everything. Each start must restore a checkpoint at least as new as the last one the killed node
 * reported (the model never goes back further than its last checkpoint) and load no invalid checkpoint; at the end
 * the streams' counts must hold every produced record exactly once, with every offset committed.
 *
 * <p>A kill comes only once the node is consuming again (its partitions assigned, new records taken in) and has
 * written a checkpoint since, then after a random delay of up to 1.5 checkpoint intervals: so kills land mid-batch,
 * mid-checkpoint and mid-commit alike.
 */
final class KillScenario {

    private KillScenario() {
    }

    static ScenarioResult run(FaultBench bench, Path dir) throws Exception {
        ScenarioResult result = new ScenarioResult("kill", "kill -9 of the node, " + bench.kills + " times");
        FaultData data = bench.data();
        Random random = new Random(bench.seed);
        double interval = FaultBench.seconds(bench.killCheckpointInterval);
        result.steps.add(String.format(Locale.ROOT, "Broker in its own JVM; a producer writes %d records/s to each "
                + "text topic (%s and %s, 2 partitions each) the whole time.", bench.killRate, FaultCluster.CORPUS,
                FaultCluster.NAMES));
        result.steps.add(String.format(Locale.ROOT, "Node `java %s -jar rill.jar run`, checkpoint every %s, remote JMX. "
                + "For each of %d rounds: wait until it consumes (partitions assigned, new records taken in), until it "
                + "has written a checkpoint after that, then a random 0-%.1f s; read LastSequence; SIGKILL; start "
                + "again and read RestoredSequence and InvalidCheckpointsSkipped.", bench.nodeJvmOpts,
                bench.killCheckpointInterval, bench.kills, 1.5 * interval));
        result.steps.add("After the last kill: the producer stops, the last node takes in everything; its counts "
                + "and committed offsets are compared with the topics' end offsets; then it is stopped with SIGTERM.");
        try (FaultCluster cluster = new FaultCluster(bench, dir)) {
            cluster.startBroker();
            cluster.createTopics();
            try (PacedProducer producer = new PacedProducer(cluster.bootstrap(), List.of(
                    new PacedProducer.Target(FaultCluster.CORPUS, 2, data::corpusValue),
                    new PacedProducer.Target(FaultCluster.NAMES, 2, data::nameValue)),
                    Duration.ofMinutes(10), false);
                 Timeline timeline = new Timeline(cluster.admin(), FaultCluster.GROUP, FaultCluster.TEXT_PARTITIONS,
                         cluster::currentJmx, producer::acked, Duration.ofSeconds(1))) {
                producer.start(2.0 * bench.killRate);
                timeline.start();
                String extra = "rill.checkpoint.interval = " + bench.killCheckpointInterval + "\n";
                result.tableTitle = "Starts and kills";
                result.tableHeader = List.of("start", "up (s)", "restored seq", "last seq seen before kill",
                        "invalid skipped", "consuming after (s)", "checkpoints by this node", "killed after (s)");
                long lastSeen = -1;
                int survived = 0;
                boolean restoredOk = true;
                long invalidTotal = 0;
                double maxConsuming = 0;
                double sumConsuming = 0;
                FaultCluster.Node node = null;
                for (int run = 0; run <= bench.kills; run++) {
                    node = cluster.startNode("node-" + run, bench.nodeJvmOpts, extra);
                    timeline.event(run == 0 ? "up" : "up " + run);
                    long restored = node.jmx.checkpoints("RestoredSequence");
                    long invalid = node.jmx.checkpoints("InvalidCheckpointsSkipped");
                    invalidTotal += invalid;
                    if (run > 0) {
                        boolean ok = restored >= lastSeen && restored >= 0;
                        restoredOk &= ok;
                        if (ok && invalid == 0) {
                            survived++;
                        }
                        if (!ok) {
                            System.out.printf("[kill] start %d restored checkpoint %d, older than %d, the last the "
                                    + "killed node reported%n", run, restored, lastSeen);
                        }
                    }
                    double consuming = cluster.awaitConsuming(node, FaultCluster.TEXT_PARTITIONS.size(),
                            Duration.ofSeconds(bench.startTimeout));
                    if (run > 0) {
                        maxConsuming = Math.max(maxConsuming, consuming);
                        sumConsuming += consuming;
                    }
                    String killedAfter = "-";
                    long written;
                    if (run < bench.kills) {
                        long sequence = node.jmx.checkpoints("LastSequence");
                        long deadline = System.nanoTime() + Duration.ofSeconds(bench.startTimeout).toNanos();
                        while (node.jmx.checkpoints("LastSequence") <= sequence) {
                            if (System.nanoTime() > deadline || !node.process.alive()) {
                                throw new IllegalStateException(node.label + " wrote no checkpoint within "
                                        + bench.startTimeout + " s of consuming; see " + node.process.log());
                            }
                            Thread.sleep(100);
                        }
                        Thread.sleep((long) (random.nextDouble() * 1500 * interval));
                        lastSeen = node.jmx.checkpoints("LastSequence");
                        written = node.jmx.checkpoints("CheckpointsWritten");
                        killedAfter = String.format(Locale.ROOT, "%.1f", node.age());
                        node.jmx.close();
                        node.process.kill();
                        timeline.event("kill " + (run + 1));
                        System.out.printf(Locale.ROOT, "[kill] kill %d of %d: %s killed %.1f s after start (last "
                                + "checkpoint %d)%n", run + 1, bench.kills, node.label, node.age(), lastSeen);
                    } else {
                        written = node.jmx.checkpoints("CheckpointsWritten");
                    }
                    result.tableRows.add(List.of(Integer.toString(run), fmt(node.upSeconds),
                            run == 0 ? Long.toString(restored) + " (fresh)" : Long.toString(restored),
                            run < bench.kills ? Long.toString(lastSeen) : "-", Long.toString(invalid),
                            fmt(consuming), Long.toString(written), killedAfter));
                }
                producer.stopSending();
                boolean delivered = producer.awaitDelivered(Duration.ofSeconds(120));
                timeline.event("producer stopped");
                FaultCluster.Accounting accounting = cluster.awaitAccounted(node, FaultCluster.TEXT_PARTITIONS,
                        Duration.ofSeconds(bench.timeout));
                timeline.event("all counted");
                Thread.sleep(1500); // one more sample after the end

                result.figure("kills survived", "%d of %d", survived, bench.kills);
                result.figure("restart to consuming again, mean / max", "%.1f s / %.1f s",
                        bench.kills == 0 ? 0 : sumConsuming / bench.kills, maxConsuming);
                result.figure("producer", "%,d sent, %,d acknowledged, %,d failed", producer.sent(), producer.acked(),
                        producer.failed());
                result.figure("checkpoints written by the last node", "%d",
                        node.jmx.checkpoints("CheckpointsWritten"));
                result.figure("final wait until all counted and committed", "%.1f s", accounting.seconds());
                result.check("every start restored a checkpoint no older than the last one the killed node "
                        + "reported", restoredOk, "see the table");
                result.check("no invalid checkpoint at any start (InvalidCheckpointsSkipped)", invalidTotal == 0,
                        "%d skipped in all", invalidTotal);
                result.check("the producer's records were all acknowledged", delivered && producer.failed() == 0
                        && producer.acked() == accounting.produced(), "%,d acknowledged, %,d failed, end offsets "
                        + "sum to %,d", producer.acked(), producer.failed(), accounting.produced());
                FaultCluster.checkAccounting(result, accounting);
                long dead = node.jmx.deadLetters().get("Total");
                result.check("nothing dead-lettered", dead == 0, "%d", dead);
                timeline.close();
                Integer exit = cluster.stopNode(node, Duration.ofSeconds(90));
                result.check("the last node stops cleanly on SIGTERM", exit != null && (exit == 0 || exit == 143),
                        "exit %s (143 is the JVM's code after SIGTERM)", exit == null ? "none within 90 s (killed)" : exit.toString());
                if (maxConsuming > 30) {
                    result.note("A restarted node gets its partitions only once the killed node's consumer has left "
                            + "the group, which a killed process never does: the broker drops it when its session "
                            + "expires (session.timeout.ms; Kafka's default 45 s, which rill does not change). Hence "
                            + "'consuming after' of about 45 s. `--set akka.kafka.consumer.kafka-clients.session"
                            + ".timeout.ms=10000` shortens it.");
                }
                int unfinished = cluster.grepNodes(FaultCluster.UNFINISHED).size();
                result.figure("unfinished checkpoint files found and deleted at start", "%d", unfinished);
                cluster.noteLogs(result);
                result.chartFile = bench.writeChart(timeline.chart("kill -9 x " + bench.kills,
                        String.format(Locale.ROOT, "%d records/s per text topic; checkpoint every %s; dashed lines: "
                                + "kills and starts", bench.killRate, bench.killCheckpointInterval), true), "kill");
            }
        }
        return result;
    }

    private static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }
}
