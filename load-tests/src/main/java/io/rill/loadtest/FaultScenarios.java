package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.text.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

    /** A producer writing both text topics, each over its two partitions in turn. */
    private static Kafka.Paced textProducer(FaultBench b, FaultBench.World w, Duration delivery) {
        TextRecords corpus = b.corpus(b.recordChars);
        return new Kafka.Paced(w.bootstrap(), List.of(new Kafka.Paced.Target(FaultBench.CORPUS, 2, corpus::value),
                new Kafka.Paced.Target(FaultBench.NAMES, 2, b::name)), delivery, false);
    }

    private static Timeline timeline(FaultBench.World w, List<TopicPartition> partitions, Kafka.Paced producer) {
        return new Timeline(w.admin, FaultBench.GROUP, partitions, () -> w.current, producer::acked);
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
        try (Kafka.Paced producer = textProducer(b, w, Duration.ofMinutes(10));
             Timeline timeline = timeline(w, FaultBench.TEXT, producer)) {
            producer.start(2.0 * b.killRate);
            s.tableTitle = "Starts and kills";
            s.tableHeader = List.of("start", "up (s)", "restored seq", "last seq seen before kill", "invalid skipped",
                    "consuming after (s)", "checkpoints by this node", "killed after (s)");
            long lastSeen = -1;
            int survived = 0;
            boolean restoredOk = true;
            long invalidTotal = 0;
            double maxConsuming = 0;
            double sumConsuming = 0;
            Node node = null;
            for (int run = 0; run <= b.kills; run++) {
                node = w.startNode("node-" + run, b.nodeJvmOpts, List.of("rill.checkpoint.interval = "
                        + b.killCheckpointInterval));
                timeline.event(run == 0 ? "up" : "up " + run);
                long restored = node.num(Node.CHECKPOINTS, "RestoredSequence");
                long invalid = node.num(Node.CHECKPOINTS, "InvalidCheckpointsSkipped");
                invalidTotal += invalid;
                if (run > 0) {
                    boolean ok = restored >= lastSeen && restored >= 0;
                    restoredOk &= ok;
                    survived += ok && invalid == 0 ? 1 : 0;
                }
                double consuming = w.awaitConsuming(node);
                if (run > 0) {
                    maxConsuming = Math.max(maxConsuming, consuming);
                    sumConsuming += consuming;
                }
                String killedAfter = "-";
                if (run < b.kills) {
                    Node n = node;
                    long sequence = n.num(Node.CHECKPOINTS, "LastSequence");
                    Bench.await(n.label + " writes a checkpoint", b.startTimeout, 100,
                            () -> n.num(Node.CHECKPOINTS, "LastSequence") > sequence);
                    Thread.sleep((long) (random.nextDouble() * 1500 * interval));
                    lastSeen = n.num(Node.CHECKPOINTS, "LastSequence");
                    killedAfter = Report.f("%.1f", n.age());
                }
                long written = node.num(Node.CHECKPOINTS, "CheckpointsWritten");
                if (run < b.kills) {
                    node.kill();
                    timeline.event("kill " + (run + 1));
                    System.out.printf("[kill] kill %d of %d after %s s (last checkpoint %d)%n", run + 1, b.kills,
                            killedAfter, lastSeen);
                }
                s.tableRows.add(List.of("" + run, Report.f("%.1f", node.upSeconds), restored + (run == 0 ? " (fresh)"
                        : ""), run < b.kills ? "" + lastSeen : "-", "" + invalid, Report.f("%.1f", consuming),
                        "" + written, killedAfter));
            }
            producer.stopSending();
            boolean delivered = producer.awaitDelivered(Duration.ofSeconds(120));
            timeline.event("producer stopped");
            s.figure("kills survived", "%d of %d", survived, b.kills);
            s.figure("restart to consuming again, mean / max", "%.1f s / %.1f s", b.kills == 0 ? 0
                    : sumConsuming / b.kills, maxConsuming);
            s.figure("producer", "%s", producer.counts());
            List<FaultBench.World.Row> rows = w.account(node, FaultBench.TEXT, b.timeout, s);
            timeline.event("all counted");
            Thread.sleep(1500);
            s.figure("checkpoints written by the last node", "%d", node.num(Node.CHECKPOINTS, "CheckpointsWritten"));
            s.check("every start restored a checkpoint no older than the last one the killed node reported",
                    restoredOk, "see the table");
            s.check("no invalid checkpoint at any start (InvalidCheckpointsSkipped)", invalidTotal == 0,
                    "%d skipped in all", invalidTotal);
            producerChecks(s, producer, delivered, rows);
            long dead = node.deadLetters().get("Total");
            s.check("nothing dead-lettered", dead == 0, "%d", dead);
            w.stop(node, 90, s);
            if (maxConsuming > 30) {
                s.note("A restarted node gets its partitions only once the killed node's consumer has left the group, "
                        + "which a killed process never does: the broker drops it when its session expires "
                        + "(session.timeout.ms, Kafka's default 45 s). `--set akka.kafka.consumer.kafka-clients"
                        + ".session.timeout.ms=10000` shortens it.");
            }
            s.figure("unfinished checkpoint files found and deleted at start", "%d", w.grep(Pattern.compile(
                    "left by a checkpoint write that did not finish")).size());
            w.logs(s);
            s.chart = b.chart(timeline, "kill", "kill -9 x " + b.kills, Report.f("%d records/s per text topic; "
                    + "checkpoint every %s; dashed lines: kills and starts", b.killRate, b.killCheckpointInterval), true);
        }
    }

    private static void producerChecks(FaultBench.Scenario s, Kafka.Paced producer, boolean delivered,
                                       List<FaultBench.World.Row> rows) {
        long ends = rows.stream().mapToLong(FaultBench.World.Row::end).sum();
        s.check("the producer's records were all acknowledged", delivered && producer.failed() == 0
                && producer.acked() == ends, "%,d acknowledged, %,d failed, end offsets sum to %,d%s", producer.acked(),
                producer.failed(), ends, producer.firstFailure() == null ? "" : "; first failure: "
                        + producer.firstFailure());
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
        try (Kafka.Paced producer = textProducer(b, w, Duration.ofSeconds(b.outageSeconds + 600L));
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
            while (timeline.now() - down < b.outageSeconds) {
                alive &= node.alive();
                try {
                    maxIn = Math.max(maxIn, node.recordsIn(null));
                } catch (Exception e) {
                    jmxFailures++;
                }
                Thread.sleep(250);
            }
            long heldBack = producer.sent() - producer.acked();
            double brokerStart = w.startBroker();
            double up = timeline.now();
            timeline.event("broker back");
            long sentAtReturn = producer.sent();
            double resumed = -1;
            double flushed = -1;
            double caughtUp = -1;
            long written = -1;
            while (timeline.now() - up < b.timeout && node.alive() && caughtUp < 0) {
                long in = node.recordsIn(null);
                if (resumed < 0 && in > maxIn) {
                    resumed = timeline.now();
                    timeline.event("taking in again");
                }
                if (flushed < 0 && producer.acked() + producer.failed() >= sentAtReturn) {
                    flushed = timeline.now();
                    written = Kafka.sum(Kafka.ends(w.admin, FaultBench.TEXT));
                }
                if (written >= 0 && in >= written) {
                    caughtUp = timeline.now();
                    timeline.event("caught up");
                }
                Thread.sleep(100);
            }
            alive &= node.alive();
            Thread.sleep(b.outageLead * 1000L);
            producer.stopSending();
            boolean delivered = producer.awaitDelivered(Duration.ofSeconds(120));
            timeline.event("producer stopped");
            s.figure("signal to the broker", "%s", signal);
            s.figure("outage (broker down to broker serving again)", "%.1f s", up - down);
            s.figure("broker restart (process start to serving)", "%.1f s", brokerStart);
            s.figure("records held back by the producer during the outage", "%,d", heldBack);
            s.figure("reconnect: broker serving to first new record taken in", "%s", after(resumed, up));
            s.figure("producer's held-back records acknowledged after", "%s", after(flushed, up));
            s.figure("caught up: broker serving to all records written by then taken in", "%s", after(caughtUp, up));
            s.figure("Kafka source restarts during the outage (rill:type=Node IngestRestarts)", "%d",
                    node.num(Node.NODE, "IngestRestarts") - restartsBefore);
            s.figure("JMX reads that failed during the outage", "%d", jmxFailures);
            s.figure("producer", "%s", producer.counts());
            List<FaultBench.World.Row> rows = w.account(node, FaultBench.TEXT, b.timeout, s);
            timeline.event("all counted");
            Thread.sleep(1500);
            long restores = node.num(Node.CHECKPOINTS, "Restores");
            s.check("the node stayed up, the same process, throughout", alive, "pid %d alive: %s", node.process.pid(),
                    node.alive());
            s.check("the node was not restarted (Restores stays 0)", restores == 0, "Restores %d", restores);
            s.check("the node reconnected by itself", resumed >= 0, "%s", resumed < 0 ? "no new record taken in within "
                    + b.timeout + " s" : Report.f("%.1f s after the broker was back", resumed - up));
            producerChecks(s, producer, delivered, rows);
            long dead = node.deadLetters().get("Total");
            s.check("nothing dead-lettered", dead == 0, "%d", dead);
            w.stop(node, 90, s);
            List<String> failures = w.grep(Pattern.compile("stream failed"));
            if (!failures.isEmpty()) {
                s.note("The Kafka source failed while the broker was away and was restarted; the first of %d such "
                        + "lines: `%s`", failures.size(), FaultBench.shorten(failures.get(0)));
            }
            if (resumed >= 0 && resumed - up > 20) {
                s.note("The consumer rill replaced while the broker was away could not leave the group; partitions "
                        + "come back once its session expires (session.timeout.ms, Kafka's default 45 s): the likely "
                        + "share of the reconnect time above 20 s.");
            }
            w.logs(s);
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
        AtomicReference<Exception> first = new AtomicReference<>();
        long bytes = 0;
        long start = System.nanoTime();
        double recordSeconds;
        double requestSeconds;
        var props = Kafka.producer(w.bootstrap(), true);
        props.put("enable.idempotence", "false");
        props.put("buffer.memory", String.valueOf(256L * 1024 * 1024));
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < b.badRecords; i++) {
                BadInputs.BadRecord bad = inputs.record(i);
                expectedReasons.merge(bad.reason().code(), 1L, Long::sum);
                bytes += bad.value() == null ? 0 : bad.value().length;
                producer.send(new ProducerRecord<>(i % 2 == 0 ? FaultBench.CORPUS : FaultBench.NAMES, bad.value()),
                        (m, e) -> failure(e, failed, first));
            }
            producer.flush();
            recordSeconds = Bench.since(start);
            long requestsStart = System.nanoTime();
            for (int i = 0; i < b.badRequests; i++) {
                BadInputs.BadRequest bad = inputs.request(i);
                expectedCodes.merge(bad.code(), 1L, Long::sum);
                bytes += bad.value() == null ? 0 : bad.value().length;
                producer.send(new ProducerRecord<>("rill.generate.requests", bad.value()),
                        (m, e) -> failure(e, failed, first));
            }
            producer.flush();
            requestSeconds = Bench.since(requestsStart);
        }
        System.out.printf("[bad] sent %,d bad records in %.1f s and %,d bad requests in %.1f s%n", b.badRecords,
                recordSeconds, b.badRequests, requestSeconds);
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> codes = new TreeMap<>();
        long dead = 0;
        long located = 0;
        long errors = 0;
        long replies = 0;
        double processed = -1;
        try (var deadLetters = Kafka.reader(w.bootstrap(), "rill.deadletter", true);
             var answers = Kafka.reader(w.bootstrap(), "rill.generated", true)) {
            while (Bench.since(start) < b.timeout && node.alive() && processed < 0) {
                for (var r : deadLetters.poll(Duration.ofMillis(200))) {
                    dead++;
                    reasons.merge(header(r.headers().lastHeader("rill.error.reason")), 1L, Long::sum);
                    located += List.of("rill.source.topic", "rill.source.partition", "rill.source.offset").stream()
                            .allMatch(h -> header(r.headers().lastHeader(h)) != null) ? 1 : 0;
                }
                for (var r : answers.poll(Duration.ofMillis(200))) {
                    JsonNode reply = Bench.JSON.readTree(r.value());
                    if (reply.path("type").asText().equals("error")) {
                        errors++;
                        codes.merge(reply.path("code").asText(), 1L, Long::sum);
                    } else if (reply.path("type").asText().equals("reply")) {
                        replies++;
                    }
                }
                processed = dead >= b.badRecords && errors + replies >= b.badRequests ? Bench.since(start) : -1;
            }
        }
        Map<String, Long> jmxDead = node.deadLetters();
        Map<String, Object> generation = node.attrs(Node.GENERATION, "Requests", "ErrorReplies", "ErrorsByCode");
        long recordsIn = node.recordsIn(null);
        s.figure("bad records sent", "%,d in %.1f s (%,.0f records/s)", b.badRecords, recordSeconds,
                b.badRecords / recordSeconds);
        s.figure("bad requests sent", "%,d in %.1f s (%,.0f requests/s)", b.badRequests, requestSeconds,
                b.badRequests / requestSeconds);
        s.figure("bytes sent", "%,.1f MB", bytes / 1e6);
        s.figure("everything accounted for after", "%s", processed < 0 ? "never (see the checks)"
                : Report.f("%.1f s from the first send", processed));
        s.figure("expected reasons", "%s", expectedReasons);
        s.figure("dead-letter topic by reason", "%s", reasons);
        s.figure("expected error codes", "%s", expectedCodes);
        s.figure("error replies by code", "%s", codes);
        s.figure("rill:type=Generation ErrorsByCode", "%s", generation.get("ErrorsByCode"));
        s.figure("Kafka source restarts (IngestRestarts)", "%d", node.num(Node.NODE, "IngestRestarts") - restartsBefore);
        s.check("the producer's sends all succeeded", failed.get() == 0, "%d failed%s", failed.get(),
                first.get() == null ? "" : ", first: " + first.get());
        s.check("the node stayed up", node.alive(), "pid %d", node.process.pid());
        s.check("every bad record on the dead-letter topic, under its reason", dead == b.badRecords
                && reasons.equals(expectedReasons), "%,d of %,d", dead, b.badRecords);
        s.check("every dead letter names its source topic, partition and offset", located == dead, "%,d of %,d",
                located, dead);
        boolean countersMatch = jmxDead.get("Total") == b.badRecords;
        for (RejectReason reason : RejectReason.values()) {
            String attribute = switch (reason) {
                case NULL_VALUE -> "NullValue";
                case EMPTY -> "Empty";
                case MALFORMED_UTF8 -> "MalformedUtf8";
                case TOO_LARGE -> "TooLarge";
                case CONTROL_CHARACTER -> "ControlCharacter";
            };
            countersMatch &= jmxDead.get(attribute) == expectedReasons.getOrDefault(reason.code(), 0L).longValue();
        }
        s.check("rill:type=DeadLetters counts match, reason by reason", countersMatch, "%s", jmxDead);
        s.check("every bad request answered with its error code", codes.equals(expectedCodes) && replies == 0,
                "%,d error replies, %,d sample replies", errors, replies);
        s.check("rill:type=Generation counts match", Node.n(generation, "ErrorReplies") == b.badRequests
                && Node.n(generation, "Requests") == b.badRequests, "Requests %,d, ErrorReplies %,d",
                Node.n(generation, "Requests"), Node.n(generation, "ErrorReplies"));
        s.check("no bad record counted as a good one", recordsIn == 0, "RecordsIn %,d", recordsIn);
        // Still serving: 20 good records to each text topic and one good request.
        long before = node.recordsIn(null);
        long served = System.nanoTime();
        List<byte[]> good = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            good.add(("the good ship number " + i).getBytes(StandardCharsets.UTF_8));
            good.add(("Ishmael" + (char) ('a' + i)).getBytes(StandardCharsets.UTF_8));
        }
        Kafka.produce(Kafka.producer(w.bootstrap(), false), good.size(), i -> new ProducerRecord<>(i % 2 == 0
                ? FaultBench.CORPUS : FaultBench.NAMES, good.get((int) i)));
        boolean answered;
        try (Requests client = new Requests(w.bootstrap(), "rill.generate.requests", "rill.generated")) {
            answered = client.run("good", 1, 0, id -> "{\"id\":\"" + id + "\",\"count\":2}", 120).replies() == 1;
        }
        boolean counted = false;
        while (!counted && Bench.since(served) < 120 && node.alive()) {
            counted = node.recordsIn(null) - before >= 40;
            Thread.sleep(counted ? 0 : 200);
        }
        s.check("good input afterwards is served", answered && counted, "%s", answered && counted
                ? Report.f("40 records counted and a reply within %.1f s", Bench.since(served))
                : "not within 120 s (reply: " + answered + ", records: " + counted + ")");
        w.stop(node, 90, s);
        w.logs(s);
    }

    private static void failure(Exception e, AtomicLong failed, AtomicReference<Exception> first) {
        if (e != null) {
            failed.incrementAndGet();
            first.compareAndSet(null, e);
        }
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
        String load = b.overloadRate > 0 ? b.overloadRate + " records/s" : b.overloadFactor > 0 ? b.overloadFactor
                + "x the train rate" : "the producer's top speed";
        s.step("Broker in its own JVM; a node `java %s -jar rill.jar run` (skip-gram on, defaults otherwise) learns "
                + "from %s.", b.overloadJvmOpts, FaultBench.CORPUS);
        s.step(b.overloadRate > 0 ? Report.f("No calibration: the load is %,d records/s as given.", b.overloadRate)
                : Report.f("Calibration: %,d records produced at once; the node's intake between 20%% and 90%% of them "
                + "is its train rate.", b.calibrationRecords));
        s.step("Overload: records of about %d characters at %s for %d s; heap, lag and counts sampled every second. Then "
                + "the producer stops and the node drains (at most %d s).", b.recordChars, load, b.overloadSeconds,
                b.drainTimeout);
        w.startBroker();
        TextRecords corpus = b.corpus(b.recordChars);
        try (Kafka.Paced producer = new Kafka.Paced(w.bootstrap(), List.of(new Kafka.Paced.Target(FaultBench.CORPUS,
                2, corpus::value)), Duration.ofMinutes(10), true);
             Timeline timeline = timeline(w, CORPUS, producer)) {
            Node node = w.startNode("node", b.overloadJvmOpts, List.of());
            timeline.event("node up");
            w.awaitAssigned(node, FaultBench.TEXT.size());
            double trainRate = -1;
            if (b.overloadRate <= 0) {
                timeline.event("calibration");
                long base = node.recordsIn(null);
                producer.sendNow(b.calibrationRecords);
                long[] low = {-1, 0};
                double[] rate = {-1};
                Bench.await("the node takes in the calibration records", b.timeout, 50, () -> {
                    long in = node.recordsIn(null);
                    if (low[0] < 0 && in >= base + b.calibrationRecords / 5) {
                        low[0] = System.nanoTime();
                        low[1] = in;
                    }
                    if (low[0] >= 0 && in >= base + b.calibrationRecords * 9L / 10 && System.nanoTime() > low[0]) {
                        rate[0] = (in - low[1]) / Bench.since(low[0]);
                    }
                    return rate[0] > 0;
                });
                trainRate = rate[0];
                System.out.printf("[overload] train rate: %,.0f records/s%n", trainRate);
            }
            double target = b.overloadRate > 0 ? b.overloadRate : b.overloadFactor > 0 ? b.overloadFactor * trainRate : 0;
            long inBefore = node.recordsIn(null);
            long ackedBefore = producer.acked();
            double started = timeline.now();
            timeline.event("overload");
            producer.start(target);
            boolean alive = true;
            while (timeline.now() - started < b.overloadSeconds) {
                alive &= node.alive();
                Thread.sleep(250);
            }
            producer.stopSending();
            boolean delivered = producer.awaitDelivered(Duration.ofSeconds(300));
            double stopped = timeline.now();
            timeline.event("load stops");
            double produced = (producer.acked() - ackedBefore) / (stopped - started);
            double intake = ((node.alive() ? node.recordsIn(null) : inBefore) - inBefore) / (stopped - started);
            System.out.printf("[overload] produced %,.0f records/s, rill took in %,.0f/s; draining%n", produced, intake);
            List<FaultBench.World.Row> rows = w.account(node, CORPUS, b.drainTimeout, s);
            alive &= node.alive();
            timeline.event("drained");
            Thread.sleep(1500);
            double end = timeline.now();
            long heapPeak = timeline.max(Timeline.Sample::heapUsed, 0, end);
            long heapLimit = timeline.max(Timeline.Sample::heapMax, 0, end);
            long maxLag = timeline.max(Timeline.Sample::lag, 0, end);
            boolean drained = rows.stream().allMatch(r -> r.in() >= r.end() && r.committed() >= r.end());
            if (trainRate > 0) {
                s.figure("train rate (calibration)", "%,.0f records/s", trainRate);
                s.figure("load / train rate", "%.1fx", produced / trainRate);
            }
            s.figure("load", "%,.0f records/s acknowledged for %.0f s (target %s)", produced, stopped - started,
                    target > 0 ? Report.f("%,.0f/s", target) : "top speed");
            s.figure("rill's intake during the load", "%,.0f records/s", intake);
            s.figure("load / intake during the load", "%.1fx", intake > 0 ? produced / intake : Double.NaN);
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
            s.check("the lag grew, then drained to 0", maxLag > 0 && drained, "max %,d", maxLag);
            producerChecks(s, producer, delivered, rows);
            w.stop(node, 120, s);
            w.logs(s);
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
        try (Kafka.Paced producer = new Kafka.Paced(w.bootstrap(), List.of(new Kafka.Paced.Target(FaultBench.CORPUS,
                2, corpus::value)), Duration.ofMinutes(10), true);
             Timeline timeline = timeline(w, CORPUS, producer)) {
            Node node = w.startNode("node", b.nodeJvmOpts, List.of());
            timeline.event("node up");
            w.awaitAssigned(node, FaultBench.TEXT.size());
            long inBefore = node.recordsIn(null);
            long ackedBefore = producer.acked();
            double started = timeline.now();
            timeline.event("sustained");
            producer.start(b.rate);
            boolean alive = true;
            while (timeline.now() - started < b.rateSeconds) {
                alive &= node.alive();
                Thread.sleep(250);
            }
            producer.stopSending();
            producer.awaitDelivered(Duration.ofSeconds(120));
            double stopped = timeline.now();
            double intake = (node.recordsIn(null) - inBefore) / (stopped - started);
            timeline.event("sustained ends");
            double achieved = (producer.acked() - ackedBefore) / (stopped - started);
            long backlog = timeline.sample().backlog();
            long maxLag = timeline.max(Timeline.Sample::lag, started, stopped);
            FaultBench.Scenario drain = new FaultBench.Scenario("rate", "drain");
            long drainStart = System.nanoTime();
            List<FaultBench.World.Row> drained = w.account(node, CORPUS, b.drainTimeout, drain);
            timeline.event("drained");
            s.figure("sustained: produced (acknowledged)", "%,.0f records/s for %.0f s (target %,d/s; the producer was at "
                    + "most %.0f ms behind its schedule)", achieved, stopped - started, b.rate, producer.maxBehindMillis());
            s.figure("sustained: taken in by rill", "%,.0f records/s", intake);
            s.figure("sustained: backlog at the end (end offsets - taken in)", "%,d records", backlog);
            s.figure("sustained: max lag (end offsets - committed)", "%,d records", maxLag);
            s.figure("sustained: drained (all taken in and committed) after the load", "%.1f s%s", Bench.since(drainStart),
                    drain.checks.stream().allMatch(FaultBench.Check::passed) ? "" : " (gave up)");
            s.check("the producer held the target rate", achieved >= 0.95 * b.rate, "%,.0f of %,d records/s", achieved,
                    b.rate);
            s.check("rill kept up with the target rate", intake >= 0.95 * b.rate, "took in %,.0f records/s; backlog at "
                    + "the end %,d", intake, backlog);
            s.tableTitle = "Bursts";
            s.tableHeader = List.of("burst", "records", "sent in (s)", "send rate (records/s)", "all taken in after (s)",
                    "all committed after (s)", "max lag (records)");
            boolean allDrained = !drained.isEmpty() && drain.checks.stream().allMatch(FaultBench.Check::passed);
            for (int i = 1; i <= b.bursts && alive; i++) {
                Thread.sleep(b.burstGap * 1000L);
                double t0 = timeline.now();
                timeline.event("burst " + i);
                double send = producer.sendNow(b.burstRecords);
                long written = Kafka.sum(Kafka.ends(w.admin, CORPUS));
                double takenIn = -1;
                while (timeline.now() - t0 < b.drainTimeout && node.alive() && takenIn < 0) {
                    takenIn = node.recordsIn(null) >= written ? timeline.now() - t0 : -1;
                    Thread.sleep(takenIn < 0 ? 100 : 0);
                }
                FaultBench.Scenario burst = new FaultBench.Scenario("rate", "burst");
                w.account(node, CORPUS, b.drainTimeout, burst);
                boolean ok = burst.checks.stream().allMatch(FaultBench.Check::passed);
                double committed = timeline.now() - t0;
                allDrained &= ok && takenIn >= 0;
                s.tableRows.add(List.of("" + i, Report.f("%,d", b.burstRecords), Report.f("%.2f", send),
                        Report.f("%,.0f", b.burstRecords / send), takenIn < 0 ? "never" : Report.f("%.1f", takenIn),
                        ok ? Report.f("%.1f", committed) : "never", Report.f("%,d", timeline.max(Timeline.Sample::lag,
                                t0, timeline.now()))));
                System.out.printf("[rate] burst %d: sent in %.2f s, taken in after %.1f s, committed after %.1f s%n", i,
                        send, takenIn, committed);
                alive &= node.alive();
            }
            Thread.sleep(1500);
            List<FaultBench.World.Row> rows = w.account(node, CORPUS, 60, s);
            s.check("the node stayed alive", alive && node.alive(), "pid %d", node.process.pid());
            s.check("every burst drained", allDrained, "see the table");
            producerChecks(s, producer, true, rows);
            w.stop(node, 120, s);
            w.logs(s);
            s.chart = b.chart(timeline, "rate", Report.f("%,d records/s for %d s, then bursts of %,d", b.rate,
                    b.rateSeconds, b.burstRecords), Report.f("records of ~%d characters on %s; dashed lines: phases and "
                    + "bursts", b.rateRecordChars, FaultBench.CORPUS), false);
        }
    }
}
