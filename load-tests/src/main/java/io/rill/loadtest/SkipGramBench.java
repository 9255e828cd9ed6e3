package io.rill.loadtest;

import io.rill.skipgram.query.EmbeddingSnapshot;
import io.rill.skipgram.query.Word2VecFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The skip-gram benchmark: rill learning word embeddings from a corpus streamed through Kafka, against the
 * reference implementations (word2vec.c and gensim, by the shared {@code sgns-peers.sh}) with the same
 * hyper-parameters on the same tokens, on the same machine, one after the other. For each rill setting (learning-rate
 * variants, {@code --lr}) a child JVM runs {@link SgnsRillRun}: broker, produce, learn, export. This process then
 * scores the exported vectors with the shared {@code eval-vectors.py} and writes the figures to stdout and, as a
 * Markdown section, to {@code <results>/sgns-<date>.md}. A harness that prints numbers, never a test; see
 * load-tests/README.md.
 */
@Command(name = "sgns-bench", mixinStandardHelpOptions = true, sortOptions = false,
        version = "rill skip-gram benchmark 0.1.0",
        description = "Train skip-gram on a token file with rill (through an embedded Kafka broker) and with the "
                + "reference implementations; print and record words/s, quality and memory.")
public final class SkipGramBench implements Callable<Integer> {

    @Option(names = "--corpus", paramLabel = "FILE", defaultValue = "../shared/data/corpus/sotu-moby.tokens.txt",
            description = "Token file, one document per line (default, relative to the working directory: "
                    + "${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--passes", defaultValue = "5", description = "Passes over the corpus (epochs) (${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--lr", split = ",", defaultValue = "default,2e6:1e-4", paramLabel = "VARIANT",
            description = "Learning-rate settings to run rill with, one run each: 'default' (application.conf's) or "
                    + "DECAY_TOKENS:FLOOR[:INITIAL], e.g. 2e6:1e-4 (${DEFAULT-VALUE}).")
    List<String> lrVariants;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A HOCON line laid over every rill run's node configuration. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--peers", defaultValue = "first", paramLabel = "WHEN",
            description = "Run sgns-peers.sh first, last or skip (${DEFAULT-VALUE}).")
    String peers;

    @Option(names = "--peers-script", defaultValue = "../shared/bench/sgns-peers.sh",
            description = "(${DEFAULT-VALUE})")
    Path peersScript;

    @Option(names = "--peers-threads", defaultValue = "2", description = "Threads of the peers (${DEFAULT-VALUE}).")
    int peersThreads;

    @Option(names = "--peers-work", paramLabel = "DIR",
            description = "The peers' WORK directory (default: a fresh temporary one, removed afterwards).")
    Path peersWork;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "(${DEFAULT-VALUE})")
    String python;

    @Option(names = "--eval-script", defaultValue = "../shared/bench/eval-vectors.py", description = "(${DEFAULT-VALUE})")
    Path evalScript;

    @Option(names = "--text", description = "Export rill's vectors in word2vec's text format (default: binary).")
    boolean text;

    @Option(names = "--topic", defaultValue = "bench.corpus", description = "Topic name (${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the topic (${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--jvm-opts", defaultValue = "-Xmx4g -XX:+UseG1GC",
            description = "JVM flags of each rill run (${DEFAULT-VALUE}).")
    String jvmOpts;

    @Option(names = "--jfr", paramLabel = "FILE",
            description = "Record each rill run with Flight Recorder (FILE, or FILE-N.jfr for run N when there are "
                    + "several) and summarise where the time went.")
    Path jfr;

    @Option(names = "--timeout", defaultValue = "1800",
            description = "Seconds a rill run may take from node start to all committed, and the peers in all "
                    + "(${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Mixin
    ReportOptions common;

    @Option(names = "--child", hidden = true, paramLabel = "DIR", description = "Internal: do one rill run into DIR.")
    Path child;

    @Option(names = "--child-label", hidden = true, description = "Internal: the rill run's name.")
    String childLabel;

    public static void main(String[] args) {
        int exit = new CommandLine(new SkipGramBench()).execute(args);
        System.exit(exit);
    }

    /** One rill setting to run. */
    record Variant(String name, List<String> overrides) {

        static Variant parse(String spec) {
            if (spec.equals("default")) {
                return new Variant("rill, default lr", List.of());
            }
            String[] parts = spec.split(":");
            if (parts.length < 2 || parts.length > 3) {
                throw new IllegalArgumentException("--lr takes 'default' or DECAY_TOKENS:FLOOR[:INITIAL], not " + spec);
            }
            List<String> overrides = new ArrayList<>(List.of(
                    "rill.skipgram.learning-rate.decay-tokens = " + Double.parseDouble(parts[0]),
                    "rill.skipgram.learning-rate.floor = " + Double.parseDouble(parts[1])));
            String name = "rill, lr decay-tokens " + parts[0] + " floor " + parts[1];
            if (parts.length == 3) {
                overrides.add("rill.skipgram.learning-rate.initial = " + Double.parseDouble(parts[2]));
                name += " initial " + parts[2];
            }
            return new Variant(name, List.copyOf(overrides));
        }
    }

    /** A finished rill run: its figures, its details, the evaluations of its vectors, and how it was started. */
    record RillOutcome(Variant variant, List<String> overrides, Properties result, String details,
                       SgnsPeersRun.Evaluation asExported, SgnsPeersRun.Evaluation peerVocabulary,
                       int peerVocabularyWords, List<String> command, List<String> evalCommand) {

        double number(String key) {
            return Double.parseDouble(result.getProperty(key));
        }
    }

    @Override
    public Integer call() throws Exception {
        if (child != null) {
            SgnsRillRun.run(new SgnsRillRun.Params(childLabel, corpus, passes, topic, partitions, overrides, !text,
                    jfr, timeoutSeconds, child));
            return 0;
        }
        if (!List.of("first", "last", "skip").contains(peers)) {
            throw new IllegalArgumentException("--peers takes first, last or skip, not " + peers);
        }
        List<Variant> variants = lrVariants.stream().map(Variant::parse).toList();
        SgnsReport report = new SgnsReport();
        report.begin(common, "SkipGramBench");
        report.corpus = corpus.toString();
        report.passes = passes;
        report.partitions = partitions;
        try (var lines = Files.lines(corpus, StandardCharsets.UTF_8)) {
            report.wordsPerPass = lines.mapToLong(SgnsRillRun.Corpus::wcWords).sum();
        }
        report.commonOverrides = List.copyOf(overrides);
        report.childJvmOpts = jvmOpts;

        Path work = common.createWorkDirectory("rill-sgns-bench-");
        try {
            if (peers.equals("first")) {
                report.peers = runPeers(work);
            }
            for (int i = 0; i < variants.size(); i++) {
                Path jfrFile = jfr == null ? null : variants.size() == 1 ? jfr
                        : jfr.resolveSibling(jfr.getFileName().toString().replaceFirst("\\.jfr$", "") + "-" + (i + 1)
                        + ".jfr");
                report.rill.add(runRill(work.resolve("rill-" + (i + 1)), variants.get(i), jfrFile));
            }
            if (peers.equals("last")) {
                report.peers = runPeers(work);
            }
        } finally {
            common.removeWorkDirectory(work);
        }
        report.loadAtEnd = ProcMemory.loadAverages();
        System.out.println();
        System.out.println(report.text());
        if (!common.noReport) {
            Path file = common.reportFile("sgns");
            report.appendMarkdown(file);
            System.out.println("report appended to " + file);
        }
        return 0;
    }

    private SgnsPeersRun.Result runPeers(Path work) throws Exception {
        Path dir = peersWork != null ? peersWork : Files.createDirectories(work.resolve("peers"));
        Files.createDirectories(dir);
        return SgnsPeersRun.run(peersScript, corpus, peersThreads, passes, dir, timeoutSeconds);
    }

    private RillOutcome runRill(Path out, Variant variant, Path jfrFile) throws Exception {
        Files.createDirectories(out);
        List<String> all = new ArrayList<>(overrides);
        all.addAll(variant.overrides());
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(Arrays.asList(jvmOpts.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SkipGramBench.class.getName(),
                "--child", out.toString(), "--child-label", variant.name(), "--corpus", corpus.toString(),
                "--passes", Integer.toString(passes), "--topic", topic, "--partitions", Integer.toString(partitions),
                "--timeout", Integer.toString(timeoutSeconds)));
        for (String o : all) {
            cmd.add("--set");
            cmd.add(o);
        }
        if (text) {
            cmd.add("--text");
        }
        if (jfrFile != null) {
            cmd.add("--jfr");
            cmd.add(jfrFile.toString());
        }
        System.out.printf("%n%s: a child JVM (%s)%n", variant.name(), jvmOpts);
        Process process = new ProcessBuilder(cmd).inheritIO().start();
        // If this harness is stopped, its child goes with it.
        Thread reaper = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }, "stop-rill-run");
        Runtime.getRuntime().addShutdownHook(reaper);
        // The child bounds its own wait for the learning; broker start, produce, export and shutdown come on top.
        if (!process.waitFor(timeoutSeconds + 600L, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException(variant.name() + ": the rill run did not end within "
                    + (timeoutSeconds + 600) + " s");
        }
        Runtime.getRuntime().removeShutdownHook(reaper);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(variant.name() + ": the rill run exited with " + process.exitValue());
        }
        Properties result = new Properties();
        try (InputStream in = Files.newInputStream(out.resolve("result.properties"))) {
            result.load(in);
        }
        String details = Files.readString(out.resolve("details.md"), StandardCharsets.UTF_8);

        Path vectors = Path.of(result.getProperty("export.file"));
        boolean binary = Boolean.parseBoolean(result.getProperty("export.binary"));
        List<String> evalCommand = evalCommand(vectors, binary);
        SgnsPeersRun.Evaluation asExported = evaluate(evalCommand);
        // The same vectors restricted to the peers' vocabulary (min-count over one pass), most frequent first, as
        // gensim writes its file: the evaluation's top-30000 restriction then means the same words for everyone.
        Path restricted = out.resolve("vectors-peer-vocabulary.bin");
        int kept = restrictToPeerVocabulary(vectors, binary, restricted);
        SgnsPeersRun.Evaluation peerVocabulary = evaluate(evalCommand(restricted, true));
        Files.deleteIfExists(restricted);
        if (!common.keepWork) {
            Files.deleteIfExists(vectors);
        }
        // As the report shows it: no paths of this machine, arguments with spaces quoted.
        List<String> shown = new ArrayList<>();
        String workDir = out.getParent().toString();
        for (int i = 0; i < cmd.size(); i++) {
            String arg = i == 0 ? "java" : i > 0 && cmd.get(i - 1).equals("-cp") ? "<load-tests classpath>"
                    : cmd.get(i).replace(workDir, "<work>");
            shown.add(arg.contains(" ") ? "'" + arg + "'" : arg);
        }
        return new RillOutcome(variant, all, result, details, asExported, peerVocabulary, kept, shown, evalCommand);
    }

    private List<String> evalCommand(Path vectors, boolean binary) {
        List<String> cmd = new ArrayList<>(List.of(python, evalScript.toString(), vectors.toString()));
        if (binary) {
            cmd.add("--binary");
        }
        return cmd;
    }

    private SgnsPeersRun.Evaluation evaluate(List<String> cmd) throws Exception {
        System.out.println("evaluating: " + String.join(" ", cmd));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                System.out.println("  | " + line);
                lines.add(line);
            }
        }
        if (!process.waitFor(600, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("evaluation did not end within 600 s: " + cmd);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("evaluation exited with " + process.exitValue() + ": " + lines);
        }
        return lines.stream().map(SgnsPeersRun.Evaluation::parse).flatMap(java.util.Optional::stream)
                .reduce((a, b) -> b).orElseThrow(() -> new IllegalStateException("no evaluation line in " + lines));
    }

    /**
     * Writes the vectors of the words that occur at least min-count (5) times in one pass over the corpus, most
     * frequent first, to {@code target} (binary); returns how many there are.
     */
    private int restrictToPeerVocabulary(Path vectors, boolean binary, Path target) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        try (var lines = Files.lines(corpus, StandardCharsets.UTF_8)) {
            lines.forEach(line -> {
                for (String w : line.trim().split("\\s+")) {
                    if (!w.isEmpty()) {
                        counts.merge(w, 1, Integer::sum);
                    }
                }
            });
        }
        EmbeddingSnapshot all = binary ? Word2VecFormat.readBinary(vectors) : Word2VecFormat.readText(vectors);
        List<String> words = counts.entrySet().stream()
                .filter(e -> e.getValue() >= 5 && all.contains(e.getKey()))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
                .map(Map.Entry::getKey).toList();
        int dim = all.dim();
        float[] rows = new float[words.size() * dim];
        for (int i = 0; i < words.size(); i++) {
            System.arraycopy(all.vector(words.get(i)).orElseThrow(), 0, rows, i * dim, dim);
        }
        Word2VecFormat.writeBinary(target, EmbeddingSnapshot.wrap(words.toArray(String[]::new), rows, dim,
                all.version(), all.tokens()));
        return words.size();
    }
}
