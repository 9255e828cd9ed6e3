package io.rill.loadtest;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The fault harness: the reliability scenarios at full size, against a rill node run as it is deployed
 * ({@code java -jar rill.jar run} in a child JVM, remote JMX on) and a broker in a JVM of its own. Scenarios, in
 * this order, each on a fresh broker and data directory: {@code kill} (kill -9 of the node N times under a steady
 * load), {@code outage} (the broker taken away for a while), {@code bad} (bad records and requests at volume),
 * {@code overload} (far more load than the node trains, against a fixed heap) and {@code rate} (a target rate, then
 * bursts). Each one checks what it must (nothing lost, nothing counted twice, every offset committed, no invalid
 * checkpoint, no crash, ...) and reports its figures; the run writes {@code faults-<date>.md} (appended to when it
 * exists) and SVG charts to the results directory. Exits 1 when any check failed. See load-tests/README.md.
 */
@Command(name = "faults", mixinStandardHelpOptions = true, sortOptions = false,
        version = "rill fault harness 0.1.0",
        description = "Run rill's fault scenarios (kill -9, broker outage, bad input, overload, target rate and "
                + "bursts) against a node in a child JVM; check and report.")
public final class FaultBench implements Callable<Integer> {

    static final List<String> SCENARIOS = List.of("kill", "outage", "bad", "overload", "rate");

    @Option(names = "--scenarios", split = ",", defaultValue = "kill,outage,bad,overload,rate",
            description = "Which scenarios to run, in the order kill, outage, bad, overload, rate (${DEFAULT-VALUE}).")
    List<String> scenarios;

    @Option(names = "--kills", defaultValue = "20", description = "kill: SIGKILLs of the node (${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--kill-rate", defaultValue = "200",
            description = "kill: records/s to each text topic (${DEFAULT-VALUE}).")
    int killRate;

    @Option(names = "--kill-checkpoint-interval", defaultValue = "2s",
            description = "kill: the node's rill.checkpoint.interval (${DEFAULT-VALUE}).")
    String killCheckpointInterval;

    @Option(names = "--outage-seconds", defaultValue = "30",
            description = "outage: how long the broker is away (${DEFAULT-VALUE}).")
    int outageSeconds;

    @Option(names = "--outage-signal", defaultValue = "kill",
            description = "outage: how the broker is stopped: kill (SIGKILL, a crash) or term (SIGTERM, a clean "
                    + "shutdown) (${DEFAULT-VALUE}).")
    String outageSignal;

    @Option(names = "--outage-rate", defaultValue = "200",
            description = "outage: records/s to each text topic (${DEFAULT-VALUE}).")
    int outageRate;

    @Option(names = "--outage-lead", defaultValue = "10",
            description = "outage: seconds of steady load before the outage, and after the node has caught up "
                    + "(${DEFAULT-VALUE}).")
    int outageLead;

    @Option(names = "--bad-records", defaultValue = "10200",
            description = "bad: bad text records (${DEFAULT-VALUE}).")
    int badRecords;

    @Option(names = "--bad-requests", defaultValue = "10100",
            description = "bad: bad generation requests (${DEFAULT-VALUE}).")
    int badRequests;

    @Option(names = "--overload-seconds", defaultValue = "60",
            description = "overload: how long the load lasts (${DEFAULT-VALUE}).")
    int overloadSeconds;

    @Option(names = "--overload-factor", defaultValue = "10",
            description = "overload: the load as a multiple of the measured train rate; 0: as fast as the producer "
                    + "can (${DEFAULT-VALUE}).")
    double overloadFactor;

    @Option(names = "--overload-rate", defaultValue = "0",
            description = "overload: a fixed load in records/s instead (no calibration) (${DEFAULT-VALUE}).")
    int overloadRate;

    @Option(names = "--calibration-records", defaultValue = "20000",
            description = "overload: records produced at once to measure the train rate (${DEFAULT-VALUE}).")
    int calibrationRecords;

    @Option(names = "--overload-jvm-opts", defaultValue = "-Xmx768m -XX:+UseG1GC",
            description = "overload: the node's JVM flags, its fixed heap (${DEFAULT-VALUE}).")
    String overloadJvmOpts;

    @Option(names = "--rate", defaultValue = "5000",
            description = "rate: the sustained rate, records/s (${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--rate-seconds", defaultValue = "60",
            description = "rate: how long the sustained rate lasts (${DEFAULT-VALUE}).")
    int rateSeconds;

    @Option(names = "--rate-record-chars", defaultValue = "100",
            description = "rate: characters per record (${DEFAULT-VALUE}).")
    int rateRecordChars;

    @Option(names = "--bursts", defaultValue = "3", description = "rate: bursts after the sustained phase (${DEFAULT-VALUE}).")
    int bursts;

    @Option(names = "--burst-records", defaultValue = "50000",
            description = "rate: records per burst (${DEFAULT-VALUE}).")
    int burstRecords;

    @Option(names = "--burst-gap", defaultValue = "5",
            description = "rate: seconds of quiet before each burst (${DEFAULT-VALUE}).")
    int burstGap;

    @Option(names = "--record-chars", defaultValue = "200",
            description = "Characters per corpus record in kill, outage and overload (${DEFAULT-VALUE}).")
    int recordChars;

    @Option(names = "--checkpoint-interval", defaultValue = "10s",
            description = "rill.checkpoint.interval of the nodes, except kill's (${DEFAULT-VALUE}).")
    String checkpointInterval;

    @Option(names = "--node-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC",
            description = "JVM flags of the nodes, except overload's (${DEFAULT-VALUE}).")
    String nodeJvmOpts;

    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC",
            description = "JVM flags of the broker (${DEFAULT-VALUE}).")
    String brokerJvmOpts;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A HOCON line laid over every node's configuration (after the harness's own). Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of kill moments and bad input (${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--start-timeout", defaultValue = "180",
            description = "Seconds a broker or node may take to come up, and a node to consume or checkpoint "
                    + "(${DEFAULT-VALUE}).")
    int startTimeout;

    @Option(names = "--timeout", defaultValue = "300",
            description = "Seconds any other wait may take: reconnecting, reading back, the final accounting "
                    + "(${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--drain-timeout", defaultValue = "1800",
            description = "Seconds the overload and rate scenarios wait for the node to drain (${DEFAULT-VALUE}).")
    int drainTimeout;

    @Mixin
    ReportOptions common;

    @Option(names = "--rill-jar", required = true, description = "The fat jar the nodes run (faults.sh passes it).")
    Path rillJar;

    private FaultData data;
    private String chartPrefix;

    public static void main(String[] args) {
        quietClientLogs();
        int exit = new CommandLine(new FaultBench()).execute(args);
        System.exit(exit);
    }

    /**
     * The harness's own Kafka clients complain once a second while a scenario has the broker down, and rill's topic
     * provisioner reports every topic it creates: only errors of theirs reach the terminal. (The children log to their
     * own files.)
     */
    static void quietClientLogs() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.getLogger("org.apache.kafka").setLevel(ch.qos.logback.classic.Level.ERROR);
            logback.getLogger("io.rill.kafka").setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        FaultReport report = new FaultReport();
        report.begin(common, "FaultBench");
        chartPrefix = "faults-" + report.startedAt.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        report.settings = settings();
        report.printMachine();
        if (!common.noReport) {
            Files.createDirectories(common.results);
        }
        Path work = common.createWorkDirectory("rill-faults-");
        report.workDir = work.toString();
        try {
            for (String scenario : SCENARIOS) {
                if (scenarios.contains(scenario)) {
                    report.results.add(runScenario(scenario, work.resolve(scenario)));
                }
            }
        } finally {
            common.removeWorkDirectory(work);
        }
        report.loadAtEnd = ProcMemory.loadAverages();
        System.out.println();
        System.out.println(report.summary());
        if (!common.noReport) {
            Path file = common.reportFile("faults");
            report.appendMarkdown(file);
            System.out.println("report appended to " + file);
        }
        return report.results.stream().allMatch(ScenarioResult::passed) ? 0 : 1;
    }

    private ScenarioResult runScenario(String scenario, Path dir) {
        System.out.printf("%n== scenario %s ==%n", scenario);
        long start = System.nanoTime();
        ScenarioResult result;
        try {
            result = switch (scenario) {
                case "kill" -> KillScenario.run(this, dir);
                case "outage" -> OutageScenario.run(this, dir);
                case "bad" -> BadInputScenario.run(this, dir);
                case "overload" -> OverloadScenario.run(this, dir);
                case "rate" -> RateScenario.run(this, dir);
                default -> throw new IllegalArgumentException(scenario);
            };
        } catch (Exception e) {
            // The scenario stopped early: say where, and go on with the next one.
            result = new ScenarioResult(scenario, scenario + " (stopped early)");
            result.failure = e.toString();
            System.out.printf("[%s] stopped early: %s%n", scenario, e);
            e.printStackTrace(System.out);
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "[%s] %s in %.0f s%n", scenario, result.passed() ? "passed" : "FAILED",
                result.seconds);
        return result;
    }

    private void validate() {
        for (String scenario : scenarios) {
            if (!SCENARIOS.contains(scenario)) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--scenarios takes " + String.join(",", SCENARIOS) + ", not " + scenario);
            }
        }
        if (!List.of("kill", "term").contains(outageSignal.toLowerCase(Locale.ROOT))) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--outage-signal takes kill or term, not " + outageSignal);
        }
        if (kills < 0 || killRate < 1 || outageSeconds < 0 || outageRate < 1 || badRecords < 0 || badRequests < 0
                || overloadSeconds < 1 || rate < 1 || rateSeconds < 1 || bursts < 0 || burstRecords < 1
                || calibrationRecords < 100) {
            throw new CommandLine.ParameterException(new CommandLine(this), "a count, rate or duration is out of range");
        }
        seconds(killCheckpointInterval);
        seconds(checkpointInterval);
        if (!Files.isRegularFile(rillJar)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "no rill jar at " + rillJar);
        }
        BenchSupport.overrides(overrides); // fails early on a line that is not HOCON
    }

    /** A HOCON duration ("2s", "500ms") in seconds. */
    static double seconds(String duration) {
        return ConfigFactory.parseString("d = " + duration).getDuration("d").toMillis() / 1000.0;
    }

    /** The settings in effect, for the report. */
    private List<String> settings() {
        List<String> s = new ArrayList<>();
        s.add("scenarios: " + String.join(", ", scenarios));
        s.add("nodes: `java " + nodeJvmOpts + " -jar rill.jar run -c <file>`; overload's: `java " + overloadJvmOpts
                + " ...`; broker: `java " + brokerJvmOpts + " ... BrokerMain`");
        s.add("every node: rill's application.conf, then data-dir, bootstrap-servers, group-id `" + FaultCluster.GROUP
                + "`, remote JMX on a free loopback port, rill.checkpoint.interval " + checkpointInterval + " (kill: "
                + killCheckpointInterval + ")" + (overrides.isEmpty() ? "" : ", then --set " + String.join("; ",
                overrides)));
        if (scenarios.contains("kill")) {
            s.add(String.format(Locale.ROOT, "kill: %d kills, %d records/s per text topic", kills, killRate));
        }
        if (scenarios.contains("outage")) {
            s.add(String.format(Locale.ROOT, "outage: %d s, SIG%s, %d records/s per text topic, %d s lead",
                    outageSeconds, outageSignal.toUpperCase(Locale.ROOT), outageRate, outageLead));
        }
        if (scenarios.contains("bad")) {
            s.add(String.format(Locale.ROOT, "bad: %,d records, %,d requests", badRecords, badRequests));
        }
        if (scenarios.contains("overload")) {
            s.add(String.format(Locale.ROOT, "overload: %d s at %s; calibration %,d records", overloadSeconds,
                    overloadRate > 0 ? overloadRate + " records/s" : overloadFactor > 0 ? overloadFactor
                            + "x the train rate" : "top speed", calibrationRecords));
        }
        if (scenarios.contains("rate")) {
            s.add(String.format(Locale.ROOT, "rate: %,d records/s of ~%d characters for %d s, %d bursts of %,d",
                    rate, rateRecordChars, rateSeconds, bursts, burstRecords));
        }
        s.add(String.format(Locale.ROOT, "corpus records of ~%d characters (Moby-Dick, bundled); names one per "
                + "record (the Moby name lists, bundled); seed %d", recordChars, seed));
        return s;
    }

    /** The good records, loaded once. */
    synchronized FaultData data() {
        if (data == null) {
            data = FaultData.load(recordChars);
            System.out.println("data: " + data.describe());
        }
        return data;
    }

    /** Writes {@code chart} beside the report; returns its file name, or null with --no-report. */
    String writeChart(SvgChart chart, String scenario) throws IOException {
        if (common.noReport) {
            return null;
        }
        String name = chartPrefix + "-" + scenario + ".svg";
        chart.write(common.results.resolve(name));
        System.out.println("chart written to " + common.results.resolve(name));
        return name;
    }
}
