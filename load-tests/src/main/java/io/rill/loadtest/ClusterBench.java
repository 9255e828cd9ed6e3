package io.rill.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.generate.GenerationSettings;
import io.rill.lstm.LstmSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The cluster benchmark: rill's character model trained by 1, 2 and 3 nodes in one Akka Cluster on this machine
 * (each {@code java -jar rill.jar run} in a child JVM, {@link ClusterRun}), the bytes and costs of one parameter
 * update between nodes ({@link WireCosts}), and a network-cost model that predicts throughput on N machines from
 * them ({@link ClusterModel}). It prints the figures and appends a Markdown section to
 * {@code <results>/cluster-<date>.md}. A harness that prints numbers, never a test; see load-tests/README.md.
 */
@Command(name = "cluster-bench", mixinStandardHelpOptions = true, sortOptions = false,
        version = "rill cluster benchmark 0.1.0",
        description = "Train the character model with 1, 2 and 3 rill nodes in an Akka Cluster (child JVMs, an "
                + "embedded broker in another); measure chars/s, steps, staleness and CPU per node, the bytes per "
                + "parameter update, and model the network cost on N machines.")
public final class ClusterBench implements Callable<Integer> {

    @Option(names = "--train", paramLabel = "FILE", defaultValue = "../shared/data/names/train.txt",
            description = "Training names, one per line (${DEFAULT-VALUE}).")
    Path train;

    @Option(names = "--passes", defaultValue = "5", description = "Passes over the names per run (${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--nodes", split = ",", defaultValue = "1,2,3",
            description = "Cluster sizes to run, one run each, in this order (${DEFAULT-VALUE}).")
    List<Integer> nodes;

    @Option(names = "--partitions", defaultValue = "6",
            description = "Partitions of each run's names topic; 6 shares evenly among 1, 2 and 3 nodes "
                    + "(${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--embedding", description = "rill.lstm.embedding-size (default: application.conf's).")
    Integer embedding;

    @Option(names = "--hidden", description = "rill.lstm.hidden-size (default: application.conf's).")
    Integer hidden;

    @Option(names = "--bptt", description = "rill.lstm.bptt-steps (default: application.conf's).")
    Integer bptt;

    @Option(names = "--lanes", description = "rill.lstm.lanes-per-stream (default: application.conf's).")
    Integer lanes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the pass shuffles (${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A HOCON line laid over every node's configuration, last. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--settle", defaultValue = "10",
            description = "A run ends once every record is committed and the characters trained have stood still "
                    + "this many seconds (${DEFAULT-VALUE}).")
    int settleSeconds;

    @Option(names = "--poll-ms", defaultValue = "250",
            description = "How often the harness reads the nodes' beans during a run (${DEFAULT-VALUE}).")
    int pollMillis;

    @Option(names = "--timeout", defaultValue = "1800",
            description = "Seconds a run may take from the names produced to the end (${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--start-timeout", defaultValue = "240",
            description = "Seconds the broker, or a run's nodes, may take to come up, join and settle the group "
                    + "(${DEFAULT-VALUE}).")
    int startTimeout;

    @Option(names = "--stop-grace", defaultValue = "120",
            description = "Seconds a node may take to stop after SIGTERM before it is killed (${DEFAULT-VALUE}).")
    int stopGraceSeconds;

    @Option(names = "--node-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC",
            description = "JVM flags of every node (${DEFAULT-VALUE}; cluster-bench.sh passes BENCH_JAVA_OPTS).")
    String nodeJvmOpts;

    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx512m -XX:+UseG1GC",
            description = "JVM flags of the broker (${DEFAULT-VALUE}).")
    String brokerJvmOpts;

    @Option(names = "--cost-iterations", defaultValue = "200",
            description = "Timed iterations of each in-process cost (apply, copy, serialize), after as many untimed "
                    + "(${DEFAULT-VALUE}).")
    int costIterations;

    @Option(names = "--bandwidths", split = ",", defaultValue = "1,10", paramLabel = "GBIT",
            description = "Link bandwidths for the model, Gbit/s (${DEFAULT-VALUE}).")
    List<Double> bandwidths;

    @Option(names = "--predict", split = ",", defaultValue = "1,2,3,4,8,16", paramLabel = "N",
            description = "Machine counts the model predicts for (${DEFAULT-VALUE}).")
    List<Integer> predict;

    @Mixin
    ReportOptions common;

    @Option(names = "--rill-jar", required = true, description = "The fat jar the nodes run (cluster-bench.sh passes it).")
    Path rillJar;

    private ChildProcess broker;
    private Config nodeConfig;

    public static void main(String[] args) {
        FaultBench.quietClientLogs();
        int exit = new CommandLine(new ClusterBench()).execute(args);
        System.exit(exit);
    }

    /** The lines the bench lays over application.conf on every node, after the run's own: sizes asked for, --set. */
    List<String> settingLines() {
        List<String> lines = new ArrayList<>();
        if (embedding != null) {
            lines.add("rill.lstm.embedding-size = " + embedding);
        }
        if (hidden != null) {
            lines.add("rill.lstm.hidden-size = " + hidden);
        }
        if (bptt != null) {
            lines.add("rill.lstm.bptt-steps = " + bptt);
        }
        if (lanes != null) {
            lines.add("rill.lstm.lanes-per-stream = " + lanes);
        }
        lines.addAll(overrides);
        return lines;
    }

    /** A node's configuration as far as the model and generation go (the run's topics and ports aside). */
    private Config nodeConfig() {
        if (nodeConfig == null) {
            nodeConfig = BenchSupport.overrides(settingLines())
                    .withFallback(ConfigFactory.parseString("rill.skipgram.enabled = false"))
                    .withFallback(ConfigFactory.load()).resolve();
        }
        return nodeConfig;
    }

    GenerationSettings generation() {
        return GenerationSettings.from(nodeConfig());
    }

    long brokerPid() {
        return broker.pid();
    }

    private void validate() {
        CommandLine cli = new CommandLine(this);
        if (passes < 1 || partitions < 1 || nodes.isEmpty() || settleSeconds < 1 || pollMillis < 10
                || costIterations < 1) {
            throw new CommandLine.ParameterException(cli, "--passes, --partitions, --nodes, --settle, --poll-ms and "
                    + "--cost-iterations must be positive (--poll-ms at least 10)");
        }
        for (int n : nodes) {
            if (n < 1 || n > partitions) {
                throw new CommandLine.ParameterException(cli, "--nodes: each count must be 1.." + partitions
                        + " (a node without a partition would not train), not " + n);
            }
        }
        if (predict.stream().anyMatch(n -> n < 1) || bandwidths.stream().anyMatch(b -> !(b > 0))) {
            throw new CommandLine.ParameterException(cli, "--predict and --bandwidths take positive numbers");
        }
        if (!Files.isRegularFile(rillJar)) {
            throw new CommandLine.ParameterException(cli, "no rill jar at " + rillJar);
        }
        if (!Files.isRegularFile(train)) {
            throw new CommandLine.ParameterException(cli, "no training names at " + train
                    + " (the shared data is beside the repository: ../shared/data/names/train.txt)");
        }
        BenchSupport.overrides(overrides); // fails early on a line that is not HOCON
    }

    @Override
    public Integer call() throws Exception {
        validate();
        List<String> names = Files.readAllLines(train, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isEmpty()).toList();
        LstmSettings lstm = LstmSettings.from(nodeConfig());
        GenerationSettings generation = generation();

        ClusterReport report = new ClusterReport();
        report.begin(common, "ClusterBench");
        report.nodeJvmOpts = nodeJvmOpts;
        report.brokerJvmOpts = brokerJvmOpts;
        report.pollMillis = pollMillis;
        report.settleSeconds = settleSeconds;
        report.train = train.toString();
        report.names = names.size();
        report.charactersPerPass = names.stream().mapToLong(n -> n.codePointCount(0, n.length()) + 1).sum();
        report.passes = passes;
        report.partitions = partitions;
        report.seed = seed;
        report.settingLines = settingLines();
        report.modelSettings = modelSettings(lstm, generation);
        report.predictNodes = List.copyOf(predict);
        report.bandwidthsGbit = List.copyOf(bandwidths);
        report.pullEverySteps = lstm.pullEverySteps();
        report.progressEverySteps = lstm.progressEverySteps();
        report.snapshotIntervalSeconds = generation.enabled() ? generation.snapshotInterval().toMillis() / 1e3 : 0;
        report.seenRefreshSeconds = generation.seenRefreshInterval().toMillis() / 1e3;
        report.maxStaleness = lstm.maxStaleness();
        report.printMachine();

        // Before any child runs, so that nothing of the bench's own competes with these loops.
        System.out.printf("measuring the cost of one update in-process (%d iterations each)...%n", costIterations);
        report.costs = WireCosts.measure(nodeConfig(), names, costIterations);
        WireCosts.Costs c = report.costs;
        System.out.printf(Locale.ROOT, "push %,d B, pull %,d B, snapshot with data %,d B; apply %.3f ms, pull copy "
                        + "%.3f ms; push serialize %.3f ms, deserialize %.3f ms%n", c.pushBytes(), c.pullBytes(),
                c.dataPullBytes(), c.applyMillis(), c.pullCopyMillis(), c.pushSerializeMillis(),
                c.pushDeserializeMillis());

        Path work = common.createWorkDirectory("rill-cluster-bench-");
        report.workDir = work.toString();
        try {
            ChildJvms.Broker started = ChildJvms.startBroker(brokerJvmOpts, work.resolve("broker"),
                    ChildJvms.freePort(), work.resolve("broker.log"), Duration.ofSeconds(startTimeout));
            broker = started.process();
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, started.bootstrap());
            try (Admin admin = Admin.create(props)) {
                for (int i = 0; i < nodes.size(); i++) {
                    int n = nodes.get(i);
                    try {
                        report.runs.add(new ClusterRun(this, i + 1, n, work.resolve("run-" + (i + 1)),
                                started.bootstrap(), admin, names).run());
                    } catch (Exception e) {
                        // The run stopped early: say why, and go on with the next size.
                        report.failures.add(n + " nodes: " + e);
                        System.out.printf("[run %d] %d nodes FAILED: %s%n", i + 1, n, e);
                        e.printStackTrace(System.out);
                    }
                }
            }
        } finally {
            if (broker != null) {
                broker.terminate(Duration.ofSeconds(30));
            }
            common.removeWorkDirectory(work);
        }
        report.loadAtEnd = ProcMemory.loadAverages();
        System.out.println();
        System.out.println(report.text());
        if (!common.noReport) {
            Path file = common.reportFile("cluster");
            report.appendMarkdown(file);
            System.out.println("report appended to " + file);
        }
        return report.failures.isEmpty() ? 0 : 1;
    }

    /** The settings that shape the model's work and traffic, as the nodes have them. */
    private static Map<String, String> modelSettings(LstmSettings lstm, GenerationSettings generation) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("rill.lstm.cell", lstm.architecture().cell().toString().toLowerCase(Locale.ROOT));
        s.put("rill.lstm.embedding-size", Integer.toString(lstm.architecture().embeddingSize()));
        s.put("rill.lstm.hidden-size", Integer.toString(lstm.architecture().hiddenSize()));
        s.put("rill.lstm.layers", Integer.toString(lstm.architecture().layers()));
        s.put("rill.lstm.bptt-steps", Integer.toString(lstm.bpttSteps()));
        s.put("rill.lstm.lanes-per-stream", Integer.toString(lstm.lanesPerStream()));
        s.put("rill.lstm.learning-rate", Double.toString(lstm.learningRate()));
        s.put("rill.lstm.pull-every-steps", Integer.toString(lstm.pullEverySteps()));
        s.put("rill.lstm.max-staleness", Integer.toString(lstm.maxStaleness()));
        s.put("rill.lstm.gather-window", lstm.gatherWindow().toMillis() + "ms");
        s.put("rill.lstm.held-out.every", Integer.toString(lstm.heldOutEvery()));
        s.put("rill.lstm.progress.every-steps", Integer.toString(lstm.progressEverySteps()));
        s.put("rill.generate.enabled", Boolean.toString(generation.enabled()));
        s.put("rill.generate.snapshot-interval", generation.snapshotInterval().toMillis() + "ms");
        s.put("rill.generate.seen-refresh-interval", generation.seenRefreshInterval().toMillis() + "ms");
        s.put("rill.generate.seen-sequences.expected", Long.toString(generation.seenExpected()));
        return s;
    }
}
