package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The sentence-classifier benchmark: 10-fold cross-validation on MR with its fixed folds, rill's kim-cnn against the
 * PyTorch reference ({@code cnn-peer.py}) on the same folds, epochs and vectors. For each variant and fold a fresh rill
 * node (a child JVM, on a broker child) gets the other nine folds through Kafka, the same number of passes as the
 * reference's epochs, each pass shuffled; once every sentence is trained (its JMX count), the held-out fold is
 * classified through classification requests over Kafka and scored against its labels. The pre-trained variants read
 * one word2vec file on both sides: rill's own skip-gram vectors, learned first on the shared corpus plus the MR
 * sentences and exported through JMX. Once, the node then goes on training while requests come at a fixed rate: the
 * classification latency under training.
 */
@Command(name = "cnn-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Cross-validate Kim's CNN on MR with rill (through Kafka) and with the PyTorch reference; measure "
                + "rill's classification latency under training; print and record accuracy and sentences/s.")
public final class CnnBench extends Bench<CnnBench.Result> {

    static final String MODEL = "mr";
    static final double TARGET_RAND = 0.761;
    static final double TARGET_P99_MILLIS = 20;

    @Option(names = "--data", defaultValue = "../shared/data/mr/mr.tsv") Path data;
    @Option(names = "--folds", defaultValue = "all", description = "all, or a list such as 0,1.") String folds;
    @Option(names = "--variants", split = ",", defaultValue = "rand,static,non-static,multichannel")
    List<String> variants;
    @Option(names = "--epochs", defaultValue = "25") int epochs;
    @Option(names = "--partitions", defaultValue = "2") int partitions;
    @Option(names = "--lines-per-record", defaultValue = "10") int linesPerRecord;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the pass shuffles.") long seed;
    @Option(names = "--corpus", defaultValue = "../shared/data/corpus/sotu-moby.tokens.txt",
            description = "What rill's skip-gram model learns the vectors from, with the MR sentences.")
    Path corpus;
    @Option(names = "--vector-dim", defaultValue = "300") int vectorDim;
    @Option(names = "--vector-passes", defaultValue = "3") int vectorPasses;
    @Option(names = "--vector-min-count", defaultValue = "1", description = "The skip-gram model's min-count: 1 gives "
            + "every MR word a vector (at 5, one pass, about 40% of them have one).")
    int vectorMinCount;
    @Option(names = "--load-rate", defaultValue = "200", description = "Requests/s while training (0: no such phase).")
    int loadRate;
    @Option(names = "--load-seconds", defaultValue = "20") int loadSeconds;
    @Option(names = "--peers", defaultValue = "first", description = "Run the reference first, last or skip.")
    String peers;
    @Option(names = "--peer-script", defaultValue = "../shared/bench/cnn-peer.py") Path peerScript;
    @Option(names = "--peer-threads", defaultValue = "2") int peerThreads;
    @Option(names = "--python", defaultValue = "/usr/bin/python3") String python;
    @Option(names = "--jvm-opts", defaultValue = "-Xmx4g -XX:+UseG1GC", description = "The node's.") String jvmOpts;
    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC") String brokerJvmOpts;
    @Option(names = "--timeout", defaultValue = "3600", description = "Seconds a fold's training, or a reference run, "
            + "may take.")
    int timeout;

    /** One fold of one side: accuracy on the held-out fold, training sentences/s. */
    record Fold(int fold, double accuracy, double sentencesPerSec, long trained, double seconds) {
    }

    record Side(String variant, List<Fold> folds, String note) {

        double mean() {
            return folds.stream().mapToDouble(Fold::accuracy).average().orElse(Double.NaN);
        }

        double rate() {
            return folds.stream().mapToDouble(Fold::sentencesPerSec).average().orElse(Double.NaN);
        }
    }

    record Load(double rate, Requests.Result client, double jmxP99, double jmxClassifyP99, long trainedMeanwhile,
                String load) {
    }

    record Result(List<Integer> folds, int epochs, int partitions, String vectors, int vectorDim, List<Side> rill,
                  List<Side> peers, Load load, List<String> overrides, String jvmOpts) {
    }

    public CnnBench() {
        super("cnn", Result.class, "Sentence-classifier benchmark", "Written by `load-tests/cnn-bench.sh` (see "
                + "load-tests/README.md). One section per invocation.");
    }

    public static void main(String[] args) {
        main(new CnnBench(), args);
    }

    @Override
    void validate() {
        requireJar();
        if (!List.of("first", "last", "skip").contains(peers) || epochs < 1 || partitions < 1 || variants.stream()
                .anyMatch(v -> !List.of("rand", "static", "non-static", "multichannel").contains(v))) {
            throw bad("--peers: first, last or skip; --epochs, --partitions positive; --variants of rand, static, "
                    + "non-static, multichannel");
        }
    }

    private List<Integer> foldList() {
        return folds.equals("all") ? java.util.stream.IntStream.range(0, 10).boxed().toList()
                : java.util.Arrays.stream(folds.split(",")).map(f -> Integer.parseInt(f.trim())).toList();
    }

    @Override
    Result measure() throws Exception {
        List<String[]> rows = Files.readAllLines(data, StandardCharsets.UTF_8).stream()
                .map(l -> l.split("\t", 3)).toList();
        Child.Broker broker = Child.broker(brokerJvmOpts, work.resolve("broker"), 0, work.resolve("broker.log"),
                Duration.ofSeconds(180));
        Path vectors = variants.stream().anyMatch(v -> !v.equals("rand")) ? vectors(broker, rows) : null;
        List<Side> peerSides = new ArrayList<>(peers.equals("first") ? peers(vectors) : List.of());
        List<Side> rillSides = new ArrayList<>();
        Load load = null;
        for (String variant : variants) {
            List<Fold> done = new ArrayList<>();
            for (int fold : foldList()) {
                boolean measureLoad = load == null && loadRate > 0;
                Object[] out = rillFold(broker, rows, variant, fold, vectors, measureLoad);
                done.add((Fold) out[0]);
                load = out[1] != null ? (Load) out[1] : load;
            }
            rillSides.add(new Side(variant, done, ""));
        }
        peerSides.addAll(peers.equals("last") ? peers(vectors) : List.of());
        broker.stop();
        return new Result(foldList(), epochs, partitions, vectors == null ? null : "rill skip-gram, " + vectorDim
                + " dimensions, min-count " + vectorMinCount + ", " + vectorPasses + " passes over the corpus and the MR "
                + "sentences", vectorDim,
                rillSides, peerSides, load, List.copyOf(overrides), jvmOpts);
    }

    /** rill's skip-gram model on the corpus and the MR sentences, its vectors exported as a binary word2vec file. */
    private Path vectors(Child.Broker broker, List<String[]> rows) throws Exception {
        Path dir = work.resolve("vectors");
        String topic = "bench.corpus";
        List<String> lines = new ArrayList<>(Files.readAllLines(corpus, StandardCharsets.UTF_8));
        rows.forEach(r -> lines.add(r[2]));
        Path topics = dir.resolve("topics");
        List<String> config = Node.base(dir.resolve("node"), broker.bootstrap(), "bench-cnn-" + UUID.randomUUID(),
                topics, topic, "words", topic + ".deadletter");
        config.addAll(List.of("rill.models.corpus { kind = skip-gram, topics = [" + Node.quote(topic) + "] }", "rill.lstm.enabled = false",
                "rill.classify.enabled = false", "rill.skipgram.dimension = " + vectorDim,
                "rill.skipgram.min-count = " + vectorMinCount));
        config.addAll(overrides);
        try (var admin = Kafka.admin(broker.bootstrap())) {
            Kafka.specs(topics, topic, partitions, topic + ".deadletter", null);
            Kafka.provision(admin, topics);
            List<String> order = Kafka.passes(lines, vectorPasses, new Random(seed));
            Kafka.produce(Kafka.producer(broker.bootstrap(), true), order.size(), i -> new ProducerRecord<>(topic,
                    order.get((int) i).getBytes(StandardCharsets.UTF_8)));
            Map<String, Long> ends = Kafka.ends(admin, Kafka.partitions(topic, partitions));
            try (Node node = Node.start("vectors", jvmOpts, rillJar, dir, config, Duration.ofSeconds(300))) {
                var bean = Node.name("rill:type=SkipGram,model=corpus");
                long[] last = {-1, System.nanoTime()};
                await("the corpus is learned", timeout, 1000, () -> {
                    long pairs = node.num(bean, "PairsTrained");
                    if (pairs != last[0]) {
                        last[0] = pairs;
                        last[1] = System.nanoTime();
                    }
                    return node.committed(ends) && since(last[1]) > 5;
                });
                Path file = dir.resolve("vectors.bin");
                System.out.println("[vectors] " + node.invoke(bean, "exportVectors", file.toString(), true));
                node.stop(Duration.ofSeconds(60));
                return file;
            }
        }
    }

    /** One variant and fold on a fresh node: its Fold, and the latency phase's Load when asked for. */
    private Object[] rillFold(Child.Broker broker, List<String[]> rows, String variant, int fold, Path vectors,
                              boolean measureLoad) throws Exception {
        String run = variant + "-" + fold;
        Path dir = work.resolve("rill-" + run);
        String topic = "bench.labelled." + run;
        List<String> train = rows.stream().filter(r -> Integer.parseInt(r[1]) != fold).map(r -> r[0] + "\t" + r[2])
                .toList();
        List<String[]> test = rows.stream().filter(r -> Integer.parseInt(r[1]) == fold).toList();
        Path topics = dir.resolve("topics");
        List<String> lines = Node.base(dir.resolve("node"), broker.bootstrap(), "bench-cnn-" + UUID.randomUUID(),
                topics, topic, "lines, batch-bytes = 65536", topic + ".deadletter");
        lines.addAll(List.of("rill.models." + MODEL + " { kind = kim-cnn, topics = [" + Node.quote(topic) + "] }",
                "rill.skipgram.enabled = false", "rill.lstm.enabled = false",
                "rill.classify.variant = " + Node.quote(variant),
                "rill.classify.held-out.every = 0", "rill.classify.progress.interval = 5s"));
        if (!variant.equals("rand")) {
            lines.addAll(List.of("rill.classify.vectors = " + Node.quote("file:" + vectors),
                    "rill.classify.vectors-binary = true"));
        }
        lines.addAll(overrides);
        var config = nodeConfig(lines);
        String requests = config.getString("rill.classification.requests-topic");
        String replies = config.getString("rill.classification.replies-topic");
        try (var admin = Kafka.admin(broker.bootstrap())) {
            Kafka.specs(topics, topic, partitions, topic + ".deadletter", null);
            Kafka.spec(topics, requests, 2, 86_400_000L);
            Kafka.spec(topics, replies, 1, 604_800_000L);
            Kafka.provision(admin, topics);
            produce(broker.bootstrap(), topic, Kafka.passes(train, epochs, new Random(seed + fold)));
            long expected = (long) train.size() * epochs;
            try (Node node = Node.start(run, jvmOpts, rillJar, dir, lines, Duration.ofSeconds(300));
                 Requests client = new Requests(broker.bootstrap(), requests, replies)) {
                var bean = Node.name("rill:type=Classifier,model=" + MODEL);
                double[] first = {-1, 0};
                double[] last = {-1, 0};
                await(run + " is trained", timeout, 250, () -> {
                    long trained = node.num(bean, "SentencesTrained");
                    if (trained > 0 && first[0] < 0) {
                        first[0] = node.age();
                        first[1] = trained;
                    }
                    if (trained > last[1]) {
                        last[0] = node.age();
                        last[1] = trained;
                    }
                    return trained >= expected;
                });
                double rate = (last[1] - first[1]) / (last[0] - first[0]);
                Requests.Result scored = client.run("test-" + run, test.size(), 0, id -> request(id,
                        test.get(Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)))[2]), 60);
                int correct = 0;
                for (Map.Entry<Integer, JsonNode> e : client.replies().entrySet()) {
                    correct += e.getValue().path("label").asText().equals(test.get(e.getKey())[0]) ? 1 : 0;
                }
                Fold result = new Fold(fold, (double) correct / test.size(), rate, (long) (last[1] - first[1]),
                        last[0] - first[0]);
                System.out.printf("[rill] %s: accuracy %.4f (%d of %d answered), %.0f training sentences/s%n", run,
                        result.accuracy(), scored.replies(), test.size(), rate);
                Load load = measureLoad ? load(broker, node, bean, client, topic, train, test, run) : null;
                node.stop(Duration.ofSeconds(60));
                return new Object[] {result, load};
            }
        }
    }

    /** More passes produced, then requests at --load-rate while the node trains them. */
    private Load load(Child.Broker broker, Node node, javax.management.ObjectName bean, Requests client, String topic,
                      List<String> train, List<String[]> test, String run) throws Exception {
        produce(broker.bootstrap(), topic, Kafka.passes(train, 2, new Random(seed + 99)));
        var classification = Node.name("rill:type=Classification");
        client.run("warm-" + run, loadRate * 2, loadRate, id -> request(id, test.get(0)[2]), 30);
        node.invoke(classification, "resetLatencies");
        long before = node.num(bean, "SentencesTrained");
        String load0 = Machine.loadAverages();
        int count = loadRate * loadSeconds;
        Requests.Result result = client.run("load-" + run, count, loadRate, id -> request(id,
                test.get(Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)) % test.size())[2]), 30);
        Map<String, Object> jmx = node.attrs(classification, "RequestLatencyP99Millis", "ClassifyLatencyP99Millis");
        long trained = node.num(bean, "SentencesTrained") - before;
        System.out.printf("[rill] %d requests/s while training: client p99 %.1f ms, %,d sentences trained meanwhile%n",
                loadRate, result.client().p99(), trained);
        return new Load(loadRate, result, Node.x(jmx, "RequestLatencyP99Millis"), Node.x(jmx,
                "ClassifyLatencyP99Millis"), trained, load0 + " -> " + Machine.loadAverages());
    }

    private void produce(String bootstrap, String topic, List<String> order) throws Exception {
        Kafka.produceLines(bootstrap, topic, order, linesPerRecord);
    }

    private static String request(String id, String text) {
        return Bench.JSON.createObjectNode().put("id", id).put("model", MODEL).put("text", text).toString();
    }

    private List<Side> peers(Path vectors) throws Exception {
        Pattern line = Pattern.compile("^fold (\\d+) .*accuracy ([0-9.]+) train sentences/s ([0-9.]+) wall ([0-9.]+)s");
        List<Side> sides = new ArrayList<>();
        for (String variant : variants) {
            List<String> command = new ArrayList<>(List.of(python, peerScript.toString(), "--mode",
                    variant.replace("-", ""), "--folds", folds, "--epochs", "" + epochs, "--threads", "" + peerThreads,
                    "--data", data.toString()));
            if (!variant.equals("rand")) {
                command.addAll(List.of("--vectors", vectors.toString(), "--binary"));
            }
            Child.Sampled s = Child.sample("reference " + variant, command, Map.of(), work.resolve("peer-" + variant
                    + ".log"), timeout, cmd -> "python");
            List<Fold> found = new ArrayList<>();
            for (String l : s.output()) {
                Matcher m = line.matcher(l.trim());
                if (m.find()) {
                    found.add(new Fold(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)),
                            Double.parseDouble(m.group(3)), 0, Double.parseDouble(m.group(4))));
                }
            }
            if (found.isEmpty()) {
                throw new IllegalStateException("cnn-peer.py printed no fold line: " + s.output());
            }
            sides.add(new Side(variant, found, s.output().stream().filter(l -> l.startsWith("vectors:")).findFirst()
                    .orElse("")));
        }
        return sides;
    }

    @Override
    void render(Report md, Result r) {
        md.h3("Accuracy and training rate by variant and fold");
        List<List<String>> rows = new ArrayList<>();
        for (Side rill : r.rill()) {
            Side peer = r.peers().stream().filter(p -> p.variant().equals(rill.variant())).findFirst().orElse(null);
            for (Fold f : rill.folds()) {
                Fold p = peer == null ? null : peer.folds().stream().filter(q -> q.fold() == f.fold()).findFirst()
                        .orElse(null);
                rows.add(List.of(rill.variant(), "" + f.fold(), Report.d(100 * f.accuracy(), 1),
                        p == null ? "n/a" : Report.d(100 * p.accuracy(), 1), Report.n(f.sentencesPerSec()),
                        p == null ? "n/a" : Report.n(p.sentencesPerSec())));
            }
            rows.add(List.of("**" + rill.variant() + " mean**", "", Report.d(100 * rill.mean(), 2),
                    peer == null ? "n/a" : Report.d(100 * peer.mean(), 2), Report.n(rill.rate()),
                    peer == null ? "n/a" : Report.n(peer.rate())));
        }
        md.table(List.of("variant", ">fold", ">rill accuracy %", ">reference accuracy %", ">rill train sentences/s",
                ">reference train sentences/s"), rows);
        md.para("**Targets** (from the issue):");
        Side rand = r.rill().stream().filter(s -> s.variant().equals("rand")).findFirst().orElse(null);
        md.bullet("CNN-rand mean >= %.1f over 10 folds: %s", 100 * TARGET_RAND, rand == null ? "n/a" : Report.f(
                "%.2f over %d folds, %s", 100 * rand.mean(), rand.folds().size(), rand.folds().size() < 10 ? "n/a (not"
                        + " 10 folds)" : rand.mean() >= TARGET_RAND ? "met" : "NOT met"));
        for (Side rill : r.rill()) {
            r.peers().stream().filter(p -> p.variant().equals(rill.variant())).findFirst().ifPresent(p -> md.bullet(
                    "%s within 1.0 point of the reference: %+.2f points, %s; sentences/s %.2fx the reference, %s",
                    rill.variant(), 100 * (rill.mean() - p.mean()), Math.abs(rill.mean() - p.mean()) <= 0.01 ? "met"
                            : "NOT met", rill.rate() / p.rate(), rill.rate() >= p.rate() ? "met" : "NOT met"));
        }
        Load l = r.load();
        md.bullet("classification p99 <= %.0f ms at %s requests/s while training: %s", TARGET_P99_MILLIS,
                l == null ? "n/a" : Report.n(l.rate()), l == null ? "n/a (no load phase)" : Report.f(
                        "client p99 %.1f ms (rill JMX request p99 %.1f ms, classifying alone %.1f ms), %,d answered, "
                                + "%,d unanswered, %,d sentences trained meanwhile; %s", l.client().client().p99(),
                        l.jmxP99(), l.jmxClassifyP99(), l.client().replies(), l.client().unanswered(),
                        l.trainedMeanwhile(), l.client().client().p99() <= TARGET_P99_MILLIS
                                && l.client().unanswered() == 0 ? "met" : "NOT met")).end();
        md.h3("Setup")
                .bullet("Folds %s of MR's fixed 10-fold split; %d epochs on both sides (rill: the other nine folds "
                        + "produced %d times, each pass shuffled, %d lines a record, into a topic of %d partitions; "
                        + "held-out off; the held-out fold classified through requests over Kafka).", r.folds(),
                        r.epochs(), r.epochs(), linesPerRecord, r.partitions())
                .bullet("Vectors for the pre-trained variants, both sides: %s.", r.vectors() == null ? "none"
                        : r.vectors())
                .bullet("rill's nodes: `java %s -jar rill.jar run -c <file>`, one fresh node per variant and fold; "
                        + "`--set`: %s.", r.jvmOpts(), r.overrides().isEmpty() ? "none" : "`" + String.join("`, `",
                        r.overrides()) + "`");
        for (Side p : r.peers()) {
            md.bullet("Reference %s: %s", p.variant(), p.note().isEmpty() ? "random vectors" : p.note());
        }
        md.end();
    }
}
