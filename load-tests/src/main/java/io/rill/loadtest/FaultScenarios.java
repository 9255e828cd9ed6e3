package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.text.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The five fault scenarios of {@link FaultBench}; each fills a {@link FaultBench.Scenario} in its world. */
final class FaultScenarios {

    private static final List<TopicPartition> CORPUS = FaultBench.TEXT.subList(0, 2);

    private FaultScenarios() {
    }

    /** A producer writing both text topics (or the corpus alone), each over its two partitions in turn. */
    private static Kafka.Paced producer(FaultBench b, FaultBench.World w, Duration delivery, int chars, boolean both) {
        TextRecords corpus = b.corpus(chars);
        List<Kafka.Paced.Target> targets = List.of(new Kafka.Paced.Target(FaultBench.CORPUS, 2, corpus::value),
                new Kafka.Paced.Target(FaultBench.NAMES, 2, b::name));
        return new Kafka.Paced(w.bootstrap(), both ? targets : targets.subList(0, 1), delivery, !both);
    }

    private static Timeline timeline(FaultBench.World w, List<TopicPartition> partitions, Kafka.Paced producer) {
        return new Timeline(w.admin, FaultBench.GROUP, partitions, () -> w.current, producer::acked);
    }

    /** Polls {@code node} for {@code seconds}; whether it stayed alive. */
    private static boolean watch(Node node, Timeline timeline, double seconds) throws InterruptedException {
        boolean alive = true;
        for (double start = timeline.now(); timeline.now() - start < seconds; Thread.sleep(250)) {
            alive &= node.alive();
        }
        return alive;
    }

    /**
     * kill -9, N times: a node is killed at a random moment while a producer writes both text topics, and started
     * again on the same data directory. Each start must restore a checkpoint at least as new as the last one the
     * killed node reported and skip no invalid one; the last node must then count every record exactly once. A kill
     * comes once the node consumes again and has written a checkpoint since, after a random 0 to 1.5 intervals.
     */
    static void kill(FaultBench b, FaultBench.World w, FaultBench.Scenario s) throws Exception {
        s.title = "kill -9 of the node, " + b.kills + " times";
        double interval = FaultBench.seconds(b.killCheckpointInterval);
        s.step("Broker in its own JVM; a producer writes %d records/s to each text topic (%s and %s, 2 partitions "
                + "each) the whole time.", b.killRate, FaultBench.CORPUS, FaultBench.NAMES);
        s.step("Node `java %s -jar rill.jar run`, checkpoint every %s, remote JMX. For each of %d rounds: wait until it "
                + "consumes (partitions assigned, new records taken in), until it has written a checkpoint after that, "
                + "then a random 0-%.1f s; read LastSequence; SIGKILL; start again and read RestoredSequence and "
                + "InvalidCheckpointsSkipped.", b.nodeJvmOpts, b.killCheckpointInterval, b.kills, 1.5 * interval);
        s.step("After the last kill: the producer stops, the last node takes in everything; its counts and committed "
                + "offsets are compared with the end offsets; then it is stopped with SIGTERM.");
        w.startBroker();
        Random random = new Random(b.seed);
        try (Kafka.Paced producer = producer(b, w, Duration.ofMinutes(10), b.recordChars, true);
             Timeline timeline = timeline(w, FaultBench.TEXT, producer)) {
            producer.start(2.0 * b.killRate);
            s.tableTitle = "Starts and kills";
            s.tableHeader = List.of("start", "up (s)", "restored seq", "last seq seen before kill", "invalid skipped",
                    "consuming after (s)", "checkpoints by this node", "killed after (s)");
            long lastSeen = -1;
            int survived = 0;
            boolean restoredOk = true;
            long invalidTotal = 0;
            double[] consumingAfter = new double[b.kills + 1];
            Node node = null;
            for (int run = 0; run <= b.kills; run++) {
                Node n = node = w.startNode("node-" + run, b.nodeJvmOpts, List.of("rill.checkpoint.interval = "
                        + b.killCheckpointInterval));
                timeline.event(run == 0 ? "up" : "up " + run);
                long restored = n.num(Node.CHECKPOINTS, "RestoredSequence");
                long invalid = n.num(Node.CHECKPOINTS, "InvalidCheckpointsSkipped");
                invalidTotal += invalid;
                boolean ok = run == 0 || restored >= lastSeen && restored >= 0;
                restoredOk &= ok;
                survived += run > 0 && ok && invalid == 0 ? 1 : 0;
                consumingAfter[run] = w.awaitConsuming(n);
                String killedAfter = "-";
                if (run < b.kills) {
                    long sequence = n.num(Node.CHECKPOINTS, "LastSequence");
                    Bench.await(n.label + " writes a checkpoint", b.startTimeout, 100,
                            () -> n.num(Node.CHECKPOINTS, "LastSequence") > sequence);
                    Thread.sleep((long) (random.nextDouble() * 1500 * interval));
                    lastSeen = n.num(Node.CHECKPOINTS, "LastSequence");
                    killedAfter = Report.f("%.1f", n.age());
                }
                long written = n.num(Node.CHECKPOINTS, "CheckpointsWritten");
                if (run < b.kills) {
                    n.kill();
                    timeline.event("kill " + (run + 1));
                    System.out.printf("[kill] kill %d of %d after %s s (last checkpoint %d)%n", run + 1, b.kills,
                            killedAfter, lastSeen);
                }
                s.tableRows.add(List.of("" + run, Report.f("%.1f", n.upSeconds), restored + (run == 0 ? " (fresh)"
                        : ""), run < b.kills ? "" + lastSeen : "-", "" + invalid, Report.f("%.1f", consumingAfter[run]),
                        "" + written, killedAfter));
            }
            var restarts = java.util.Arrays.stream(consumingAfter).skip(1).summaryStatistics();
            s.figure("kills survived", "%d of %d", survived, b.kills);
            s.figure("restart to consuming again, mean / max", "%.1f s / %.1f s", b.kills == 0 ? 0
                    : restarts.getAverage(), b.kills == 0 ? 0 : restarts.getMax());
            w.finish(s, node, producer, timeline, FaultBench.TEXT, b.timeout, true);
            s.figure("checkpoints written by the last node", "%d", node.num(Node.CHECKPOINTS, "CheckpointsWritten"));
            s.figure("unfinished checkpoint files found and deleted at start", "%d", w.grep(Pattern.compile(
                    "left by a checkpoint write that did not finish")).size());
            s.check("every start restored a checkpoint no older than the last one the killed node reported",
                    restoredOk, "see the table");
            s.check("no invalid checkpoint at any start (InvalidCheckpointsSkipped)", invalidTotal == 0,
                    "%d skipped in all", invalidTotal);
            w.stop(node, 90, s);
            if (b.kills > 0 && restarts.getMax() > 30) {
                s.note("A restarted node gets its partitions only once the killed node's consumer has left the group, "
                        + "which a killed process never does: the broker drops it when its session expires "
                        + "(session.timeout.ms, Kafka's default 45 s). `--set akka.kafka.consumer.kafka-clients"
                        + ".session.timeout.ms=10000` shortens it.");
            }
            s.chart = b.chart(timeline, "kill", "kill -9 x " + b.kills, Report.f("%d records/s per text topic; "
                    + "checkpoint every %s; dashed lines: kills and starts", b.killRate, b.killCheckpointInterval), true);
        }
    }

    /**
     * A broker outage: the broker is taken away (SIGKILL by default, a crash) under a running node while the
     * producer keeps sending (its records wait and are retried), then started again on the same port and data. The
     * node must ride it out without a restart, reconnect by itself and lose nothing.
     */
    static void outage(FaultBench b, FaultBench.World w, FaultBench.Scenario s) throws Exception {
        boolean kill = b.outageSignal.equals("kill");
        String signal = kill ? "SIGKILL" : "SIGTERM";
        s.title = "broker outage of " + b.outageSeconds + " s (" + signal + ")";
        s.step("Broker in its own JVM on a fixed port; a producer (acks=all, idempotent, delivery timeout %d s) writes "
                + "%d records/s to each text topic the whole time; a node `java %s -jar rill.jar run` consumes.",
                b.outageSeconds + 600, b.outageRate, b.nodeJvmOpts);
        s.step("Once the node consumes, %d s later: the broker gets %s; %d s later it is started again on the same "
                + "port and data directory. The node is watched all along (alive, the same process).", b.outageLead,
                signal, b.outageSeconds);
        s.step("Then: until the node takes in new records (reconnect), until it has taken in everything written by the "
                + "time the producer's held-back records were acknowledged (caught up); %d s more of steady load; the "
                + "producer stops; the final accounting.", b.outageLead);
        w.startBroker();
        try (Kafka.Paced producer = producer(b, w, Duration.ofSeconds(b.outageSeconds + 600L), b.recordChars, true);
             Timeline timeline = timeline(w, FaultBench.TEXT, producer)) {
            producer.start(2.0 * b.outageRate);
            Node node = w.startNode("node", b.nodeJvmOpts, List.of());
            timeline.event("node up");
            w.awaitConsuming(node);
            Thread.sleep(b.outageLead * 1000L);
            long restartsBefore = node.num(Node.NODE, "IngestRestarts");
            long maxIn = node.recordsIn(null);
            if (kill) {
                w.broker.process().kill();
            } else {
                w.broker.process().terminate(Duration.ofSeconds(60));
            }
            double down = timeline.now();
            timeline.event("broker " + signal);
            boolean alive = true;
            long jmxFailures = 0;
            for (; timeline.now() - down < b.outageSeconds; Thread.sleep(250)) {
                alive &= node.alive();
                try {
                    maxIn = Math.max(maxIn, node.recordsIn(null));
                } catch (Exception e) {
                    jmxFailures++;
                }
            }
            long heldBack = producer.sent() - producer.acked();
            double brokerStart = w.startBroker();
            double up = timeline.now();
            timeline.event("broker back");
            long sentAtReturn = producer.sent();
            double[] t = {-1, -1, -1}; // taking in again, the held-back records acknowledged, caught up
            long written = -1;
            for (; timeline.now() - up < b.timeout && node.alive() && t[2] < 0; Thread.sleep(100)) {
                long in = node.recordsIn(null);
                if (t[0] < 0 && in > maxIn) {
                    t[0] = timeline.now();
                    timeline.event("taking in again");
                }
                if (t[1] < 0 && producer.acked() + producer.failed() >= sentAtReturn) {
                    t[1] = timeline.now();
                    written = Kafka.sum(Kafka.ends(w.admin, FaultBench.TEXT));
                }
                if (written >= 0 && in >= written) {
                    t[2] = timeline.now();
                    timeline.event("caught up");
                }
            }
            alive &= watch(node, timeline, b.outageLead);
            s.figure("signal to the broker", "%s", signal);
            s.figure("outage (broker down to broker serving again)", "%.1f s", up - down);
            s.figure("broker restart (process start to serving)", "%.1f s", brokerStart);
            s.figure("records held back by the producer during the outage", "%,d", heldBack);
            s.figure("reconnect: broker serving to first new record taken in", "%s", after(t[0], up));
            s.figure("producer's held-back records acknowledged after", "%s", after(t[1], up));
            s.figure("caught up: broker serving to all records written by then taken in", "%s", after(t[2], up));
            s.figure("Kafka source restarts during the outage (rill:type=Node IngestRestarts)", "%d",
                    node.num(Node.NODE, "IngestRestarts") - restartsBefore);
            s.figure("JMX reads that failed during the outage", "%d", jmxFailures);
            w.finish(s, node, producer, timeline, FaultBench.TEXT, b.timeout, true);
            long restores = node.num(Node.CHECKPOINTS, "Restores");
            s.check("the node stayed up, the same process, throughout", alive, "pid %d alive: %s", node.process.pid(),
                    node.alive());
            s.check("the node was not restarted (Restores stays 0)", restores == 0, "Restores %d", restores);
            s.check("the node reconnected by itself", t[0] >= 0, "%s", t[0] < 0 ? "no new record taken in within "
                    + b.timeout + " s" : Report.f("%.1f s after the broker was back", t[0] - up));
            w.stop(node, 90, s);
            List<String> failures = w.grep(Pattern.compile("stream failed"));
            if (!failures.isEmpty()) {
                s.note("The Kafka source failed while the broker was away and was restarted; the first of %d such "
                        + "lines: `%s`", failures.size(), FaultBench.shorten(failures.get(0)));
            }
            if (t[0] >= 0 && t[0] - up > 20) {
                s.note("The consumer rill replaced while the broker was away could not leave the group; partitions "
                        + "come back once its session expires (session.timeout.ms, Kafka's default 45 s): the likely "
                        + "share of the reconnect time above 20 s.");
            }
            s.chart = b.chart(timeline, "outage", "broker outage, " + b.outageSeconds + " s (" + signal + ")",
                    Report.f("%d records/s per text topic; dashed lines: broker down, back, node taking in again, "
                            + "caught up", b.outageRate), false);
        }
    }

    private static String after(double t, double from) {
        return t < 0 ? "never" : Report.f("%.1f s", t - from);
    }

    /**
     * Bad input at volume: bad text records of every reject reason on both text topics and bad generation requests of
     * every error code, as fast as one producer can, to one node. Every record must be dead-lettered under its reason,
     * every request answered with its code, nothing counted as good, and good input afterwards served as usual.
     */
    static void bad(FaultBench b, FaultBench.World w, FaultBench.Scenario s) throws Exception {
        int maxRecordBytes = 65536; // as in the CI-sized test: oversize records stay cheap to send
        s.title = Report.f("bad input at volume: %,d records, %,d requests", b.badRecords, b.badRequests);
        s.step("Broker in its own JVM; a node `java %s -jar rill.jar run` with `rill.ingest.max-record-bytes = %d`.",
                b.nodeJvmOpts, maxRecordBytes);
        s.step("One producer sends, as fast as it can, %,d bad text records (the five reject reasons in turn, several "
                + "shapes each, alternating between %s and %s), then %,d bad generation requests (%d kinds in turn, "
                + "every error code a request can earn; a few of 10 MB).", b.badRecords, FaultBench.CORPUS,
                FaultBench.NAMES, b.badRequests, BadInputs.REQUEST_KINDS);
        s.step("The dead-letter topic and the replies topic are read back until every record and request is accounted "
                + "for; the counters are compared; then 40 good records and one good request must be served.");
        w.startBroker();
        Node node = w.startNode("node", b.nodeJvmOpts, List.of("rill.ingest.max-record-bytes = " + maxRecordBytes));
        w.awaitAssigned(node, FaultBench.TEXT.size());
        long restartsBefore = node.num(Node.NODE, "IngestRestarts");
        BadInputs inputs = new BadInputs(maxRecordBytes, 65536, b.seed);
        Map<String, Long> expectedReasons = new TreeMap<>();
        Map<String, Long> expectedCodes = new TreeMap<>();
        AtomicLong failed = new AtomicLong();
        long bytes = 0;
        long start = System.nanoTime();
        double[] seconds = new double[2];
        var props = Kafka.producer(w.bootstrap(), true);
        props.put("enable.idempotence", "false");
        props.put("buffer.memory", String.valueOf(256L * 1024 * 1024));
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < b.badRecords + b.badRequests; i++) {
                boolean record = i < b.badRecords;
                byte[] value;
                if (record) {
                    BadInputs.BadRecord bad = inputs.record(i);
                    expectedReasons.merge(bad.reason().code(), 1L, Long::sum);
                    value = bad.value();
                } else {
                    BadInputs.BadRequest bad = inputs.request(i - b.badRecords);
                    expectedCodes.merge(bad.code(), 1L, Long::sum);
                    value = bad.value();
                }
                bytes += value == null ? 0 : value.length;
                producer.send(new ProducerRecord<>(!record ? "rill.generate.requests" : i % 2 == 0 ? FaultBench.CORPUS
                        : FaultBench.NAMES, value), (m, e) -> failed.addAndGet(e == null ? 0 : 1));
                if (i == b.badRecords - 1 || i == b.badRecords + b.badRequests - 1) {
                    producer.flush();
                    seconds[record ? 0 : 1] = Bench.since(start) - (record ? 0 : seconds[0]);
                }
            }
        }
        System.out.printf("[bad] sent %,d bad records in %.1f s and %,d bad requests in %.1f s%n", b.badRecords,
                seconds[0], b.badRequests, seconds[1]);
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> codes = new TreeMap<>();
        long[] n = new long[4]; // dead letters, with their source, error replies, replies
        double processed = -1;
        try (var deadLetters = Kafka.reader(w.bootstrap(), "rill.deadletter", true);
             var answers = Kafka.reader(w.bootstrap(), "rill.generated", true)) {
            while (Bench.since(start) < b.timeout && node.alive() && processed < 0) {
                for (var r : deadLetters.poll(Duration.ofMillis(200))) {
                    n[0]++;
                    reasons.merge(header(r.headers().lastHeader("rill.error.reason")), 1L, Long::sum);
                    n[1] += List.of("rill.source.topic", "rill.source.partition", "rill.source.offset").stream()
                            .allMatch(h -> header(r.headers().lastHeader(h)) != null) ? 1 : 0;
                }
                for (var r : answers.poll(Duration.ofMillis(200))) {
                    JsonNode reply = Bench.JSON.readTree(r.value());
                    boolean error = reply.path("type").asText().equals("error");
                    n[error ? 2 : 3] += error || reply.path("type").asText().equals("reply") ? 1 : 0;
                    if (error) {
                        codes.merge(reply.path("code").asText(), 1L, Long::sum);
                    }
                }
                processed = n[0] >= b.badRecords && n[2] + n[3] >= b.badRequests ? Bench.since(start) : -1;
            }
        }
        Map<String, Long> dead = node.deadLetters();
        Map<String, Object> generation = node.attrs(Node.GENERATION, "Requests", "ErrorReplies", "ErrorsByCode");
        long recordsIn = node.recordsIn(null);
        s.figure("bad records sent", "%,d in %.1f s (%,.0f records/s)", b.badRecords, seconds[0],
                b.badRecords / seconds[0]);
        s.figure("bad requests sent", "%,d in %.1f s (%,.0f requests/s)", b.badRequests, seconds[1],
                b.badRequests / seconds[1]);
        s.figure("bytes sent", "%,.1f MB", bytes / 1e6);
        s.figure("everything accounted for after", "%s", processed < 0 ? "never (see the checks)"
                : Report.f("%.1f s from the first send", processed));
        s.figure("expected reasons", "%s", expectedReasons);
        s.figure("dead-letter topic by reason", "%s", reasons);
        s.figure("expected error codes", "%s", expectedCodes);
        s.figure("error replies by code", "%s", codes);
        s.figure("rill:type=Generation ErrorsByCode", "%s", generation.get("ErrorsByCode"));
        s.figure("Kafka source restarts (IngestRestarts)", "%d", node.num(Node.NODE, "IngestRestarts") - restartsBefore);
        s.check("the producer's sends all succeeded", failed.get() == 0, "%d failed", failed.get());
        s.check("the node stayed up", node.alive(), "pid %d", node.process.pid());
        s.check("every bad record on the dead-letter topic, under its reason", n[0] == b.badRecords
                && reasons.equals(expectedReasons), "%,d of %,d", n[0], b.badRecords);
        s.check("every dead letter names its source topic, partition and offset", n[1] == n[0], "%,d of %,d", n[1],
                n[0]);
        boolean countersMatch = dead.get("Total") == b.badRecords;
        for (RejectReason reason : RejectReason.values()) {
            String attribute = switch (reason) {
                case NULL_VALUE -> "NullValue";
                case EMPTY -> "Empty";
                case MALFORMED_UTF8 -> "MalformedUtf8";
                case TOO_LARGE -> "TooLarge";
                case CONTROL_CHARACTER -> "ControlCharacter";
            };
            countersMatch &= dead.get(attribute) == expectedReasons.getOrDefault(reason.code(), 0L).longValue();
        }
        s.check("rill:type=DeadLetters counts match, reason by reason", countersMatch, "%s", dead);
        s.check("every bad request answered with its error code", codes.equals(expectedCodes) && n[3] == 0,
                "%,d error replies, %,d sample replies", n[2], n[3]);
        s.check("rill:type=Generation counts match", Node.n(generation, "ErrorReplies") == b.badRequests
                && Node.n(generation, "Requests") == b.badRequests, "Requests %,d, ErrorReplies %,d",
                Node.n(generation, "Requests"), Node.n(generation, "ErrorReplies"));
        s.check("no bad record counted as a good one", recordsIn == 0, "RecordsIn %,d", recordsIn);
        // Still serving: 20 good records to each text topic and one good request.
        long served = System.nanoTime();
        Kafka.produce(Kafka.producer(w.bootstrap(), false), 40, i -> new ProducerRecord<>(i % 2 == 0 ? FaultBench.CORPUS
                : FaultBench.NAMES, (i % 2 == 0 ? "the good ship number " + i / 2 : "Ishmael" + (char) ('a' + i / 2))
                .getBytes(StandardCharsets.UTF_8)));
        boolean answered;
        try (Requests client = new Requests(w.bootstrap(), "rill.generate.requests", "rill.generated")) {
            answered = client.run("good", 1, 0, id -> "{\"id\":\"" + id + "\",\"count\":2}", 120).replies() == 1;
        }
        boolean counted = false;
        for (; !counted && Bench.since(served) < 120 && node.alive(); Thread.sleep(200)) {
            counted = node.recordsIn(null) >= 40;
        }
        s.check("good input afterwards is served", answered && counted, "%s", answered && counted
                ? Report.f("40 records counted and a reply within %.1f s", Bench.since(served))
                : "not within 120 s (reply: " + answered + ", records: " + counted + ")");
        w.stop(node, 90, s);
    }

    private static String header(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Overload: a node with a fixed heap and skip-gram on gets records on the corpus topic far faster than it trains
     * for a while, then the load stops. Kafka holds the backlog: the heap must stay within its limit, the lag grow and
     * drain to 0, nothing be dropped. The train rate is measured first: a batch produced at once, taken in between
     * 20% and 90% of it.
     */
    static void overload(FaultBench b, FaultBench.World w, FaultBench.Scenario s) throws Exception {
        s.title = Report.f("overload for %d s against a fixed heap", b.overloadSeconds);
        s.step("Broker in its own JVM; a node `java %s -jar rill.jar run` (skip-gram on, defaults otherwise) learns "
                + "from %s.", b.overloadJvmOpts, FaultBench.CORPUS);
        s.step(b.overloadRate > 0 ? Report.f("No calibration: the load is %,d records/s as given.", b.overloadRate)
                : Report.f("Calibration: %,d records produced at once; the node's intake between 20%% and 90%% of them "
                + "is its train rate.", b.calibrationRecords));
        s.step("Overload: records of about %d characters at %s for %d s; heap, lag and counts sampled every second. Then "
                + "the producer stops and the node drains (at most %d s).", b.recordChars, b.overloadRate > 0
                ? b.overloadRate + " records/s" : b.overloadFactor > 0 ? b.overloadFactor + "x the train rate"
                : "the producer's top speed", b.overloadSeconds, b.drainTimeout);
        w.startBroker();
        try (Kafka.Paced producer = producer(b, w, Duration.ofMinutes(10), b.recordChars, false);
             Timeline timeline = timeline(w, CORPUS, producer)) {
            Node node = w.startNode("node", b.overloadJvmOpts, List.of());
            timeline.event("node up");
            w.awaitAssigned(node, FaultBench.TEXT.size());
            double trainRate = -1;
            if (b.overloadRate <= 0) {
                timeline.event("calibration");
                long base = node.recordsIn(null);
                producer.sendNow(b.calibrationRecords);
                double[] low = {-1, 0, -1}; // when and how many at 20%, the rate
                Bench.await("the node takes in the calibration records", b.timeout, 50, () -> {
                    long in = node.recordsIn(null);
                    if (low[0] < 0 && in >= base + b.calibrationRecords / 5) {
                        low[0] = System.nanoTime();
                        low[1] = in;
                    }
                    if (low[0] >= 0 && in >= base + b.calibrationRecords * 9L / 10 && System.nanoTime() > low[0]) {
                        low[2] = (in - low[1]) / ((System.nanoTime() - low[0]) / 1e9);
                    }
                    return low[2] > 0;
                });
                trainRate = low[2];
                System.out.printf("[overload] train rate: %,.0f records/s%n", trainRate);
            }
            double target = b.overloadRate > 0 ? b.overloadRate : b.overloadFactor > 0 ? b.overloadFactor * trainRate : 0;
            long inBefore = node.recordsIn(null);
            long ackedBefore = producer.acked();
            double started = timeline.now();
            timeline.event("overload");
            producer.start(target);
            boolean alive = watch(node, timeline, b.overloadSeconds);
            producer.stopSending();
            producer.awaitDelivered(Duration.ofSeconds(300));
            double stopped = timeline.now();
            timeline.event("load stops");
            double produced = (producer.acked() - ackedBefore) / (stopped - started);
            double intake = ((node.alive() ? node.recordsIn(null) : inBefore) - inBefore) / (stopped - started);
            System.out.printf("[overload] produced %,.0f records/s, rill took in %,.0f/s; draining%n", produced, intake);
            if (trainRate > 0) {
                s.figure("train rate (calibration)", "%,.0f records/s", trainRate);
                s.figure("load / train rate", "%.1fx", produced / trainRate);
            }
            s.figure("load", "%,.0f records/s acknowledged for %.0f s (target %s)", produced, stopped - started,
                    target > 0 ? Report.f("%,.0f/s", target) : "top speed");
            s.figure("rill's intake during the load", "%,.0f records/s", intake);
            s.figure("load / intake during the load", "%.1fx", intake > 0 ? produced / intake : Double.NaN);
            List<FaultBench.World.Row> rows = w.finish(s, node, producer, timeline, CORPUS, b.drainTimeout, false);
            alive &= node.alive();
            double end = timeline.now();
            long heapPeak = timeline.max(Timeline.Sample::heapUsed, 0, end);
            long heapLimit = timeline.max(Timeline.Sample::heapMax, 0, end);
            long maxLag = timeline.max(Timeline.Sample::lag, 0, end);
            s.figure("heap peak (used, sampled every second)", "%s of %s", Report.mib(heapPeak), Report.mib(heapLimit));
            node.memory().ifPresent(m -> s.figure("node RSS at the end / peak (VmHWM)", "%s / %s", Report.mib(m.rss()),
                    Report.mib(m.peak())));
            s.figure("max lag (end offsets - committed)", "%,d records", maxLag);
            s.figure("max backlog (end offsets - taken in)", "%,d records", timeline.max(Timeline.Sample::backlog, 0, end));
            s.check("the node stayed alive", alive, "pid %d", node.process.pid());
            s.check("the heap stayed within its limit", heapPeak > 0 && heapPeak < heapLimit, "peak %s of %s",
                    Report.mib(heapPeak), Report.mib(heapLimit));
            s.check(trainRate > 0 ? "the load reached " + b.overloadFactor + "x the train rate"
                    : "the load ran at its target rate", target <= 0 || produced >= 0.9 * target, "%,.0f records/s",
                    produced);
            s.check("the lag grew, then drained to 0", maxLag > 0 && rows.stream().allMatch(r -> r.in() >= r.end()
                    && r.committed() >= r.end()), "max %,d", maxLag);
            w.stop(node, 120, s);
            s.chart = b.chart(timeline, "overload", "overload, " + b.overloadSeconds + " s", Report.f("node %s; load "
                    + "%,.0f records/s; intake %,.0f/s; dashed lines: phases", b.overloadJvmOpts, produced, intake), true);
        }
    }

    /**
     * Sustained ingest at a target rate, then bursts: a node (skip-gram on) gets records on the corpus topic at a
     * steady rate; once drained, bursts as fast as the producer can, each drained before the next.
     */
    static void rate(FaultBench b, FaultBench.World w, FaultBench.Scenario s) throws Exception {
        s.title = Report.f("%,d records/s for %d s, then %d bursts of %,d records", b.rate, b.rateSeconds, b.bursts,
                b.burstRecords);
        TextRecords corpus = b.corpus(b.rateRecordChars);
        s.step("Broker in its own JVM; a node `java %s -jar rill.jar run` (skip-gram on, defaults otherwise) learns "
                + "from %s; records of about %d characters (Moby-Dick in %,d records of %d-%d bytes).", b.nodeJvmOpts,
                FaultBench.CORPUS, b.rateRecordChars, corpus.distinct(), corpus.minBytes, corpus.maxBytes);
        s.step("Sustained: %,d records/s for %d s (each record due at its time, late ones sent at once), then wait "
                + "until drained.", b.rate, b.rateSeconds);
        s.step("Bursts: %d x %,d records as fast as the producer can, each followed by the wait until all are taken in "
                + "and committed, and %d s of quiet.", b.bursts, b.burstRecords, b.burstGap);
        w.startBroker();
        try (Kafka.Paced producer = producer(b, w, Duration.ofMinutes(10), b.rateRecordChars, false);
             Timeline timeline = timeline(w, CORPUS, producer)) {
            Node node = w.startNode("node", b.nodeJvmOpts, List.of());
            timeline.event("node up");
            w.awaitAssigned(node, FaultBench.TEXT.size());
            long inBefore = node.recordsIn(null);
            double started = timeline.now();
            timeline.event("sustained");
            producer.start(b.rate);
            boolean alive = watch(node, timeline, b.rateSeconds);
            producer.stopSending();
            producer.awaitDelivered(Duration.ofSeconds(120));
            double stopped = timeline.now();
            double intake = (node.recordsIn(null) - inBefore) / (stopped - started);
            timeline.event("sustained ends");
            double achieved = producer.acked() / (stopped - started);
            long backlog = timeline.sample().backlog();
            long drainStart = System.nanoTime();
            FaultBench.Scenario drain = new FaultBench.Scenario("rate", "drain");
            w.account(node, CORPUS, b.drainTimeout, drain);
            boolean drained = drain.passed();
            timeline.event("drained");
            s.figure("sustained: produced (acknowledged)", "%,.0f records/s for %.0f s (target %,d/s; the producer was at "
                    + "most %.0f ms behind its schedule)", achieved, stopped - started, b.rate, producer.maxBehindMillis());
            s.figure("sustained: taken in by rill", "%,.0f records/s", intake);
            s.figure("sustained: backlog at the end (end offsets - taken in)", "%,d records", backlog);
            s.figure("sustained: max lag (end offsets - committed)", "%,d records", timeline.max(Timeline.Sample::lag,
                    started, stopped));
            s.figure("sustained: drained (all taken in and committed) after the load", "%.1f s%s",
                    Bench.since(drainStart), drained ? "" : " (gave up)");
            s.check("the producer held the target rate", achieved >= 0.95 * b.rate, "%,.0f of %,d records/s", achieved,
                    b.rate);
            s.check("rill kept up with the target rate", intake >= 0.95 * b.rate, "took in %,.0f records/s; backlog at "
                    + "the end %,d", intake, backlog);
            s.tableTitle = "Bursts";
            s.tableHeader = List.of("burst", "records", "sent in (s)", "send rate (records/s)", "all taken in after (s)",
                    "all committed after (s)", "max lag (records)");
            for (int i = 1; i <= b.bursts && alive; i++) {
                Thread.sleep(b.burstGap * 1000L);
                double t0 = timeline.now();
                timeline.event("burst " + i);
                double send = producer.sendNow(b.burstRecords);
                long written = Kafka.sum(Kafka.ends(w.admin, CORPUS));
                double takenIn = -1;
                for (; timeline.now() - t0 < b.drainTimeout && node.alive() && takenIn < 0; Thread.sleep(100)) {
                    takenIn = node.recordsIn(null) >= written ? timeline.now() - t0 : -1;
                }
                FaultBench.Scenario burst = new FaultBench.Scenario("rate", "burst");
                w.account(node, CORPUS, b.drainTimeout, burst);
                double committed = timeline.now() - t0;
                drained &= burst.passed() && takenIn >= 0;
                s.tableRows.add(List.of("" + i, Report.f("%,d", b.burstRecords), Report.f("%.2f", send),
                        Report.f("%,.0f", b.burstRecords / send), takenIn < 0 ? "never" : Report.f("%.1f", takenIn),
                        burst.passed() ? Report.f("%.1f", committed) : "never", Report.f("%,d", timeline.max(
                                Timeline.Sample::lag, t0, timeline.now()))));
                System.out.printf("[rate] burst %d: sent in %.2f s, taken in after %.1f s, committed after %.1f s%n", i,
                        send, takenIn, committed);
                alive &= node.alive();
            }
            w.finish(s, node, producer, timeline, CORPUS, 60, false);
            s.check("the node stayed alive", alive && node.alive(), "pid %d", node.process.pid());
            s.check("every burst drained", drained, "see the table");
            w.stop(node, 120, s);
            s.chart = b.chart(timeline, "rate", Report.f("%,d records/s for %d s, then bursts of %,d", b.rate,
                    b.rateSeconds, b.burstRecords), Report.f("records of ~%d characters on %s; dashed lines: phases and "
                    + "bursts", b.rateRecordChars, FaultBench.CORPUS), false);
        }
    }
}
