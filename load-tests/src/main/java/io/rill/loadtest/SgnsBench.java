package io.rill.loadtest;

import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The skip-gram benchmark: rill learning word embeddings from a corpus streamed through Kafka, against word2vec.c and
 * gensim ({@code sgns-peers.sh}) with the same hyper-parameters on the same tokens, one after the other. Per rill run
 * (one per learning-rate setting): a broker child, the corpus produced one record per line for every pass, a node
 * child that learns it; words/s from the first record taken in to every partition committed (a stream commits a batch
 * only after its worker pushed its deltas), the learner's figures over JMX, the vectors exported by the node's
 * {@code exportVectors} operation and scored by {@code eval-vectors.py}, as written and on the peers' vocabulary.
 */
@Command(name = "sgns-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Train skip-gram on a token file with rill (through Kafka) and with the reference "
                + "implementations; print and record words/s, quality and memory.")
public final class SgnsBench extends Bench<SgnsBench.Result> {

    /** The comparison's hyper-parameters, and room for the corpus's documents (see the README). */
    static final Map<String, Object> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("rill.skipgram.enabled", true);
        SETTINGS.put("rill.skipgram.document-boundary", "line");
        SETTINGS.put("rill.skipgram.dimension", 100);
        SETTINGS.put("rill.skipgram.window", 5);
        SETTINGS.put("rill.skipgram.negatives", 5);
        SETTINGS.put("rill.skipgram.sample", 1e-3);
        SETTINGS.put("rill.skipgram.min-count", 5);
        SETTINGS.put("rill.skipgram.workers", 2);
        SETTINGS.put("rill.skipgram.shards", 2);
        SETTINGS.put("rill.ingest.max-record-bytes", 4 * 1024 * 1024); // Moby-Dick is one line of 1.15 MB
        SETTINGS.put("rill.ingest.batch-size", 1); // one document per learning step (the README says why)
    }

    @Option(names = "--corpus", defaultValue = "../shared/data/corpus/sotu-moby.tokens.txt",
            description = "Token file, one document per line.")
    Path corpus;
    @Option(names = "--passes", defaultValue = "5", description = "Passes over the corpus.") int passes;
    @Option(names = "--lr", split = ",", defaultValue = "default,2e6:1e-4", paramLabel = "VARIANT",
            description = "Learning rates, one rill run each: default or DECAY_TOKENS:FLOOR[:INITIAL].")
    List<String> lr;
    @Option(names = "--peers", defaultValue = "first", description = "Run sgns-peers.sh first, last or skip.")
    String peers;
    @Option(names = "--peers-script", defaultValue = "../shared/bench/sgns-peers.sh") Path peersScript;
    @Option(names = "--peers-threads", defaultValue = "2") int peersThreads;
    @Option(names = "--peers-work", description = "The peers' WORK directory (default: under the work directory).")
    Path peersWork;
    @Option(names = "--python", defaultValue = "/usr/bin/python3") String python;
    @Option(names = "--eval-script", defaultValue = "../shared/bench/eval-vectors.py")
    Path evalScript;
    @Option(names = "--text", description = "Export rill's vectors in word2vec's text format (default: binary).")
    boolean text;
    @Option(names = "--topic", defaultValue = "bench.corpus") String topic;
    @Option(names = "--partitions", defaultValue = "2") int partitions;
    @Option(names = "--jvm-opts", defaultValue = "-Xmx4g -XX:+UseG1GC", description = "Each node's.") String jvmOpts;
    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC") String brokerJvmOpts;
    @Option(names = "--jfr", paramLabel = "FILE", description = "Record each rill run with Flight Recorder (FILE-N.jfr "
            + "for run N when there are several).")
    Path jfr;
    @Option(names = "--timeout", defaultValue = "1800", description = "Seconds a rill run, and the peers, may take.")
    int timeout;

    /** One line of eval-vectors.py. */
    record Eval(String line, int words, double analogy, double ws353, double oov) {

        static final Pattern LINE = Pattern.compile(
                "words=(\\d+) dim=\\d+ analogy=([0-9.]+) ws353_spearman=(-?[0-9.]+) ws353_oov=([0-9.]+)%");

        static Optional<Eval> parse(String line) {
            Matcher m = LINE.matcher(line);
            return m.find() ? Optional.of(new Eval(line.replaceAll("vectors=\\S+ ", "").trim(),
                    Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                    Double.parseDouble(m.group(4)))) : Optional.empty();
        }
    }

    record Peer(String name, double wordsPerSec, Eval eval, long peakRss, double cpu) {
    }

    record Peers(List<String> command, List<String> lines, double seconds, String loadStart, String loadEnd,
                 List<Peer> peers) {
    }

    /** One rill run; times are seconds after the node's process started. */
    record RillRun(String name, List<String> overrides, Map<String, String> settings, String loadStart,
                   String loadEnd, String partitions, double produceSeconds, double up, double first, double allIn,
                   double committed, Map<String, Object> skipgram, long rss, long peak, long heapUsed,
                   long heapCommitted, long heapAfterGc, double exportSeconds, String exported, long tokensCounted,
                   long ingestRestarts, Cpu.Phase cpu, Jfr.Summary jfr, Eval asExported, Eval peerVocabulary,
                   int peerWords) {
    }

    record Result(String corpus, int passes, int partitions, int lines, int longestLine, long words, long tokens,
                  List<String> overrides, String jvmOpts, String brokerJvmOpts, String evalCommand, Peers peers,
                  List<RillRun> rill) {
    }

    public SgnsBench() {
        super("sgns", Result.class, "Skip-gram benchmark", "Written by `load-tests/sgns-bench.sh` (see "
                + "load-tests/README.md for what is measured and how). One section per invocation. MiB = 2^20 bytes.");
    }

    public static void main(String[] args) {
        main(new SgnsBench(), args);
    }

    @Override
    void validate() {
        requireJar();
        if (!List.of("first", "last", "skip").contains(peers) || passes < 1 || partitions < 1) {
            throw bad("--peers takes first, last or skip; --passes and --partitions must be positive");
        }
        lr.forEach(SgnsBench::variant);
    }

    /** A learning-rate setting: its name and HOCON lines. */
    private static Map.Entry<String, List<String>> variant(String spec) {
        if (spec.equals("default")) {
            return Map.entry("rill, default lr", List.of());
        }
        String[] p = spec.split(":");
        if (p.length < 2 || p.length > 3) {
            throw new IllegalArgumentException("--lr takes default or DECAY_TOKENS:FLOOR[:INITIAL], not " + spec);
        }
        List<String> lines = new ArrayList<>(List.of("rill.skipgram.learning-rate.decay-tokens = "
                + Double.parseDouble(p[0]), "rill.skipgram.learning-rate.floor = " + Double.parseDouble(p[1])));
        if (p.length == 3) {
            lines.add("rill.skipgram.learning-rate.initial = " + Double.parseDouble(p[2]));
        }
        return Map.entry("rill, lr decay-tokens " + p[0] + " floor " + p[1] + (p.length == 3 ? " initial " + p[2]
                : ""), lines);
    }

    @Override
    Result measure() throws Exception {
        List<String> lines = Files.readAllLines(corpus, StandardCharsets.UTF_8);
        Tokenizer tokenizer = Tokenizer.of(TokenizerKind.WORDS);
        long words = lines.stream().mapToLong(l -> l.isBlank() ? 0 : l.trim().split("\\s+").length).sum();
        long tokens = lines.stream().mapToLong(l -> tokenizer.tokenize(l).tokenCount()).sum();
        int longest = lines.stream().mapToInt(l -> l.getBytes(StandardCharsets.UTF_8).length).max().orElse(0);
        if (longest > 4 * 1024 * 1024) {
            throw new IllegalStateException("the corpus's longest line (" + longest + " bytes) would be dead-lettered");
        }
        Peers peerResult = peers.equals("first") ? peers() : null;
        List<RillRun> runs = new ArrayList<>();
        for (int i = 0; i < lr.size(); i++) {
            Path jfrFile = jfr == null ? null : lr.size() == 1 ? jfr
                    : jfr.resolveSibling(jfr.getFileName().toString().replaceFirst("\\.jfr$", "") + "-" + (i + 1) + ".jfr");
            runs.add(rill(work.resolve("rill-" + (i + 1)), variant(lr.get(i)), lines, words, jfrFile));
        }
        peerResult = peers.equals("last") ? peers() : peerResult;
        return new Result(corpus.toString(), passes, partitions, lines.size(), longest, words, tokens,
                List.copyOf(overrides), jvmOpts, brokerJvmOpts, python + " " + evalScript + " vectors.bin --binary",
                peerResult, runs);
    }

    private Peers peers() throws Exception {
        Path dir = Files.createDirectories(peersWork != null ? peersWork : work.resolve("peers"));
        Child.Sampled s = Child.sample("peers", List.of("bash", peersScript.toString(), corpus.toString(),
                Integer.toString(peersThreads), Integer.toString(passes)), Map.of("WORK", dir.toString()),
                work.resolve("peers.log"), timeout, cmd -> {
                    String[] a = cmd.split(" ");
                    return a[0].endsWith("/word2vec") ? "word2vec.c" : !a[0].contains("python3") ? null
                            : cmd.contains("eval-vectors.py") ? "eval" : a.length > 1 && a[1].equals("-") ? "gensim"
                            : null;
                });
        List<Peer> found = new ArrayList<>();
        Pattern speed = Pattern.compile("^(word2vec\\.c|gensim): ([0-9.]+) words/s");
        for (int i = 0; i < s.output().size(); i++) {
            Matcher m = speed.matcher(s.output().get(i));
            if (m.find()) {
                Eval eval = s.output().subList(i + 1, s.output().size()).stream().map(Eval::parse)
                        .flatMap(Optional::stream).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no evaluation after " + m.group()));
                found.add(new Peer(m.group(1), Double.parseDouble(m.group(2)), eval,
                        s.peakRss().getOrDefault(m.group(1), -1L), s.cpu().getOrDefault(m.group(1), -1.0)));
            }
        }
        if (found.size() != 2) {
            throw new IllegalStateException("sgns-peers.sh printed figures for " + found.size() + " of 2 peers");
        }
        List<String> shown = s.output().stream().filter(l -> l.matches("^(word2vec\\.c:|gensim:|vectors=).*"))
                .map(l -> l.replace(dir.toString(), "$WORK")).toList();
        List<String> command = new ArrayList<>(List.of("WORK=<temporary directory>"));
        command.addAll(s.command());
        return new Peers(command, shown, s.seconds(), s.loadAtStart(), s.loadAtEnd(), found);
    }

    private RillRun rill(Path dir, Map.Entry<String, List<String>> variant, List<String> lines, long words,
                         Path jfrFile) throws Exception {
        System.out.printf("%n== %s ==%n", variant.getKey());
        String loadStart = Machine.loadAverages();
        Child.Broker broker = Child.broker(brokerJvmOpts, dir.resolve("broker"), 0, dir.resolve("broker.log"),
                Duration.ofSeconds(180));
        try (var admin = Kafka.admin(broker.bootstrap())) {
            Path topics = dir.resolve("topics");
            Kafka.specs(topics, topic, partitions, topic + ".deadletter", null);
            Kafka.provision(admin, topics);
            // Each record to the partition with the fewest bytes so far, keyed by its line number.
            long[] bytes = new long[partitions];
            int[] partitionOf = new int[lines.size() * passes];
            for (int i = 0; i < partitionOf.length; i++) {
                int p = 0;
                for (int q = 1; q < partitions; q++) {
                    p = bytes[q] < bytes[p] ? q : p;
                }
                partitionOf[i] = p;
                bytes[p] += lines.get(i % lines.size()).getBytes(StandardCharsets.UTF_8).length;
            }
            Kafka.Sent sent = Kafka.produce(Kafka.producer(broker.bootstrap(), true), partitionOf.length,
                    i -> new ProducerRecord<>(topic, partitionOf[(int) i], Long.toString(i % lines.size() + 1)
                            .getBytes(StandardCharsets.US_ASCII), lines.get((int) (i % lines.size()))
                            .getBytes(StandardCharsets.UTF_8)));
            Map<String, Long> ends = Kafka.ends(admin, Kafka.partitions(topic, partitions));
            List<String> split = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                split.add(Report.f("%d: %,d records, %.1f MB", p, ends.get(topic + "-" + p), bytes[p] / Machine.MIB));
            }
            String group = "bench-sgns-" + UUID.randomUUID();
            List<String> config = Node.base(dir.resolve("node"), broker.bootstrap(), group, topics, topic, "words",
                    topic + ".deadletter");
            SETTINGS.forEach((k, v) -> config.add(k + " = " + v));
            List<String> set = new ArrayList<>(overrides);
            set.addAll(variant.getValue());
            config.addAll(set);
            long records = (long) lines.size() * passes;
            try (Node node = Node.start("node", jvmOpts, rillJar, dir, config, Duration.ofSeconds(300))) {
                Cpu before = node.cpu();
                Jfr profile = jfrFile != null ? Jfr.start(node, jfrFile) : null;
                double[] t = {-1, -1, -1};
                long lastPrint = System.nanoTime();
                while (t[2] < 0) {
                    long in = node.recordsIn(topic);
                    double age = node.age();
                    t[0] = t[0] < 0 && in > 0 ? age : t[0];
                    t[1] = t[1] < 0 && in >= records ? age : t[1];
                    t[2] = t[1] >= 0 && node.committed(ends) ? age : -1;
                    if (age > timeout || !node.alive()) {
                        throw new IllegalStateException("rill had taken in " + in + " of " + records + " records after "
                                + Report.d(age, 0) + " s; see " + node.process.log);
                    }
                    if (since(lastPrint) > 10) {
                        lastPrint = System.nanoTime();
                        System.out.printf("[%s] %.0f s: %,d of %,d records taken in; skip-gram %s%n", variant.getKey(),
                                age, in, records, node.attrs(Node.SKIPGRAM, "TokensSeen", "PairsTrained", "Loss"));
                    }
                    Thread.sleep(t[0] < 0 ? 20 : 100); // every poll is a few JMX round trips in the node
                }
                Cpu.Phase cpu = node.cpu().since(before);
                Machine.Memory memory = node.memory().orElse(new Machine.Memory(-1, -1));
                long[] heap = node.heap();
                Jfr.Summary summary = profile != null ? profile.stop(25) : null;
                Map<String, Object> sg = new TreeMap<>(node.attrs(Node.SKIPGRAM, "TokensSeen", "PairsTrained", "Loss",
                        "KeepRatio", "ParameterServerVersion", "StalenessP50", "StalenessP99", "StaleRefusals",
                        "VocabularySize", "TrainableWords", "LearningRate", "EvictedWords"));
                Map<String, Long> committed = Kafka.committed(admin, group, Kafka.partitions(topic, partitions));
                var streams = node.streams().values().stream().filter(s -> s.topic().equals(topic)).toList();
                long dead = streams.stream().mapToLong(Node.Stream::deadLettered).sum();
                if (!committed.equals(ends) || node.recordsIn(topic) != records || dead != 0) {
                    throw new IllegalStateException("the broker has " + committed + " committed (ends " + ends
                            + "), the streams took in " + node.recordsIn(topic) + " of " + records
                            + ", dead-lettered " + dead);
                }
                Path vectors = dir.resolve(text ? "vectors.txt" : "vectors.bin");
                long exportStart = System.nanoTime();
                String exported = String.valueOf(node.invoke(Node.SKIPGRAM, "exportVectors", vectors.toString(), !text));
                double exportSeconds = since(exportStart);
                System.out.println(exported);
                long afterGc = node.heapAfterGc();
                long restarts = node.num(Node.NODE, "IngestRestarts");
                node.stop(Duration.ofSeconds(60));
                Eval asExported = evaluate(vectors, !text);
                Path restricted = dir.resolve("vectors-peer-vocabulary.bin");
                int kept = restrict(lines, vectors, !text, restricted);
                Eval peerVocabulary = evaluate(restricted, true);
                return new RillRun(variant.getKey(), set, effective(config), loadStart, Machine.loadAverages(),
                        String.join(", ", split), sent.seconds(), node.upSeconds, t[0], t[1], t[2], sg, memory.rss(),
                        memory.peak(), heap[0], heap[2], afterGc, exportSeconds, exported.replaceAll(" to \\S+;", ";"),
                        streams.stream().mapToLong(Node.Stream::tokensIn).sum(), restarts, cpu, summary, asExported,
                        peerVocabulary, kept);
            }
        } finally {
            broker.stop();
        }
    }

    /** The settings that shape the comparison and the throughput, as the node had them. */
    private static Map<String, String> effective(List<String> lines) {
        return Bench.effective(nodeConfig(lines), List.of("rill.skipgram"), List.of(
                "rill.skipgram.worker-dispatcher.thread-pool-executor.fixed-pool-size", "rill.ingest.max-record-bytes",
                "rill.ingest.batch-size", "rill.ingest.batch-window", "rill.ingest.commit-max-batch",
                "rill.ingest.commit-max-interval", "akka.kafka.consumer.poll-interval",
                "akka.kafka.consumer.kafka-clients.max.partition.fetch.bytes",
                "akka.kafka.consumer.kafka-clients.max.poll.records"));
    }

    private Eval evaluate(Path vectors, boolean binary) throws Exception {
        List<String> command = new ArrayList<>(List.of(python, evalScript.toString(), vectors.toString()));
        if (binary) {
            command.add("--binary");
        }
        Child.Sampled s = Child.sample("evaluation", command, Map.of(), work.resolve("eval.log"), 600, c -> null);
        return s.output().stream().map(Eval::parse).flatMap(Optional::stream).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("no evaluation line in " + s.output()));
    }

    /**
     * Writes the vectors of the words seen at least 5 times in one pass over the corpus (the peers' vocabulary), most
     * frequent first, to {@code target} in word2vec's binary format; returns how many.
     */
    private static int restrict(List<String> lines, Path vectors, boolean binary, Path target) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        lines.forEach(l -> Arrays.stream(l.trim().split("\\s+")).filter(w -> !w.isEmpty())
                .forEach(w -> counts.merge(w, 1, Integer::sum)));
        Map<String, byte[]> rows = new HashMap<>(); // little-endian floats, as word2vec's binary format has them
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(vectors));
        String[] header = token(in, '\n').split(" ");
        int dim = Integer.parseInt(header[1]);
        for (int i = 0; i < Integer.parseInt(header[0]); i++) {
            byte[] row = new byte[4 * dim];
            if (binary) {
                String word = token(in, ' ');
                in.get(row);
                rows.put(word, row);
            } else {
                String[] parts = token(in, '\n').split(" ");
                ByteBuffer floats = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
                Arrays.stream(parts).skip(1).forEach(x -> floats.putFloat(Float.parseFloat(x)));
                rows.put(parts[0], row);
            }
        }
        List<String> words = counts.entrySet().stream().filter(e -> e.getValue() >= 5 && rows.containsKey(e.getKey()))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target))) {
            out.write((words.size() + " " + dim + "\n").getBytes(StandardCharsets.UTF_8));
            for (String w : words) {
                out.write((w + " ").getBytes(StandardCharsets.UTF_8));
                out.write(rows.get(w));
                out.write('\n');
            }
        }
        return words.size();
    }

    /** The bytes up to {@code end}, as trimmed UTF-8 (a binary row's trailing newline goes with the next word). */
    private static String token(ByteBuffer in, char end) {
        int start = in.position();
        while (in.get() != end) {
            // up to the separator
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8).trim();
    }

    @Override
    void render(Report md, Result r) {
        double words = (double) r.words() * r.passes();
        Optional<Double> gensim = r.peers() == null ? Optional.empty() : r.peers().peers().stream()
                .filter(p -> p.name().equals("gensim")).map(Peer::wordsPerSec).findFirst();
        List<List<String>> rows = new ArrayList<>();
        List<Peer> peerList = r.peers() == null ? List.of() : r.peers().peers();
        peerList.forEach(p -> rows.add(row(p.name(), p.wordsPerSec(), gensim, p.cpu(), words, p.eval(),
                "peak " + Report.mib(p.peakRss()))));
        for (RillRun run : r.rill()) {
            rows.add(row(run.name(), words / (run.committed() - run.first()), gensim, run.cpu().process(), words,
                    run.asExported(), "end " + Report.mib(run.rss()) + ", peak " + Report.mib(run.peak())));
        }
        md.table(List.of("implementation", ">words/s", ">ratio to gensim", ">CPU", ">analogy accuracy",
                ">WS353 Spearman", ">words in the vectors file", "RSS"), rows);
        md.para("How each figure is taken: load-tests/README.md, \"The skip-gram benchmark\" (words/s: `wc -w` of the "
                + "file, %,d, x %d passes over the wall time; rill's from its first record taken in to all committed).",
                r.words(), r.passes());
        if (!r.rill().isEmpty()) {
            md.para("The same vectors restricted to the peers' vocabulary (words seen 5 times in one pass), most "
                    + "frequent first (rill's online vocabulary gives every word of a repeated corpus a vector):");
            md.table(List.of("rill run", ">words", ">analogy accuracy", ">WS353 Spearman"), r.rill().stream()
                    .map(x -> List.of(x.name(), Report.f("%,d", x.peerWords()), Report.d(x.peerVocabulary().analogy(),
                            4), Report.d(x.peerVocabulary().ws353(), 4))).toList());
        }
        md.h3("Setup")
                .bullet("Corpus: `%s`, %d passes; runs are sequential, never two trainings at once.", r.corpus(),
                        r.passes())
                .bullet("Hyper-parameters, all sides: skip-gram, negative sampling, dimension 100, window 5, 5 "
                        + "negatives, sample 1e-3, min-count 5; 2 threads (peers) / 2 workers and 2 parameter-server "
                        + "shards (rill).");
        if (r.peers() != null) {
            md.bullet("Peers: `%s` (%.0f s in all, load average at its start %s, at its end %s). Their lines:%n%n```%n%s"
                            + "%n```", String.join(" ", r.peers().command()), r.peers().seconds(), r.peers().loadStart(),
                    r.peers().loadEnd(), String.join("\n", r.peers().lines()));
        }
        md.bullet("rill: one record per line of the corpus (%,d lines, the longest %,d bytes), %d passes = %,d records, "
                        + "produced before the node starts into a topic of %d partitions (each record to the partition "
                        + "with the fewest bytes so far, keyed by line number) on rill's embedded KRaft broker in a JVM "
                        + "of its own (`%s`, loopback, fresh directory). Each run: a node `java %s -jar rill.jar run -c "
                        + "<file>`, external-broker mode, a fresh group, stream tokenizer `words`, remote JMX on "
                        + "loopback; set by the bench: %s; `--set` for every run: %s. The vectors: the node's "
                        + "`exportVectors` (rill:type=SkipGram); scored with `%s`.", r.lines(), r.longestLine(),
                r.passes(), (long) r.lines() * r.passes(), r.partitions(), r.brokerJvmOpts(), r.jvmOpts(),
                Report.settings(SETTINGS), r.overrides().isEmpty() ? "none" : "`" + String.join("`, `",
                        r.overrides()) + "`", r.evalCommand()).end();
        for (RillRun x : r.rill()) {
            Map<String, Object> sg = x.skipgram();
            md.h3(x.name())
                    .bullet("Overrides: %s.", x.overrides().isEmpty() ? "none (application.conf's learning rate)"
                            : "`" + String.join("`, `", x.overrides()) + "`")
                    .bullet("Settings in effect: %s.", Report.settings(x.settings()))
                    .bullet("Load average at the run's start: %s; at its end: %s. Produce: %.1f s (%s).", x.loadStart(),
                            x.loadEnd(), x.produceSeconds(), x.partitions())
                    .bullet("**%,.0f words/s** (%,.0f words in %.1f s, first record taken in -> all committed); %,.0f "
                            + "words/s from node up.", words / (x.committed() - x.first()), words,
                            x.committed() - x.first(), words / (x.committed() - x.up()))
                    .bullet("Timeline, seconds after the node's process started: up %.2f, first record taken in %.2f, "
                            + "all %,d records taken in %.2f, all committed %.2f. Streams' token count %,d (rill's "
                            + "tokenizer on the file x %d: %,d); ingest restarts %d.", x.up(), x.first(),
                            (long) r.lines() * r.passes(), x.allIn(), x.committed(), x.tokensCounted(), r.passes(),
                            r.tokens() * r.passes(), x.ingestRestarts())
                    .bullet("Skip-gram metrics at the end: tokens seen %,d, pairs trained %,d, loss %.4f, keep ratio "
                            + "%.4f, PS version %,d, staleness p50 %d / p99 %d, stale refusals %,d, vocabulary %,d "
                            + "(trainable %,d, evicted %,d), learning rate %.6f.", sg.get("TokensSeen"),
                            sg.get("PairsTrained"), sg.get("Loss"), sg.get("KeepRatio"), sg.get("ParameterServerVersion"),
                            sg.get("StalenessP50"), sg.get("StalenessP99"), sg.get("StaleRefusals"),
                            sg.get("VocabularySize"), sg.get("TrainableWords"), sg.get("EvictedWords"),
                            sg.get("LearningRate"))
                    .bullet("Memory when all was committed: RSS %s (peak %s), heap used %s (committed %s; %s live after "
                            + "a full GC at the end).", Report.mib(x.rss()), Report.mib(x.peak()),
                            Report.mib(x.heapUsed()), Report.mib(x.heapCommitted()), Report.mib(x.heapAfterGc()))
                    .bullet("Export (%.1f s): %s", x.exportSeconds(), x.exported())
                    .bullet("Evaluation as exported: `%s`", x.asExported().line())
                    .bullet("CPU from node up to all committed: %s", x.cpu().describe(10)).end();
            if (x.jfr() != null) {
                x.jfr().render(md, "from node up to all committed");
            }
        }
    }

    private static List<String> row(String name, double wordsPerSec, Optional<Double> gensim, double cpu, double words,
                                    Eval eval, String rss) {
        return List.of(name, Report.n(wordsPerSec), gensim.map(g -> Report.d(wordsPerSec / g, 3)).orElse("n/a"),
                cpu < 0 ? "n/a" : Report.f("%.0f s (%.1f µs/word)", cpu, cpu * 1e6 / words), Report.d(eval.analogy(), 4),
                Report.d(eval.ws353(), 4), Report.f("%,d", eval.words()), rss);
    }
}
