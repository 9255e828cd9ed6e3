package io.rill.loadtest;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The character-model benchmark: rill's LSTM learner, fed names through Kafka, against the PyTorch reference
 * ({@code lstm-peer.py}) with the same hyper-parameters on the same names, on the same machine, one after the other;
 * then rill's generation latency while it keeps training. The reference runs here as a child process (once per
 * thread count, {@code --peer-threads}); rill runs in a child JVM ({@link LstmRillRun}): broker, produce, train,
 * score, generation load. This process writes the figures to stdout and, as a Markdown section, to
 * {@code <results>/lstm-<date>.md}. A harness that prints numbers, never a test; see load-tests/README.md.
 */
@Command(name = "lstm-bench", mixinStandardHelpOptions = true, sortOptions = false,
        version = "rill character-model benchmark 0.1.0",
        description = "Train the character LSTM on names with rill (through an embedded Kafka broker) and with the "
                + "PyTorch reference; measure rill's generation latency under training; print and record chars/s, "
                + "test NLL, latencies and memory.")
public final class LstmBench implements Callable<Integer> {

    @Option(names = "--train", paramLabel = "FILE", defaultValue = "../shared/data/names/train.txt",
            description = "Training names, one per line (${DEFAULT-VALUE}). The reference always reads the shared "
                    + "names next to its script.")
    Path train;

    @Option(names = "--test", paramLabel = "FILE", defaultValue = "../shared/data/names/test.txt",
            description = "Test names for the held-out NLL (${DEFAULT-VALUE}).")
    Path test;

    @Option(names = "--passes", defaultValue = "20", description = "Passes over the training names (${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--emb", defaultValue = "64", description = "Embedding size (${DEFAULT-VALUE}).")
    int embedding;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden size (${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--bptt", defaultValue = "64", description = "Truncated BPTT steps (${DEFAULT-VALUE}).")
    int bptt;

    @Option(names = "--lanes", defaultValue = "16",
            description = "rill's lanes per stream; the reference's batch is lanes x partitions (${DEFAULT-VALUE}).")
    int lanes;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the names topic (${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam's learning rate (${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the pass shuffles and of the sampled names (${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--partitioning", defaultValue = "round-robin", paramLabel = "HOW",
            description = "Which partition a name goes to: round-robin (in turn: both streams get the same share, as "
                    + "the reference cuts its stream into equal lanes) or kafka (no key, Kafka's default partitioner, "
                    + "as `rill produce` sends) (${DEFAULT-VALUE}).")
    String partitioning;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A HOCON line laid over the rill node's configuration. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--nll-every", defaultValue = "5",
            description = "Score a snapshot of rill's model on the test names every this many passes (0 = only at the "
                    + "end) (${DEFAULT-VALUE}).")
    int nllEvery;

    @Option(names = "--samples", defaultValue = "20", description = "Names sampled from rill's final model (${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--sample-temperature", defaultValue = "0.8", description = "(${DEFAULT-VALUE})")
    double sampleTemperature;

    @Option(names = "--gen-rates", split = ",", defaultValue = "100,1000", paramLabel = "PER_SECOND",
            description = "Generation scenarios, requests per second, run in this order; an empty value skips "
                    + "generation (${DEFAULT-VALUE}).")
    List<String> genRates;

    @Option(names = "--gen-seconds", defaultValue = "20", description = "Length of each scenario (${DEFAULT-VALUE}).")
    int genSeconds;

    @Option(names = "--gen-warmup", defaultValue = "5",
            description = "Seconds of requests at the first rate before the scenarios, not counted (${DEFAULT-VALUE}).")
    int genWarmup;

    @Option(names = "--gen-drain", defaultValue = "30",
            description = "Seconds a scenario waits for its last replies after its last request (${DEFAULT-VALUE}).")
    int genDrain;

    @Option(names = "--gen-count", defaultValue = "1", description = "Samples per request (${DEFAULT-VALUE}).")
    int genCount;

    @Option(names = "--gen-temperature", defaultValue = "0.8", description = "(${DEFAULT-VALUE})")
    double genTemperature;

    @Option(names = "--settle", defaultValue = "10",
            description = "When the number of characters rill can train is not known (held-out on by --set), training "
                    + "is over once the count has stood still this many seconds (${DEFAULT-VALUE}).")
    int settleSeconds;

    @Option(names = "--peers", defaultValue = "first", paramLabel = "WHEN",
            description = "Run the reference first, last or skip (${DEFAULT-VALUE}).")
    String peers;

    @Option(names = "--peer-script", defaultValue = "../shared/bench/lstm-peer.py", description = "(${DEFAULT-VALUE})")
    Path peerScript;

    @Option(names = "--peer-threads", split = ",", defaultValue = "2",
            description = "Thread counts to run the reference with, one run each, e.g. 2,1 (${DEFAULT-VALUE}).")
    List<Integer> peerThreads;

    @Option(names = "--peer-passes", description = "Passes of the reference (default: --passes).")
    Integer peerPasses;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "(${DEFAULT-VALUE})")
    String python;

    @Option(names = "--topic", defaultValue = "bench.names", description = "Topic of the names (${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--jvm-opts", defaultValue = "-Xmx4g -XX:+UseG1GC",
            description = "JVM flags of the rill run (${DEFAULT-VALUE}).")
    String jvmOpts;

    @Option(names = "--timeout", defaultValue = "1800",
            description = "Seconds rill's training may take, and each reference run (${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Mixin
    ReportOptions common;

    @Option(names = "--child", hidden = true, paramLabel = "DIR", description = "Internal: do the rill run into DIR.")
    Path child;

    public static void main(String[] args) {
        int exit = new CommandLine(new LstmBench()).execute(args);
        System.exit(exit);
    }

    private List<Integer> rates() {
        List<Integer> rates = new ArrayList<>();
        for (String rate : genRates) {
            if (!rate.isBlank()) {
                rates.add(Integer.parseInt(rate.trim()));
            }
        }
        return rates;
    }

    private LstmRillRun.Params params(Path out) {
        return new LstmRillRun.Params(train, test, passes, topic, partitions, partitioning.equals("round-robin"),
                embedding, hidden, bptt, lanes, learningRate, seed, overrides, nllEvery, samples, sampleTemperature,
                rates(), genSeconds, genWarmup, genDrain, genCount, genTemperature, settleSeconds, timeoutSeconds, out);
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("round-robin", "kafka").contains(partitioning)) {
            throw new IllegalArgumentException("--partitioning takes round-robin or kafka, not " + partitioning);
        }
        if (child != null) {
            LstmRillRun.run(params(child));
            return 0;
        }
        if (!List.of("first", "last", "skip").contains(peers)) {
            throw new IllegalArgumentException("--peers takes first, last or skip, not " + peers);
        }
        if (passes < 1 || partitions < 1 || lanes < 1) {
            throw new IllegalArgumentException("--passes, --partitions and --lanes must be positive");
        }
        rates().forEach(rate -> {
            if (rate < 1 || rate > 100_000) {
                throw new IllegalArgumentException("--gen-rates: each rate must be 1..100000, not " + rate);
            }
        });
        LstmReport report = new LstmReport();
        report.begin(common, "LstmBench");
        report.childJvmOpts = jvmOpts;
        report.overrides = List.copyOf(overrides);
        report.passes = passes;
        report.partitions = partitions;
        report.lanes = lanes;
        report.train = train.toString();
        report.test = test.toString();
        report.peerSettings = new LstmPeerRun.Settings(hidden, embedding, lanes * partitions, bptt,
                peerPasses != null ? peerPasses : passes, learningRate);
        report.rates = rates();
        report.printMachine();

        Path work = common.createWorkDirectory("rill-lstm-bench-");
        try {
            if (peers.equals("first")) {
                runPeers(report);
            }
            runRill(report, work.resolve("rill"));
            if (peers.equals("last")) {
                runPeers(report);
            }
        } finally {
            common.removeWorkDirectory(work);
        }
        report.loadAtEnd = ProcMemory.loadAverages();
        System.out.println();
        System.out.println(report.text());
        if (!common.noReport) {
            Path file = common.reportFile("lstm");
            report.appendMarkdown(file);
            System.out.println("report appended to " + file);
        }
        return 0;
    }

    private void runPeers(LstmReport report) throws Exception {
        for (int threads : peerThreads) {
            report.peers.add(LstmPeerRun.run(python, peerScript, report.peerSettings, threads, timeoutSeconds));
        }
    }

    private void runRill(LstmReport report, Path out) throws Exception {
        Files.createDirectories(out);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(Arrays.asList(jvmOpts.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LstmBench.class.getName(),
                "--child", out.toString(), "--train", train.toString(), "--test", test.toString(),
                "--passes", Integer.toString(passes), "--emb", Integer.toString(embedding),
                "--hidden", Integer.toString(hidden), "--bptt", Integer.toString(bptt),
                "--lanes", Integer.toString(lanes), "--partitions", Integer.toString(partitions),
                "--lr", Double.toString(learningRate), "--seed", Long.toString(seed),
                "--partitioning", partitioning, "--topic", topic, "--nll-every", Integer.toString(nllEvery),
                "--samples", Integer.toString(samples), "--sample-temperature", Double.toString(sampleTemperature),
                "--gen-rates", String.join(",", rates().stream().map(String::valueOf).toList()),
                "--gen-seconds", Integer.toString(genSeconds), "--gen-warmup", Integer.toString(genWarmup),
                "--gen-drain", Integer.toString(genDrain), "--gen-count", Integer.toString(genCount),
                "--gen-temperature", Double.toString(genTemperature), "--settle", Integer.toString(settleSeconds),
                "--timeout", Integer.toString(timeoutSeconds)));
        for (String o : overrides) {
            cmd.add("--set");
            cmd.add(o);
        }
        System.out.printf("%nrill: a child JVM (%s)%n", jvmOpts);
        Process process = new ProcessBuilder(cmd).inheritIO().start();
        // If this harness is stopped, its child goes with it.
        Thread reaper = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }, "stop-rill-run");
        Runtime.getRuntime().addShutdownHook(reaper);
        // The child bounds its training by --timeout and each generation scenario by its seconds and drain; broker
        // start, produce, scoring and shutdown come on top.
        long bound = timeoutSeconds + 600L + (long) rates().size() * (3L * genSeconds + genDrain) + genWarmup + genDrain;
        if (!process.waitFor(bound, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("the rill run did not end within " + bound + " s");
        }
        Runtime.getRuntime().removeShutdownHook(reaper);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the rill run exited with " + process.exitValue());
        }
        Properties result = new Properties();
        try (InputStream in = Files.newInputStream(out.resolve("result.properties"))) {
            result.load(in);
        }
        report.rill = result;
        report.rillDetails = Files.readString(out.resolve("details.md"), StandardCharsets.UTF_8);
        // As the report shows it: no paths of this machine, arguments with spaces quoted.
        List<String> shown = new ArrayList<>();
        String workDir = out.getParent().toString();
        for (int i = 0; i < cmd.size(); i++) {
            String arg = i == 0 ? "java" : cmd.get(i - 1).equals("-cp") ? "<load-tests classpath>"
                    : cmd.get(i).replace(workDir, "<work>");
            shown.add(arg.contains(" ") ? "'" + arg + "'" : arg);
        }
        report.rillCommand = shown;
        report.rillBenchSettings = LstmRillRun.benchSettings(params(out));
    }
}
