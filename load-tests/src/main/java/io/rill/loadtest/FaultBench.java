package io.rill.loadtest;

import com.typesafe.config.ConfigFactory;
import io.rill.text.BundledText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault scenarios at full size, against rill as it is deployed: every node {@code java -jar rill.jar run} in a
 * child JVM with remote JMX, the broker in a JVM of its own so it can be taken away. In this order, each on a fresh
 * broker, data directory and rill's own topics: {@code kill} (kill -9 N times under load), {@code outage} (the broker
 * away), {@code bad} (bad records and requests at volume), {@code overload} (far more than the node trains, against a
 * fixed heap), {@code rate} (a target rate, then bursts). Each checks facts (nothing lost, nothing counted twice, every
 * offset committed, no invalid checkpoint, no crash, ...) beside its figures, and draws an SVG chart; the exit code is 1
 * when any check failed. The scenarios themselves are in {@link FaultScenarios}.
 */
@Command(name = "faults", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Run rill's fault scenarios (kill -9, broker outage, bad input, overload, target rate and "
                + "bursts) against a node in a child JVM; check and report.")
public final class FaultBench extends Bench<FaultBench.Result> {

    static final List<String> SCENARIOS = List.of("kill", "outage", "bad", "overload", "rate");
    static final String CORPUS = "rill.text.corpus";
    static final String NAMES = "rill.text.names";
    static final String GROUP = "rill-faults";
    static final List<TopicPartition> TEXT = List.of(new TopicPartition(CORPUS, 0), new TopicPartition(CORPUS, 1),
            new TopicPartition(NAMES, 0), new TopicPartition(NAMES, 1));
    static final Pattern INVALID_CHECKPOINT = Pattern.compile(
            "skipping checkpoint file|checkpoint .* skipped|no valid checkpoint|cannot restore");

    @Option(names = "--scenarios", split = ",", defaultValue = "kill,outage,bad,overload,rate",
            description = "Which scenarios, always in the order kill, outage, bad, overload, rate.")
    List<String> scenarios;
    @Option(names = "--kills", defaultValue = "20", description = "kill: SIGKILLs of the node.") int kills;
    @Option(names = "--kill-rate", defaultValue = "200", description = "kill: records/s per text topic.") int killRate;
    @Option(names = "--kill-checkpoint-interval", defaultValue = "2s", description = "kill: rill.checkpoint.interval.")
    String killCheckpointInterval;
    @Option(names = "--outage-seconds", defaultValue = "30", description = "outage: how long the broker is away.")
    int outageSeconds;
    @Option(names = "--outage-signal", defaultValue = "kill", description = "outage: kill (SIGKILL) or term (SIGTERM).")
    String outageSignal;
    @Option(names = "--outage-rate", defaultValue = "200", description = "outage: records/s per text topic.")
    int outageRate;
    @Option(names = "--outage-lead", defaultValue = "10", description = "outage: seconds of load before and after.")
    int outageLead;
    @Option(names = "--bad-records", defaultValue = "10200", description = "bad: bad text records.") int badRecords;
    @Option(names = "--bad-requests", defaultValue = "10100", description = "bad: bad requests.") int badRequests;
    @Option(names = "--overload-seconds", defaultValue = "60", description = "overload: how long the load lasts.")
    int overloadSeconds;
    @Option(names = "--overload-factor", defaultValue = "10", description = "overload: the load over the measured "
            + "train rate; 0: as fast as the producer can.")
    double overloadFactor;
    @Option(names = "--overload-rate", defaultValue = "0", description = "overload: a fixed rate, no calibration.")
    int overloadRate;
    @Option(names = "--calibration-records", defaultValue = "20000", description = "overload: produced at once to "
            + "measure the train rate.")
    int calibrationRecords;
    @Option(names = "--overload-jvm-opts", defaultValue = "-Xmx768m -XX:+UseG1GC") String overloadJvmOpts;
    @Option(names = "--rate", defaultValue = "5000", description = "rate: records/s.") int rate;
    @Option(names = "--rate-seconds", defaultValue = "60", description = "rate: how long.")
    int rateSeconds;
    @Option(names = "--rate-record-chars", defaultValue = "100", description = "rate: characters per record.")
    int rateRecordChars;
    @Option(names = "--bursts", defaultValue = "3", description = "rate: bursts after the sustained phase.") int bursts;
    @Option(names = "--burst-records", defaultValue = "50000", description = "rate: records per burst.")
    int burstRecords;
    @Option(names = "--burst-gap", defaultValue = "5", description = "rate: seconds of quiet before each burst.")
    int burstGap;
    @Option(names = "--record-chars", defaultValue = "200", description = "Characters per corpus record.")
    int recordChars;
    @Option(names = "--checkpoint-interval", defaultValue = "10s", description = "The nodes' (kill's aside).")
    String checkpointInterval;
    @Option(names = "--node-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC") String nodeJvmOpts;
    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC") String brokerJvmOpts;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of kill moments and bad input.") long seed;
    @Option(names = "--start-timeout", defaultValue = "180", description = "Seconds to come up, consume, checkpoint.")
    int startTimeout;
    @Option(names = "--timeout", defaultValue = "300", description = "Seconds any other wait may take.") int timeout;
    @Option(names = "--drain-timeout", defaultValue = "1800", description = "Seconds overload and rate may drain.")
    int drainTimeout;

    /** A check: passed or failed, with what was seen. */
    record Check(String name, boolean passed, String seen) {
    }

    /**
     * What one scenario found: what it did, its figures and checks in the order taken, a table of its own, notes, its
     * chart, and the error that stopped it early if one did. It passed if it ran to its end and every check passed.
     */
    static final class Scenario {
        public String key;
        public String title;
        public List<String> steps = new ArrayList<>();
        public Map<String, String> figures = new LinkedHashMap<>();
        public List<Check> checks = new ArrayList<>();
        public String tableTitle;
        public List<String> tableHeader = List.of();
        public List<List<String>> tableRows = new ArrayList<>();
        public List<String> notes = new ArrayList<>();
        public String chart;
        public String failure;
        public double seconds;

        Scenario() {
        }

        Scenario(String key, String title) {
            this.key = key;
            this.title = title;
        }

        void step(String format, Object... args) {
            steps.add(Report.f(format, args));
        }

        void figure(String name, String format, Object... args) {
            figures.put(name, Report.f(format, args));
        }

        void check(String name, boolean passed, String format, Object... args) {
            checks.add(new Check(name, passed, Report.f(format, args)));
            System.out.printf("[%s] %s: %s (%s)%n", key, passed ? "pass" : "FAIL", name, Report.f(format, args));
        }

        void note(String format, Object... args) {
            notes.add(Report.f(format, args));
        }

        boolean passed() {
            return failure == null && checks.stream().allMatch(Check::passed);
        }
    }

    record Result(List<String> settings, List<Scenario> scenarios) {
    }

    private String chartPrefix;
    private TextRecords corpusRecords;
    private List<byte[]> names;

    public FaultBench() {
        super("faults", Result.class, "rill fault scenarios", "Written by `load-tests/faults.sh` (see "
                + "load-tests/README.md, \"The fault scenarios\"). Each run appends a section.");
    }

    public static void main(String[] args) {
        main(new FaultBench(), args);
    }

    @Override
    void validate() {
        requireJar();
        if (!SCENARIOS.containsAll(scenarios) || !List.of("kill", "term").contains(outageSignal)) {
            throw bad("--scenarios takes " + SCENARIOS + "; --outage-signal kill or term");
        }
        if (kills < 0 || killRate < 1 || outageSeconds < 0 || outageRate < 1 || badRecords < 0 || badRequests < 0
                || overloadSeconds < 1 || rate < 1 || rateSeconds < 1 || bursts < 0 || burstRecords < 1
                || calibrationRecords < 100) {
            throw bad("a count, rate or duration is out of range");
        }
        seconds(killCheckpointInterval);
        seconds(checkpointInterval);
    }

    /** A HOCON duration ("2s", "500ms") in seconds. */
    static double seconds(String duration) {
        return ConfigFactory.parseString("d = " + duration).getDuration("d").toMillis() / 1000.0;
    }

    @Override
    Result measure() throws Exception {
        chartPrefix = "faults-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        List<Scenario> results = new ArrayList<>();
        for (String key : SCENARIOS) {
            if (scenarios.contains(key)) {
                System.out.printf("%n== scenario %s ==%n", key);
                long start = System.nanoTime();
                Scenario s = new Scenario(key, key);
                try (World world = new World(work.resolve(key))) {
                    switch (key) {
                        case "kill" -> FaultScenarios.kill(this, world, s);
                        case "outage" -> FaultScenarios.outage(this, world, s);
                        case "bad" -> FaultScenarios.bad(this, world, s);
                        case "overload" -> FaultScenarios.overload(this, world, s);
                        default -> FaultScenarios.rate(this, world, s);
                    }
                } catch (Exception e) { // stopped early: say where, and go on with the next one
                    s.failure = e.toString();
                    System.out.printf("[%s] stopped early: %s%n", key, e);
                    e.printStackTrace(System.out);
                }
                s.seconds = since(start);
                System.out.printf("[%s] %s in %.0f s%n", key, s.passed() ? "passed" : "FAILED", s.seconds);
                results.add(s);
            }
        }
        List<String> settings = new ArrayList<>(List.of("scenarios: " + String.join(", ", scenarios),
                Report.f("nodes: `java %s -jar rill.jar run -c <file>`; overload's: `java %s ...`; broker: `java %s ... "
                        + "BrokerMain`", nodeJvmOpts, overloadJvmOpts, brokerJvmOpts),
                Report.f("every node: rill's application.conf, then data-dir, bootstrap-servers, group-id `%s`, remote "
                        + "JMX on a free loopback port, rill.checkpoint.interval %s (kill: %s)%s", GROUP,
                        checkpointInterval, killCheckpointInterval, overrides.isEmpty() ? ""
                                : ", then --set " + String.join("; ", overrides)),
                Report.f("corpus records of ~%d characters (Moby-Dick, bundled); names one per record (the Moby name "
                        + "lists, bundled); seed %d", recordChars, seed)));
        return new Result(settings, results);
    }

    @Override
    int exitCode(Result r) {
        return r.scenarios().stream().allMatch(Scenario::passed) ? 0 : 1;
    }

    /** Corpus record {@code i} (Moby-Dick cut into records of {@code chars}) and name record {@code i}, from the jar. */
    synchronized TextRecords corpus(int chars) {
        if (corpusRecords == null || chars != recordChars) {
            TextRecords text = new TextRecords(BundledText.paragraphs(BundledText.lines(BundledText.MOBY_DICK)), chars);
            System.out.printf("data: Moby-Dick in %,d records of %d-%d bytes%n", text.distinct(), text.minBytes,
                    text.maxBytes);
            if (chars != recordChars) {
                return text;
            }
            corpusRecords = text;
        }
        return corpusRecords;
    }

    synchronized byte[] name(long i) {
        if (names == null) {
            names = BundledText.names().stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toList();
        }
        return names.get((int) (i % names.size()));
    }

    /** Writes a timeline's chart beside the report; its file name, or null with --no-report. */
    String chart(Timeline timeline, String scenario, String title, String subtitle, boolean checkpoints)
            throws java.io.IOException {
        if (noReport) {
            return null;
        }
        String file = chartPrefix + "-" + scenario + ".svg";
        timeline.chart(Files.createDirectories(results).resolve(file), title, subtitle, checkpoints);
        return file;
    }

    /**
     * One scenario's world: a broker child with a data directory of its own, rill's topics on it (the specs bundled in
     * rill's jar, as a real node has them), the nodes it starts, offsets from the broker, the final accounting, and the
     * logs. Closing it ends whatever still runs.
     */
    final class World implements AutoCloseable {
        final Path dir;
        final List<Node> nodes = new ArrayList<>();
        Child.Broker broker;
        Admin admin;
        volatile Node current;
        private int port;

        World(Path dir) throws java.io.IOException {
            this.dir = Files.createDirectories(dir);
        }

        String bootstrap() {
            return broker.bootstrap();
        }

        /** Starts the broker (the first time on a free port, then on the same port and data); seconds it took. */
        double startBroker() throws Exception {
            long start = System.nanoTime();
            broker = Child.broker(brokerJvmOpts, dir.resolve("broker"), port, dir.resolve("broker.log"),
                    Duration.ofSeconds(startTimeout));
            port = Integer.parseInt(broker.bootstrap().substring(broker.bootstrap().lastIndexOf(':') + 1));
            if (admin == null) {
                admin = Kafka.admin(broker.bootstrap());
                Kafka.provision(admin, null);
            }
            return since(start);
        }

        /** A node with the harness's base configuration, then {@code extra}, then --set; waits until it runs. */
        Node startNode(String label, String jvmOpts, List<String> extra) throws Exception {
            List<String> lines = new ArrayList<>(List.of("rill.node.data-dir = " + Node.quote(dir.resolve("node")),
                    "rill.kafka.bootstrap-servers = " + Node.quote(bootstrap()), "rill.kafka.group-id = " + GROUP,
                    "rill.checkpoint.interval = " + checkpointInterval));
            lines.addAll(extra);
            lines.addAll(overrides);
            Node node = Node.start(label, jvmOpts, rillJar, dir, lines, Duration.ofSeconds(startTimeout));
            nodes.add(node);
            current = node;
            return node;
        }

        /** Until the node has the streams of {@code partitions} (assigned, restored). */
        void awaitAssigned(Node node, int partitions) throws Exception {
            await(node.label + "'s partitions are assigned", startTimeout, 100, () -> {
                if (!node.alive()) {
                    throw new IllegalStateException(node.label + " ended; see " + node.process.log);
                }
                return node.streams().size() >= partitions;
            });
        }

        /** Until the node takes in new records after its streams are there; the node's age then. */
        double awaitConsuming(Node node) throws Exception {
            awaitAssigned(node, TEXT.size());
            Thread.sleep(500); // the beans come before the restored counts; let them land
            long before = node.recordsIn(null);
            await(node.label + " takes in new records", startTimeout, 100, () -> node.recordsIn(null) > before);
            return node.age();
        }

        /** Per partition: end offset, records rill counted, its committed offset, the broker's. */
        record Row(String partition, long end, long in, long committed, long broker) {
        }

        /**
         * Waits until the node has taken in every partition to its end and committed it (its own beans), then
         * compares: records lost, counted twice, and the committed offsets the broker holds.
         */
        List<Row> account(Node node, List<TopicPartition> partitions, double seconds, Scenario s) throws Exception {
            Map<String, Long> ends = Kafka.ends(admin, partitions);
            long start = System.nanoTime();
            boolean done = false;
            Map<String, Node.Stream> streams = Map.of();
            while (!done && since(start) < seconds && node.alive()) {
                streams = node.streams();
                Map<String, Node.Stream> now = streams;
                done = ends.entrySet().stream().allMatch(e -> e.getValue() == 0 || now.containsKey(e.getKey())
                        && now.get(e.getKey()).recordsIn() >= e.getValue() && now.get(e.getKey()).committed()
                        >= e.getValue());
                Thread.sleep(done ? 0 : 250);
            }
            Map<String, Long> broker = Kafka.committed(admin, GROUP, partitions);
            List<Row> rows = new ArrayList<>();
            for (var e : ends.entrySet()) {
                Node.Stream st = streams.get(e.getKey());
                rows.add(new Row(e.getKey(), e.getValue(), st == null ? 0 : st.recordsIn(), st == null ? -1
                        : st.committed(), broker.get(e.getKey())));
            }
            long produced = rows.stream().mapToLong(Row::end).sum();
            long lost = rows.stream().mapToLong(r -> Math.max(0, r.end() - r.in())).sum();
            long twice = rows.stream().mapToLong(r -> Math.max(0, r.in() - r.end())).sum();
            s.figure("records produced (end offsets)", "%,d", produced);
            s.figure("records counted by rill (RecordsIn)", "%,d", rows.stream().mapToLong(Row::in).sum());
            s.figure("records lost", "%,d", lost);
            s.figure("records counted twice", "%,d", twice);
            s.figure("final wait until all counted and committed", "%.1f s", since(start));
            s.check("every produced record counted (none lost)", lost == 0, "%,d of %,d lost", lost, produced);
            s.check("no record counted twice", twice == 0, "%,d counted twice", twice);
            s.check("every partition committed to its end offset", done && rows.stream().allMatch(r -> r.end() == 0
                    || r.committed() == r.end() && r.broker() == r.end()), "%s; waited %.1f s", String.join("; ",
                    rows.stream().map(r -> Report.f("%s end %,d counted %,d committed %,d (broker %,d)", r.partition(),
                            r.end(), r.in(), r.committed(), r.broker())).toList()), since(start));
            return rows;
        }

        /** The lines of every node's log that match, each with the node's label. */
        List<String> grep(Pattern pattern) {
            List<String> lines = new ArrayList<>();
            nodes.forEach(n -> n.grep(pattern).forEach(l -> lines.add(n.label + ": " + l)));
            return lines;
        }

        /** What every scenario reports from the logs: errors, out-of-memory, checkpoint trouble, source restarts. */
        private void logs(Scenario s) {
            List<String> errors = grep(Node.ERROR);
            List<String> oom = grep(Node.OOM);
            List<String> invalid = grep(INVALID_CHECKPOINT);
            s.figure("node log: ERROR lines", "%d", errors.size());
            s.figure("node log: Kafka source restarts", "%d", grep(Pattern.compile("restarting the Kafka source")).size());
            s.check("no OutOfMemoryError in any node log", oom.isEmpty(), "%d lines%s", oom.size(),
                    oom.isEmpty() ? "" : ", first: " + oom.get(0));
            s.check("no invalid or unreadable checkpoint in any node log", invalid.isEmpty(), "%d lines%s",
                    invalid.size(), invalid.isEmpty() ? "" : ", first: " + invalid.get(0));
            errors.stream().limit(5).forEach(l -> s.note("log: `%s`", shorten(l)));
            if (errors.size() > 5) {
                s.note("... and %d more ERROR lines (--keep-work keeps the logs)", errors.size() - 5);
            }
        }

        /** The node stops on SIGTERM within {@code grace}: a check; then what the logs say. */
        void stop(Node node, int grace, Scenario s) throws InterruptedException {
            Integer exit = node.stop(Duration.ofSeconds(grace));
            s.check("the node stops cleanly on SIGTERM afterwards", Node.clean(exit), "exit %s (143 is the JVM's code "
                    + "after SIGTERM)", exit == null ? "none within " + grace + " s (killed)" : exit.toString());
            logs(s);
        }

        /**
         * The end of a scenario with a producer: it stops, everything is accounted for (within {@code seconds}), its
         * records must all be acknowledged and, with {@code noDeadLetters}, nothing dead-lettered.
         */
        List<Row> finish(Scenario s, Node node, Kafka.Paced producer, Timeline timeline, List<TopicPartition> partitions,
                         double seconds, boolean noDeadLetters) throws Exception {
            producer.stopSending();
            boolean delivered = producer.awaitDelivered(Duration.ofSeconds(300));
            timeline.event("producer stopped");
            s.figure("producer", "%s", producer.counts());
            List<Row> rows = account(node, partitions, seconds, s);
            timeline.event("all counted");
            Thread.sleep(1500); // one more sample after the end
            long ends = rows.stream().mapToLong(Row::end).sum();
            s.check("the producer's records were all acknowledged", delivered && producer.failed() == 0
                    && producer.acked() == ends, "%,d acknowledged, %,d failed, end offsets sum to %,d%s",
                    producer.acked(), producer.failed(), ends, producer.firstFailure() == null ? ""
                            : "; first failure: " + producer.firstFailure());
            if (noDeadLetters) {
                long dead = node.deadLetters().get("Total");
                s.check("nothing dead-lettered", dead == 0, "%d", dead);
            }
            return rows;
        }

        @Override
        public void close() throws Exception {
            for (Node node : nodes) {
                if (node.alive()) {
                    node.stop(Duration.ofSeconds(30));
                }
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            if (broker != null && broker.process().alive()) {
                broker.stop();
            }
        }
    }

    static String shorten(String text) {
        String line = text.replace('`', '\'');
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    @Override
    void render(Report md, Result r) {
        r.settings().forEach(s -> md.bullet("%s", s));
        md.end().table(List.of("scenario", "result", ">time"), r.scenarios().stream().map(s -> List.of(s.title,
                s.passed() ? "pass" : s.failure != null ? "**stopped early**" : Report.f("**FAIL** (%d of %d checks)",
                        s.checks.stream().filter(c -> !c.passed()).count(), s.checks.size()),
                Report.f("%.0f s", s.seconds))).toList());
        for (Scenario s : r.scenarios()) {
            md.h3(s.title);
            s.steps.forEach(step -> md.bullet("%s", step));
            md.end();
            if (s.failure != null) {
                md.para("**Stopped early:** `%s`", shorten(s.failure));
            }
            md.figures(s.figures);
            if (!s.checks.isEmpty()) {
                md.table(List.of("check", "result", "seen"), s.checks.stream().map(c -> List.of(c.name(),
                        c.passed() ? "pass" : "**FAIL**", c.seen())).toList());
            }
            if (!s.tableRows.isEmpty()) {
                md.para("**%s**", s.tableTitle).table(s.tableHeader, s.tableRows);
            }
            s.notes.forEach(n -> md.bullet("%s", n));
            md.end();
            if (s.chart != null) {
                md.para("![%s](%s)", s.title, s.chart);
            }
        }
    }
}
