package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.translate.AttentionPicture;
import io.rill.translate.Bleu;
import io.rill.translate.SentenceTokens;
import io.rill.translate.TranslatedSentence;
import io.rill.translate.TranslationJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The attention-translator benchmark: the train side of the English-French pairs produced to a node child, pass after
 * pass, against the PyTorch reference ({@code attention-peer.py}, run through {@code load-tests/attention-maps.py},
 * which adds its map figure) for as many epochs. After each pass, once the node has trained it (its JMX count), every
 * test English sentence is translated through requests over Kafka and scored by rill's corpus BLEU-4 with every French
 * translation of it as a reference; after the last, with beam search too, how often a token found once on each side
 * has its strongest weight on itself, three maps drawn as SVG, and the request latency while the node trains.
 */
@Command(name = "attention-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Train rill's attention translator through Kafka and the PyTorch reference on the same pairs; "
                + "print and record BLEU-4, pairs/s, the maps' agreement and request latency under training.")
public final class AttentionBench extends Bench<AttentionBench.Result> {

    static final String MODEL = "en-fr";
    static final ObjectName TRANSLATOR = Node.name("rill:type=Translator,model=" + MODEL);
    static final ObjectName TRANSLATION = Node.name("rill:type=Translation");
    static final double TARGET_P99_MILLIS = 50;

    @Option(names = "--data", defaultValue = "../shared/data/translation/eng-fra.tsv") Path data;
    @Option(names = "--passes", defaultValue = "10") int passes;
    @Option(names = "--test-sentences", defaultValue = "0", description = "Score the first N test sentences (0: all).")
    int testSentences;
    @Option(names = "--beam", defaultValue = "5", description = "Beam width scored after the last pass.") int beam;
    @Option(names = "--max-length", defaultValue = "20", description = "Target words at most (the reference's 20).")
    int maxLength;
    @Option(names = "--partitions", defaultValue = "1", description = "One stream makes batches of 32 as the "
            + "reference does; more cut the end of every pass into several short batches.")
    int partitions;
    @Option(names = "--lines-per-record", defaultValue = "8") int linesPerRecord;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the pass shuffles.") long seed;
    @Option(names = "--maps", split = "\\|", defaultValue = "tom is in boston .|i am cold .|i'm fat, too.",
            description = "Sentences whose maps are drawn (SVG beside the report); the first is the reference's --map.")
    List<String> maps;
    @Option(names = "--load-rate", defaultValue = "50", description = "Requests/s while training (0: no such phase).")
    int loadRate;
    @Option(names = "--load-seconds", defaultValue = "20") int loadSeconds;
    @Option(names = "--peers", defaultValue = "first", description = "Run the reference first, last or skip.")
    String peers;
    @Option(names = "--peer-script", defaultValue = "../shared/bench/attention-peer.py") Path peerScript;
    @Option(names = "--peer-maps", defaultValue = "load-tests/attention-maps.py") Path peerMaps;
    @Option(names = "--peer-threads", defaultValue = "2") int peerThreads;
    @Option(names = "--python", defaultValue = "/usr/bin/python3") String python;
    @Option(names = "--jvm-opts", defaultValue = "-Xmx2g -XX:+UseG1GC", description = "The node's.") String jvmOpts;
    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC") String brokerJvmOpts;
    @Option(names = "--timeout", defaultValue = "3600", description = "Seconds a pass, or the reference, may take.")
    int timeout;

    /** One pass (epoch): test BLEU-4 after it (greedy), its training rate and loss. */
    record Pass(int pass, double bleu, double pairsPerSec, double loss, double seconds) {
    }

    /** One side: its passes, beam BLEU-4 after the last (NaN: none), the maps' agreement, and what it printed. */
    record Side(List<Pass> passes, double beamBleu, long agree, long once, List<String> notes) {

        double share() {
            return once == 0 ? Double.NaN : (double) agree / once;
        }

        double rate() {
            return passes.stream().mapToDouble(Pass::pairsPerSec).average().orElse(Double.NaN);
        }

        double last() {
            return passes.isEmpty() ? Double.NaN : passes.get(passes.size() - 1).bleu();
        }
    }

    record Load(double rate, int beam, Requests.Result client, double jmxP99, double jmxDecodingP99,
                long trainedMeanwhile, String load) {
    }

    record Result(int passes, int trainPairs, int testSentences, Side rill, Side peer, Load load, List<String> pictures,
                  Map<String, String> jmx, List<String> overrides, String jvmOpts) {
    }

    public AttentionBench() {
        super("attention", Result.class, "Attention-translator benchmark", "Written by `load-tests/attention-bench.sh` "
                + "(see load-tests/README.md). One section per invocation.");
    }

    public static void main(String[] args) {
        main(new AttentionBench(), args);
    }

    @Override
    void validate() {
        requireJar();
        if (!List.of("first", "last", "skip").contains(peers) || passes < 1 || partitions < 1 || beam < 1
                || maps.isEmpty()) {
            throw bad("--peers: first, last or skip; --passes, --partitions, --beam positive; --maps not empty");
        }
    }

    @Override
    Result measure() throws Exception {
        List<String> train = new ArrayList<>();
        Map<List<String>, List<List<String>>> references = new LinkedHashMap<>();
        for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", 4);
            if (f[0].equals("train")) {
                train.add(f[1] + "\t" + f[2]);
            } else {
                references.computeIfAbsent(SentenceTokens.of(f[1]), s -> new ArrayList<>()).add(SentenceTokens.of(f[2]));
            }
        }
        List<List<String>> tests = new ArrayList<>(references.keySet());
        tests = testSentences > 0 ? tests.subList(0, Math.min(testSentences, tests.size())) : tests;
        Side peer = peers.equals("first") ? peer() : null;
        Child.Broker broker = Child.broker(brokerJvmOpts, work.resolve("broker"), 0, work.resolve("broker.log"),
                Duration.ofSeconds(180));
        Object[] rill = rill(broker, train, tests, references);
        broker.stop();
        peer = peers.equals("last") ? peer() : peer;
        @SuppressWarnings("unchecked")
        Map<String, String> jmx = (Map<String, String>) rill[3];
        @SuppressWarnings("unchecked")
        List<String> pictures = (List<String>) rill[2];
        return new Result(passes, train.size(), tests.size(), (Side) rill[0], peer, (Load) rill[1], pictures, jmx,
                List.copyOf(overrides), jvmOpts);
    }

    /** rill's side on one node: its Side, the Load (or null), the pictures' file names and the model's JMX figures. */
    private Object[] rill(Child.Broker broker, List<String> train, List<List<String>> tests,
                          Map<List<String>, List<List<String>>> references) throws Exception {
        Path dir = work.resolve("rill");
        String topic = "bench.parallel";
        Path topics = dir.resolve("topics");
        List<String> lines = Node.base(dir.resolve("node"), broker.bootstrap(), "bench-attention-" + UUID.randomUUID(),
                topics, topic, "lines, batch-bytes = 16384", topic + ".deadletter");
        // Held-out and progress off: every train pair is trained, as the reference trains them, and no decoding takes
        // CPU from training. A short batch timeout: the tail of a pass waits 200 ms for company, not 2 s.
        lines.addAll(List.of("rill.models." + MODEL + " { kind = attention, topics = [" + Node.quote(topic) + "] }",
                "rill.skipgram.enabled = false", "rill.lstm.enabled = false", "rill.classify.enabled = false",
                "rill.translate.held-out.every = 0", "rill.translate.progress.every-steps = 0",
                "rill.translate.batch-timeout = 200ms"));
        lines.addAll(overrides);
        var config = nodeConfig(lines);
        String requests = config.getString("rill.translation.requests-topic");
        try (var admin = Kafka.admin(broker.bootstrap())) {
            Kafka.specs(topics, topic, partitions, topic + ".deadletter", null);
            Kafka.spec(topics, requests, 2, 86_400_000L);
            Kafka.spec(topics, config.getString("rill.translation.replies-topic"), 1, 604_800_000L);
            Kafka.provision(admin, topics);
        }
        try (Node node = Node.start("rill", jvmOpts, rillJar, dir, lines, Duration.ofSeconds(300));
             Requests client = new Requests(broker.bootstrap(), requests,
                     config.getString("rill.translation.replies-topic"))) {
            List<Pass> done = new ArrayList<>();
            Map<Integer, JsonNode> greedy = Map.of();
            for (int pass = 1; pass <= passes; pass++) {
                long start = System.nanoTime();
                Kafka.produceLines(broker.bootstrap(), topic, Kafka.passes(train, 1, new Random(seed + pass)),
                        linesPerRecord);
                long expected = (long) pass * train.size();
                await("pass " + pass + " is trained", timeout, 100, () -> node.num(TRANSLATOR, "PairsTrained")
                        + node.num(TRANSLATOR, "LinesRejected") >= expected);
                double seconds = since(start);
                settle(node);
                greedy = translate(client, "greedy-" + pass, tests, 1);
                double bleu = bleu(greedy, tests, references);
                double loss = ((Number) node.attr(TRANSLATOR, "TrainingLoss")).doubleValue();
                done.add(new Pass(pass, bleu, train.size() / seconds, loss, seconds));
                System.out.printf("[rill] pass %d: %.1f s, %.0f pairs/s, loss %.4f, test BLEU-4 %.2f (greedy)%n", pass,
                        seconds, train.size() / seconds, loss, bleu);
            }
            double beamBleu = bleu(translate(client, "beam", tests, beam), tests, references);
            long[] agreement = agreement(greedy.values());
            System.out.printf("[rill] beam %d BLEU-4 %.2f; maps agree on once-each tokens: %d of %d%n", beam,
                    beamBleu, agreement[0], agreement[1]);
            List<String> notes = new ArrayList<>();
            List<String> pictures = pictures(client, notes);
            Map<String, String> jmx = new java.util.TreeMap<>();
            node.attrs(TRANSLATOR, "Version", "PairsTrained", "Steps", "StepMillis", "StalenessP99",
                    "StaleGradientsRefused", "LinesRejected", "SourceVocabularySize", "TargetVocabularySize")
                    .forEach((k, v) -> jmx.put(k, v instanceof Double d ? Report.d(d, 1) : String.valueOf(v)));
            Load load = loadRate > 0 ? load(broker, node, client, topic, train, tests) : null;
            node.stop(Duration.ofSeconds(60));
            return new Object[] {new Side(done, beamBleu, agreement[0], agreement[1], notes), load, pictures, jmx};
        }
    }

    /** Waits until the parameter version has stood still for 1 s and translators have taken a fresh copy. */
    private static void settle(Node node) throws Exception {
        long[] last = {-1, System.nanoTime()};
        await("the model settles", 60, 100, () -> {
            long version = node.num(TRANSLATOR, "Version");
            if (version != last[0]) {
                last[0] = version;
                last[1] = System.nanoTime();
            }
            return since(last[1]) > 1.0;
        });
    }

    private Map<Integer, JsonNode> translate(Requests client, String name, List<List<String>> sentences, int width)
            throws Exception {
        Requests.Result r = client.run(name, sentences.size(), 0, id -> request(id,
                String.join(" ", sentences.get(index(id))), width), 120);
        if (r.replies() != sentences.size()) {
            System.out.printf("  %s: %d of %d answered, errors %s%n", name, r.replies(), sentences.size(),
                    r.errorCodes());
        }
        return client.replies();
    }

    private static int index(String id) {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    private String request(String id, String text, int width) {
        return Bench.JSON.createObjectNode().put("id", id).put("model", MODEL).put("text", text).put("beam", width)
                .put("maxLength", maxLength).toString();
    }

    /** Corpus BLEU-4 by rill's own {@link Bleu}; a sentence without a reply counts as an empty translation. */
    private static double bleu(Map<Integer, JsonNode> replies, List<List<String>> tests,
                               Map<List<String>, List<List<String>>> references) {
        Bleu bleu = new Bleu();
        for (int i = 0; i < tests.size(); i++) {
            JsonNode reply = replies.get(i);
            List<String> words = new ArrayList<>();
            if (reply != null) {
                reply.path("targetTokens").forEach(w -> words.add(w.asText()));
            }
            bleu.add(words, references.get(tests.get(i)));
        }
        return bleu.score();
    }

    /** Of the target tokens found once in the source and once in the translation, those whose strongest weight is on
     *  that source token (ties to the first); {agreeing, all}. */
    private static long[] agreement(Iterable<JsonNode> replies) {
        long agree = 0;
        long once = 0;
        for (JsonNode reply : replies) {
            if (!reply.path("type").asText().equals("reply")) {
                continue;
            }
            TranslatedSentence t = TranslationJson.sentence(reply);
            for (int i = 0; i < t.targetTokens().size(); i++) {
                String word = t.targetTokens().get(i);
                if (Collections.frequency(t.targetTokens(), word) != 1
                        || Collections.frequency(t.sourceTokens(), word) != 1) {
                    continue;
                }
                double[] row = t.attention()[i];
                int strongest = 0;
                for (int j = 1; j < row.length; j++) {
                    strongest = row[j] > row[strongest] ? j : strongest;
                }
                once++;
                agree += strongest == t.sourceTokens().indexOf(word) ? 1 : 0;
            }
        }
        return new long[] {agree, once};
    }

    /** The --maps sentences translated greedily; each map printed as a grid and, unless --no-report, drawn as SVG. */
    private List<String> pictures(Requests client, List<String> notes) throws Exception {
        client.run("map", maps.size(), 0, id -> request(id, maps.get(index(id)), 1), 60);
        String prefix = "attention-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        List<String> files = new ArrayList<>();
        for (Map.Entry<Integer, JsonNode> e : client.replies().entrySet()) {
            if (!e.getValue().path("type").asText().equals("reply")) {
                continue;
            }
            TranslatedSentence t = TranslationJson.sentence(e.getValue());
            String grid = AttentionPicture.grid(t, true);
            System.out.print(grid);
            notes.add(String.join(" ", t.sourceTokens()) + " -> " + t.text() + "\n" + grid);
            if (!noReport) {
                String file = prefix + "-" + (e.getKey() + 1) + ".svg";
                Files.writeString(Files.createDirectories(results).resolve(file), AttentionPicture.svg(t, null));
                files.add(file);
            }
        }
        return files;
    }

    /** Two more passes produced, then beam requests at --load-rate while the node trains them. */
    private Load load(Child.Broker broker, Node node, Requests client, String topic, List<String> train,
                      List<List<String>> tests) throws Exception {
        Kafka.produceLines(broker.bootstrap(), topic, Kafka.passes(train, 2, new Random(seed + 99)), linesPerRecord);
        client.run("warm", loadRate * 2, loadRate, id -> request(id, String.join(" ", tests.get(0)), beam), 30);
        node.invoke(TRANSLATION, "resetLatencies");
        long before = node.num(TRANSLATOR, "PairsTrained");
        String load0 = Machine.loadAverages();
        Requests.Result result = client.run("load", loadRate * loadSeconds, loadRate, id -> request(id,
                String.join(" ", tests.get(index(id) % tests.size())), beam), 30);
        Map<String, Object> jmx = node.attrs(TRANSLATION, "RequestLatencyP99Millis", "DecodingLatencyP99Millis");
        long trained = node.num(TRANSLATOR, "PairsTrained") - before;
        System.out.printf("[rill] %d requests/s while training: client p99 %.1f ms, %,d pairs trained meanwhile%n",
                loadRate, result.client().p99(), trained);
        return new Load(loadRate, beam, result, Node.x(jmx, "RequestLatencyP99Millis"),
                Node.x(jmx, "DecodingLatencyP99Millis"), trained, load0 + " -> " + Machine.loadAverages());
    }

    /** The reference through attention-maps.py (which runs it as it is and adds the maps' agreement). */
    private Side peer() throws Exception {
        Pattern epoch = Pattern.compile("^epoch (\\d+): loss ([0-9.]+), ([0-9.]+) pairs/s, test BLEU-4 ([0-9.]+)");
        Pattern agree = Pattern.compile("^maps agree on once-each tokens: (\\d+) of (\\d+)");
        List<String> command = List.of(python, peerMaps.toString(), "--peer", peerScript.toString(), "--data",
                data.toString(), "--epochs", "" + passes, "--threads", "" + peerThreads, "--map", maps.get(0),
                "--seed", "" + seed);
        Child.Sampled s = Child.sample("reference", command, Map.of(), work.resolve("peer.log"), timeout,
                cmd -> "python");
        List<Pass> found = new ArrayList<>();
        long[] agreement = {0, 0};
        List<String> notes = new ArrayList<>();
        for (String l : s.output()) {
            Matcher m = epoch.matcher(l.trim());
            Matcher a = agree.matcher(l.trim());
            if (m.find()) {
                found.add(new Pass(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(4)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(2)), Double.NaN));
            } else if (a.find()) {
                agreement = new long[] {Long.parseLong(a.group(1)), Long.parseLong(a.group(2))};
            } else if (!notes.isEmpty() || l.startsWith("attention map of:")) {
                notes.add(l);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("attention-peer.py printed no epoch line: " + s.output());
        }
        return new Side(found, Double.NaN, agreement[0], agreement[1], List.of(String.join("\n", notes)));
    }

    @Override
    void render(Report md, Result r) {
        Side rill = r.rill();
        Side peer = r.peer();
        md.h3("Test BLEU-4 and training rate by pass");
        List<List<String>> rows = new ArrayList<>();
        for (Pass p : rill.passes()) {
            Pass q = peer == null ? null : peer.passes().stream().filter(x -> x.pass() == p.pass()).findFirst()
                    .orElse(null);
            rows.add(List.of("" + p.pass(), Report.d(p.bleu(), 2), q == null ? "n/a" : Report.d(q.bleu(), 2),
                    Report.n(p.pairsPerSec()), q == null ? "n/a" : Report.n(q.pairsPerSec()), Report.d(p.loss(), 4),
                    q == null ? "n/a" : Report.d(q.loss(), 4)));
        }
        rows.add(List.of("**mean**", "", "", Report.n(rill.rate()), peer == null ? "n/a" : Report.n(peer.rate()), "",
                ""));
        md.table(List.of(">pass", ">rill BLEU-4 (greedy)", ">reference BLEU-4", ">rill pairs/s", ">reference pairs/s",
                ">rill loss", ">reference loss"), rows);
        md.para("After the last pass, rill with beam %d: BLEU-4 **%s** (greedy %s). Maps: of the target tokens found "
                        + "once in the source and once in the translation, the share whose strongest weight is on that "
                        + "source token: rill %s (%d of %d), reference %s.", beam,
                Report.d(rill.beamBleu(), 2), Report.d(rill.last(), 2), pct(rill.share()), rill.agree(), rill.once(),
                peer == null ? "n/a" : Report.f("%s (%d of %d)", pct(peer.share()), peer.agree(), peer.once()));
        md.para("**Targets** (from the issue):");
        md.bullet("BLEU-4 within 1.0 point of the reference's at the same passes, greedy: %s", peer == null ? "n/a"
                : Report.f("%+.2f points after pass %d, %s", rill.last() - peer.last(), rill.passes().size(),
                Math.abs(rill.last() - peer.last()) <= 1.0 ? "met" : "NOT met"));
        md.bullet("beam above greedy: %s", rill.beamBleu() > rill.last() ? "met" : "NOT met");
        md.bullet("training pairs/s >= 1.0x the reference (ambition 1.5x): %s", peer == null ? "n/a" : Report.f(
                "%.2fx, %s", rill.rate() / peer.rate(), rill.rate() >= peer.rate() ? "met" : "NOT met"));
        Load l = r.load();
        md.bullet("request p99 <= %.0f ms at 50 requests/s while training: %s", TARGET_P99_MILLIS, l == null
                ? "n/a (no load phase)" : Report.f("at %s requests/s, beam %d: client p99 %.1f ms (rill JMX request "
                        + "p99 %.1f ms, decoding alone %.1f ms), %,d answered, %,d unanswered, %,d pairs trained "
                        + "meanwhile; load %s; %s", Report.n(l.rate()), l.beam(), l.client().client().p99(), l.jmxP99(),
                l.jmxDecodingP99(), l.client().replies(), l.client().unanswered(), l.trainedMeanwhile(), l.load(),
                l.client().client().p99() <= TARGET_P99_MILLIS && l.client().unanswered() == 0 ? "met" : "NOT met"));
        md.bullet("maps meaningful >= 90%% (ambition): rill %s, reference %s", pct(rill.share()),
                peer == null ? "n/a" : pct(peer.share())).end();
        md.h3("Maps");
        if (!r.pictures().isEmpty()) {
            md.para("rill's, as SVG: %s.", String.join(", ", r.pictures().stream().map(f -> "`" + f + "`").toList()));
        }
        md.code(rill.notes());
        if (peer != null && !peer.notes().isEmpty()) {
            md.para("The reference's map, as it printed it:").code(peer.notes());
        }
        md.h3("Setup")
                .bullet("%,d train pairs in %d passes, each shuffled, %d lines a record, into a topic of %d "
                        + "partitions, each pass produced once the one before was trained; %,d test sentences (every "
                        + "French translation a reference) translated through requests over Kafka after each pass, at "
                        + "most %d words; the reference: %d epochs on the same pairs, %d threads.", r.trainPairs(),
                        r.passes(), linesPerRecord, partitions, r.testSentences(), maxLength, r.passes(), peerThreads)
                .bullet("rill's pairs/s: a pass's pairs over the time from its first record produced to its last pair "
                        + "trained (`PairsTrained`); the reference's: its own per-epoch figure.")
                .bullet("rill's model at the end: %s.", Report.settings(r.jmx()))
                .bullet("rill's node: `java %s -jar rill.jar run -c <file>`; `--set`: %s.", r.jvmOpts(),
                        r.overrides().isEmpty() ? "none" : "`" + String.join("`, `", r.overrides()) + "`").end();
    }

    private static String pct(double share) {
        return Double.isNaN(share) ? "n/a" : Report.f("%.1f%%", 100 * share);
    }
}
