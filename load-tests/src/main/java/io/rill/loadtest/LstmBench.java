package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The character-model benchmark: rill's LSTM, fed names through Kafka, against the PyTorch reference
 * ({@code lstm-peer.py}) with the same hyper-parameters, one after the other; then rill's generation latency while
 * the same node keeps training. rill's node and broker are child JVMs; every pass is produced before the node starts,
 * so what is timed is the learner. Training is read from {@code rill:type=CharModel,model=names}, the held-out loss
 * from the model's progress stream on the replies topic, names and latencies through generation requests over Kafka.
 */
@Command(name = "lstm-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Train the character LSTM on names with rill (through Kafka) and with the PyTorch reference; "
                + "measure rill's generation latency under training; print and record chars/s, NLL and latencies.")
public final class LstmBench extends Bench<LstmBench.Result> {

    static final String MODEL = "names";
    static final double TARGET_NLL = 1.92;
    static final double TARGET_P99_MILLIS = 50;

    @Option(names = "--train", defaultValue = "../shared/data/names/train.txt") Path train;
    @Option(names = "--test", description = "Not used by rill (its NLL is on its held-out names; see the README); "
            + "the reference reads the shared test names next to its script. Accepted for old command lines.")
    Path test;
    @Option(names = "--passes", defaultValue = "20") int passes;
    @Option(names = "--emb", defaultValue = "64") int embedding;
    @Option(names = "--hidden", defaultValue = "256") int hidden;
    @Option(names = "--bptt", defaultValue = "64") int bptt;
    @Option(names = "--lanes", defaultValue = "16", description = "Lanes per stream; the reference's batch is lanes x "
            + "partitions.")
    int lanes;
    @Option(names = "--partitions", defaultValue = "2") int partitions;
    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam's learning rate.") double lr;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the pass shuffles.") long seed;
    @Option(names = "--partitioning", defaultValue = "round-robin", description = "round-robin or kafka (no key).")
    String partitioning;
    @Option(names = "--nll-every", defaultValue = "5", description = "rill's held-out NLL every this many passes.")
    int nllEvery;
    @Option(names = "--samples", defaultValue = "20", description = "Names sampled from rill's final model.")
    int samples;
    @Option(names = "--sample-temperature", defaultValue = "0.8") double sampleTemperature;
    @Option(names = "--gen-rates", split = ",", defaultValue = "100,1000", description = "Requests/s per scenario; "
            + "empty: no generation phase.")
    List<String> genRates;
    @Option(names = "--gen-seconds", defaultValue = "20") int genSeconds;
    @Option(names = "--gen-warmup", defaultValue = "5", description = "Seconds at the first rate, not counted.")
    int genWarmup;
    @Option(names = "--gen-drain", defaultValue = "30", description = "Seconds to wait for the last replies.")
    int genDrain;
    @Option(names = "--gen-count", defaultValue = "1", description = "Samples per request.") int genCount;
    @Option(names = "--gen-temperature", defaultValue = "0.8") double genTemperature;
    @Option(names = "--settle", defaultValue = "10", description = "When the characters rill can train are not known "
            + "(held-out on), training is over once the count stood still this long.")
    int settle;
    @Option(names = "--peers", defaultValue = "first", description = "Run the reference first, last or skip.")
    String peers;
    @Option(names = "--peer-script", defaultValue = "../shared/bench/lstm-peer.py") Path peerScript;
    @Option(names = "--peer-threads", split = ",", defaultValue = "2", description = "One reference run each.")
    List<Integer> peerThreads;
    @Option(names = "--peer-passes", description = "Passes of the reference (default: --passes).") Integer peerPasses;
    @Option(names = "--python", defaultValue = "/usr/bin/python3") String python;
    @Option(names = "--topic", defaultValue = "bench.names") String topic;
    @Option(names = "--jvm-opts", defaultValue = "-Xmx4g -XX:+UseG1GC", description = "The node's.")
    String jvmOpts;
    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC") String brokerJvmOpts;
    @Option(names = "--timeout", defaultValue = "1800", description = "Seconds training, and each reference, may take.")
    int timeout;

    record Pass(int pass, double charsPerSec, double nll) {
    }

    record Peer(int threads, List<String> command, List<Pass> passes, List<String> lines, double seconds,
                long peakRss, double cpu, String loadStart, String loadEnd) {

        Pass last() {
            return passes.get(passes.size() - 1);
        }
    }

    /** A message of the model's progress stream. */
    record Progress(long version, long characters, double heldOutLoss) {
    }

    record Sample(String text, boolean fresh, boolean ended) {
    }

    /** One generation scenario: the client's view, and the node's meanwhile. */
    record Scenario(Requests.Result client, double trainCharsPerSec, long trainSteps, double trainStepMillis,
                    double nodeCores, String load, Map<String, Object> jmx) {
    }

    /** The rill run; times are seconds after the node's process started. */
    record Rill(Map<String, String> settings, int names, long charsPerPass, long records, String split,
                double produceSeconds, long expected, String ending, double up, double firstIn, double firstStep,
                double lastStep, long chars, long charsAtFirstStep, long stepsAtFirstStep, Map<String, Object> model,
                long rss, long peak, long heapUsed, Cpu.Phase cpu, double trainedPerPass, List<Progress> progress,
                List<Sample> samples, int maxLength, String loadStart, String loadEnd, int backlogPasses,
                double backlogSeconds, Requests.Result warmup, List<Scenario> scenarios, long genPeakRss) {
    }

    record Result(String train, int passes, int partitions, int lanes, int embedding, int hidden, int bptt, double lr,
                  int peerPasses, List<String> overrides, String jvmOpts, String brokerJvmOpts, int nllEvery,
                  double sampleTemperature, int genCount, double genTemperature, List<Peer> peers, Rill rill) {
    }

    public LstmBench() {
        super("lstm", Result.class, "Character-model benchmark", "Written by `load-tests/lstm-bench.sh` (see "
                + "load-tests/README.md for what is measured and how). One section per invocation. MiB = 2^20 bytes.");
    }

    public static void main(String[] args) {
        main(new LstmBench(), args);
    }

    private List<Integer> rates() {
        return genRates.stream().filter(r -> !r.isBlank()).map(r -> Integer.parseInt(r.trim())).toList();
    }

    @Override
    void validate() {
        requireJar();
        if (!List.of("first", "last", "skip").contains(peers) || !List.of("round-robin", "kafka").contains(partitioning)
                || passes < 1 || partitions < 1 || lanes < 1 || rates().stream().anyMatch(r -> r < 1 || r > 100_000)) {
            throw bad("--peers: first, last or skip; --partitioning: round-robin or kafka; --passes, --partitions, "
                    + "--lanes positive; --gen-rates 1..100000");
        }
    }

    @Override
    Result measure() throws Exception {
        List<Peer> peerRuns = new ArrayList<>(peers.equals("first") ? peers() : List.of());
        Rill rill = rill(work.resolve("rill"));
        peerRuns.addAll(peers.equals("last") ? peers() : List.of());
        return new Result(train.toString(), passes, partitions, lanes, embedding, hidden, bptt, lr,
                peerPasses != null ? peerPasses : passes, List.copyOf(overrides), jvmOpts, brokerJvmOpts, nllEvery,
                sampleTemperature, genCount, genTemperature, peerRuns, rill);
    }

    private List<Peer> peers() throws Exception {
        Pattern line = Pattern.compile("^pass (\\d+): ([0-9.]+) chars/s, test NLL ([0-9.]+|nan|inf) nats/char");
        List<Peer> runs = new ArrayList<>();
        for (int threads : peerThreads) {
            List<String> command = List.of(python, peerScript.toString(), "--hidden", "" + hidden, "--emb",
                    "" + embedding, "--batch", "" + lanes * partitions, "--bptt", "" + bptt, "--passes",
                    "" + (peerPasses != null ? peerPasses : passes), "--lr", "" + lr, "--threads", "" + threads);
            Child.Sampled s = Child.sample("reference, " + threads + " thread(s)", command, Map.of(),
                    work.resolve("peer-" + threads + ".log"), timeout, cmd -> "python");
            List<Pass> found = new ArrayList<>();
            for (String l : s.output()) {
                Matcher m = line.matcher(l.trim());
                if (m.find()) {
                    found.add(new Pass(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)),
                            m.group(3).equals("nan") ? Double.NaN : m.group(3).equals("inf")
                                    ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(3))));
                }
            }
            if (found.isEmpty()) {
                throw new IllegalStateException("lstm-peer.py printed no pass line: " + s.output());
            }
            runs.add(new Peer(threads, command, found, s.output(), s.seconds(), s.peakRss().getOrDefault("python", -1L),
                    s.cpu().getOrDefault("python", -1.0), s.loadAtStart(), s.loadAtEnd()));
        }
        return runs;
    }

    private Rill rill(Path dir) throws Exception {
        String loadStart = Machine.loadAverages();
        List<String> names = Files.readAllLines(train).stream().filter(l -> !l.isEmpty()).toList();
        long charsPerPass = names.stream().mapToLong(n -> n.codePointCount(0, n.length()) + 1).sum();
        Child.Broker broker = Child.broker(brokerJvmOpts, dir.resolve("broker"), 0, dir.resolve("broker.log"),
                Duration.ofSeconds(180));
        Path topics = dir.resolve("topics");
        List<String> lines = Node.base(dir.resolve("node"), broker.bootstrap(), "bench-lstm-" + UUID.randomUUID(), topics,
                topic, "characters, batch-bytes = 65536", topic + ".deadletter");
        lines.addAll(List.of("rill.lstm.models = [{name = " + MODEL + ", topics = [" + Node.quote(topic) + "], sequences = line}]",
                "rill.skipgram.enabled = false", "rill.lstm.enabled = true", "rill.generate.enabled = true",
                "rill.lstm.embedding-size = " + embedding, "rill.lstm.hidden-size = " + hidden,
                "rill.lstm.bptt-steps = " + bptt, "rill.lstm.lanes-per-stream = " + lanes,
                "rill.lstm.learning-rate = " + lr));
        lines.addAll(overrides);
        Config config = nodeConfig(lines);
        String requests = config.getString("rill.generate.requests-topic");
        String replies = config.getString("rill.generate.replies-topic");
        try (var admin = Kafka.admin(broker.bootstrap())) {
            Kafka.specs(topics, topic, partitions, topic + ".deadletter", config);
            Kafka.provision(admin, topics);
            Random shuffle = new Random(seed);
            List<String> order = Kafka.passes(names, passes, shuffle);
            Kafka.Sent sent = produce(broker.bootstrap(), order);
            boolean holdsOut = config.getInt("rill.lstm.held-out.every") > 0
                    && config.getInt("rill.lstm.held-out.max-lines") > 0;
            long expected = holdsOut ? -1 : expectedTrained(sent.partitionOf(), order, config);
            Map<String, Long> ends = Kafka.ends(admin, Kafka.partitions(topic, partitions));
            long[] perPartition = sent.perPartition(partitions);
            List<String> split = java.util.stream.IntStream.range(0, partitions)
                    .mapToObj(p -> Report.f("%d: %,d", p, perPartition[p])).toList();
            List<Progress> progress = new CopyOnWriteArrayList<>();
            AtomicBoolean reading = new AtomicBoolean(true);
            Thread progressReader = progressReader(broker.bootstrap(), replies, progress, reading);
            try (Node node = Node.start("node", jvmOpts, rillJar, dir, lines, Duration.ofSeconds(300));
                 Requests client = new Requests(broker.bootstrap(), requests, replies)) {
                Cpu before = node.cpu();
                var bean = Node.charModel(MODEL);
                double firstIn = -1;
                double firstStep = -1;
                double lastStep = -1;
                long chars = 0;
                long charsAtFirstStep = 0;
                long stepsAtFirstStep = 0;
                long lastPrint = System.nanoTime();
                String ending;
                while (true) {
                    Map<String, Object> v = node.attrs(bean, "CharactersTrained", "Steps");
                    boolean committed = node.committed(ends);
                    double age = node.age();
                    firstIn = firstIn < 0 && node.recordsIn(topic) > 0 ? age : firstIn;
                    if (firstStep < 0 && Node.n(v, "Steps") > 0) {
                        firstStep = age;
                        charsAtFirstStep = Node.n(v, "CharactersTrained");
                        stepsAtFirstStep = Node.n(v, "Steps");
                    }
                    if (Node.n(v, "CharactersTrained") != chars) {
                        chars = Node.n(v, "CharactersTrained");
                        lastStep = age;
                    }
                    if (expected > 0 && chars >= expected && committed) {
                        ending = Report.f("every trainable character trained (%,d, computed from the records as "
                                + "produced)", expected);
                        break;
                    }
                    if (committed && lastStep > 0 && age - lastStep > settle) {
                        ending = Report.f("the count stood still for %d s with every partition committed (%,d "
                                + "trained; %s)", settle, chars, expected > 0 ? Report.f("%,d expected", expected)
                                : "the trainable count is not known when lines are held out");
                        break;
                    }
                    if (age > timeout || !node.alive()) {
                        throw new IllegalStateException(Report.f("after %.0f s rill had trained %,d of %,d characters; "
                                + "see %s", age, chars, expected, node.process.log));
                    }
                    if (since(lastPrint) > 10) {
                        lastPrint = System.nanoTime();
                        System.out.printf("[rill] %.0f s: %,d characters trained (pass %.2f)%n", age, chars,
                                chars / (double) charsPerPass);
                    }
                    Thread.sleep(firstStep < 0 ? 20 : 50);
                }
                Cpu.Phase cpu = node.cpu().since(before);
                Machine.Memory memory = node.memory().orElse(new Machine.Memory(-1, -1));
                long heapUsed = node.heap()[0];
                Map<String, Object> model = new TreeMap<>(node.attrs(bean, "Version", "Pulls", "Steps", "StepMillis",
                        "BatchLanes", "StalenessP50", "StalenessP99", "StalenessMax", "StaleGradientsRefused",
                        "TrainingLoss", "HeldOutLoss", "VocabularySize", "CharactersDropped", "SequencesSeen",
                        "SequencesHeldOut", "CharactersTrained"));
                long seen = Node.n(model, "SequencesSeen");
                double trainedPerPass = expected > 0 ? (double) expected / passes
                        : charsPerPass * (1 - (seen > 0 ? (double) Node.n(model, "SequencesHeldOut") / seen : 0));
                List<Progress> atEnd = List.copyOf(progress);
                System.out.printf("[rill] trained: %,d characters (%s); %,.0f chars/s; last held-out loss %s%n", chars,
                        ending, (chars - charsAtFirstStep) / (lastStep - firstStep),
                        atEnd.isEmpty() ? "none" : atEnd.get(atEnd.size() - 1));

                Set<String> known = new HashSet<>(names);
                client.run("names", 1, 0, id -> Report.f("{\"id\":\"%s\",\"model\":\"%s\",\"count\":%d,"
                        + "\"temperature\":%s}", id, MODEL, samples, sampleTemperature), 60);
                List<Sample> drawn = new ArrayList<>();
                client.replies().values().forEach(reply -> reply.path("samples").forEach(s -> drawn.add(new Sample(
                        s.path("text").asText(), !known.contains(s.path("text").asText()),
                        s.path("ended").asBoolean()))));
                Generation g = rates().isEmpty() ? new Generation(0, 0, null, List.of())
                        : generate(node, client, broker.bootstrap(), names, shuffle, (chars - charsAtFirstStep)
                        / (lastStep - firstStep), charsPerPass);
                long genPeak = node.memory().map(Machine.Memory::peak).orElse(-1L);
                node.stop(Duration.ofSeconds(60));
                return new Rill(settings(config), names.size(), charsPerPass, order.size(), String.join(", ", split),
                        sent.seconds(), expected, ending, node.upSeconds, firstIn, firstStep, lastStep, chars,
                        charsAtFirstStep, stepsAtFirstStep, model, memory.rss(), memory.peak(), heapUsed, cpu,
                        trainedPerPass, atEnd, drawn, config.getInt("rill.generate.default-max-length"), loadStart,
                        Machine.loadAverages(), g.passes(), g.seconds(), g.warmup(), g.scenarios(), genPeak);
            } finally {
                reading.set(false);
                progressReader.join(5000);
            }
        } finally {
            broker.stop();
        }
    }

    /** One name per record (its bytes, no key), to the partitions in turn or where Kafka's partitioner puts it. */
    private Kafka.Sent produce(String bootstrap, List<String> order) throws Exception {
        System.out.printf("[rill] producing %,d names to %s (%d partitions, %s)%n", order.size(), topic, partitions,
                partitioning);
        return Kafka.produce(Kafka.producer(bootstrap, true), order.size(), i -> new ProducerRecord<>(topic,
                partitioning.equals("round-robin") ? (int) (i % partitions) : null, null,
                order.get((int) i).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * How many characters the model trains on these records with nothing held out: each stream deals a unit (a name
     * and its end-of-sequence) to its lane with the fewest ids waiting (the first on a tie; a lane starts with one
     * end-of-sequence), and trains (shortest lane - 1) / T chunks of lanes x T, however feeding and training interleave.
     */
    private static long expectedTrained(int[] partitionOf, List<String> order, Config config) {
        int lanes = config.getInt("rill.lstm.lanes-per-stream");
        int steps = config.getInt("rill.lstm.bptt-steps");
        int partitions = Arrays.stream(partitionOf).max().orElse(0) + 1;
        long[][] lengths = new long[partitions][lanes];
        Arrays.stream(lengths).forEach(l -> Arrays.fill(l, 1));
        for (int i = 0; i < partitionOf.length; i++) {
            long[] lane = lengths[partitionOf[i]];
            int shortest = 0;
            for (int l = 1; l < lanes; l++) {
                shortest = lane[l] < lane[shortest] ? l : shortest;
            }
            lane[shortest] += order.get(i).codePointCount(0, order.get(i).length()) + 1;
        }
        return Arrays.stream(lengths).mapToLong(l -> (Arrays.stream(l).min().orElse(1) - 1) / steps * lanes * steps)
                .sum();
    }

    /** Reads the model's messages of the progress stream (type "samples") into {@code into} while {@code reading}. */
    private static Thread progressReader(String bootstrap, String replies, List<Progress> into, AtomicBoolean reading) {
        Thread t = new Thread(() -> {
            try (var consumer = Kafka.reader(bootstrap, replies, true)) {
                while (reading.get()) {
                    for (var r : consumer.poll(Duration.ofMillis(200))) {
                        JsonNode m = Bench.JSON.readTree(r.value());
                        if (m != null && m.path("type").asText().equals("samples")
                                && m.path("model").asText().equals(MODEL)) {
                            into.add(new Progress(m.path("version").asLong(), m.path("charactersTrained").asLong(),
                                    m.path("heldOutLoss").asDouble(Double.NaN)));
                        }
                    }
                }
            } catch (Exception e) {
                // the broker is gone: the run is over
            }
        }, "progress-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private record Generation(int passes, double seconds, Requests.Result warmup, List<Scenario> scenarios) {
    }

    /**
     * The node keeps training (enough further passes produced first, from the rate just measured) while the client
     * sends requests at each rate in turn; rill's Generation bean is read before and after each scenario (its
     * latency percentiles reset before).
     */
    private Generation generate(Node node, Requests client, String bootstrap, List<String> names, Random shuffle,
                                double trainRate, long charsPerPass) throws Exception {
        int seconds = genWarmup + 5 + rates().size() * (genSeconds + genDrain);
        int more = (int) Math.min(500, Math.max(2, Math.ceil(1.5 * trainRate * seconds / charsPerPass)));
        System.out.printf("[rill] generation phase: producing %d more passes so that training goes on%n", more);
        Kafka.Sent sent = produce(bootstrap, Kafka.passes(names, more, shuffle));
        var bean = Node.charModel(MODEL);
        long start = node.num(bean, "CharactersTrained");
        await("the model trains on the new passes", 30, 20, () -> node.num(bean, "CharactersTrained") > start);
        String body = "{\"id\":\"%s\",\"model\":\"" + MODEL + "\",\"count\":" + genCount + ",\"temperature\":"
                + genTemperature + "}";
        Requests.Result warmup = genWarmup <= 0 ? null
                : client.run("warmup", rates().get(0) * genWarmup, rates().get(0), id -> Report.f(body, id), genDrain);
        List<Scenario> scenarios = new ArrayList<>();
        for (int i = 0; i < rates().size(); i++) {
            int rate = rates().get(i);
            node.invoke(Node.GENERATION, "resetLatencies");
            List<String> counters = List.of("Requests", "Replies", "ErrorReplies");
            Map<String, Object> jmxBefore = node.attrs(Node.GENERATION, counters.toArray(String[]::new));
            Map<String, Object> m0 = node.attrs(bean, "CharactersTrained", "Steps", "StepMillis");
            double cpu0 = Machine.cpuSeconds(node.process.pid());
            String load0 = Machine.loadAverages();
            long t0 = System.nanoTime();
            System.out.printf("[rill] scenario %d: %d requests/s for %d s%n", i + 1, rate, genSeconds);
            Requests.Result r = client.run("r" + rate + "x" + (i + 1), rate * genSeconds, rate,
                    id -> Report.f(body, id), genDrain);
            double wall = since(t0);
            double cores = (Machine.cpuSeconds(node.process.pid()) - cpu0) / wall;
            Map<String, Object> m1 = node.attrs(bean, "CharactersTrained", "Steps", "StepMillis");
            Map<String, Object> jmx = new LinkedHashMap<>(node.attrs(Node.GENERATION, "Requests", "Replies",
                    "ErrorReplies", "ErrorsByCode", "SamplingLatencyP50Millis", "SamplingLatencyP99Millis",
                    "RequestLatencyP50Millis", "RequestLatencyP99Millis"));
            counters.forEach(c -> jmx.put(c, Node.n(jmx, c) - Node.n(jmxBefore, c)));
            long steps = Node.n(m1, "Steps") - Node.n(m0, "Steps");
            scenarios.add(new Scenario(r, (Node.n(m1, "CharactersTrained") - Node.n(m0, "CharactersTrained")) / wall,
                    steps, steps == 0 ? Double.NaN : (Node.x(m1, "StepMillis") * Node.n(m1, "Steps")
                    - Node.x(m0, "StepMillis") * Node.n(m0, "Steps")) / steps, cores,
                    load0 + " -> " + Machine.loadAverages(), jmx));
            System.out.printf("[rill] scenario %d: %,d sent, %,d replies, %,d errors, %,d unanswered; p50 %.1f p99 %.1f "
                            + "ms%n", i + 1, r.sent(), r.replies(), r.errors(), r.unanswered(), r.client().p50(),
                    r.client().p99());
        }
        return new Generation(more, sent.seconds(), warmup, scenarios);
    }

    /** The settings that shape the comparison and the throughput, as the node had them. */
    private static Map<String, String> settings(Config config) {
        return effective(config, List.of("rill.lstm", "rill.generate"), List.of(
                "rill.lstm.worker-dispatcher.thread-pool-executor.fixed-pool-size",
                "rill.generate.dispatcher.thread-pool-executor.fixed-pool-size", "rill.ingest.streams",
                "rill.ingest.batch-size", "rill.ingest.batch-window", "rill.skipgram.enabled"));
    }

    @Override
    void render(Report md, Result r) {
        Rill x = r.rill();
        Optional<Peer> reference = r.peers().stream().max((a, b) -> Integer.compare(a.threads(), b.threads()));
        double charsPerSec = (x.chars() - x.charsAtFirstStep()) / (x.lastStep() - x.firstStep());
        Progress last = x.progress().isEmpty() ? null : x.progress().get(x.progress().size() - 1);
        double finalNll = last == null ? Double.NaN : last.heldOutLoss();
        String rillName = Report.f("rill (%d partitions x %d lanes)", r.partitions(), r.lanes());
        md.h3("Training");
        List<List<String>> rows = new ArrayList<>();
        for (Peer p : r.peers()) {
            rows.add(List.of(peerName(p), "" + p.last().pass(), Report.n(p.last().charsPerSec()),
                    ratio(p.last().charsPerSec(), reference), nll(p.last().nll()), Report.f("%.0f s", p.cpu()), "",
                    "peak " + Report.mib(p.peakRss())));
        }
        rows.add(List.of(rillName, "" + r.passes(), Report.n(charsPerSec), ratio(charsPerSec, reference),
                nll(finalNll) + (last == null ? "" : Report.f(" (at %.2f passes)", last.characters() / x.trainedPerPass())),
                Report.f("%.0f s", x.cpu().process()), Report.f("%,d", x.chars()), "end " + Report.mib(x.rss())
                        + ", peak " + Report.mib(x.peak())));
        md.table(List.of("implementation", ">passes", ">chars/s", ">ratio to the reference",
                ">test NLL (nats/char; rill: held-out)", ">CPU", ">characters trained", "RSS"), rows);
        md.para("NLL by pass (nats/char; the reference: its test names, every 5th pass; rill: its held-out names, from "
                + "the first progress report after its trained characters crossed that many passes):");
        Map<Integer, List<String>> byPass = new TreeMap<>(); // pass -> the pass, each reference's NLL, rill's
        int cells = r.peers().size() + 2;
        for (int i = 0; i < r.peers().size(); i++) {
            for (Pass p : r.peers().get(i).passes()) {
                byPass.computeIfAbsent(p.pass(), k -> blank(cells, k)).set(i + 1, nll(p.nll()));
            }
        }
        for (int pass = r.nllEvery(); r.nllEvery() > 0 && pass <= r.passes(); pass += r.nllEvery()) {
            double threshold = pass * x.trainedPerPass() - 1;
            Optional<Progress> p = x.progress().stream().filter(q -> q.characters() >= threshold).findFirst()
                    .or(() -> Optional.ofNullable(threshold + 1 >= r.passes() * x.trainedPerPass() ? last : null));
            if (p.isPresent()) {
                byPass.computeIfAbsent(pass, k -> blank(cells, k)).set(cells - 1, Report.f("%s (at %.2f passes)",
                        nll(p.get().heldOutLoss()), p.get().characters() / x.trainedPerPass()));
            }
        }
        List<String> columns = new ArrayList<>(List.of(">pass"));
        r.peers().forEach(p -> columns.add(">" + peerName(p)));
        columns.add(">" + rillName);
        List<List<String>> nllRows = new ArrayList<>(byPass.values());
        md.table(columns, nllRows);
        Scenario at100 = x.scenarios().stream().filter(s -> s.client().rate() == 100).findFirst().orElse(null);
        md.para("**Targets** (from the issue):");
        md.bullet("chars/s >= 1.0x the reference: %s", reference.map(p -> Report.f("%s (%s), %s", ratio(charsPerSec,
                reference), peerName(p), charsPerSec >= p.last().charsPerSec() ? "met" : "NOT met"))
                .orElse("n/a (the reference did not run)"))
                .bullet("NLL <= %.2f nats/char after 20 passes: %s", TARGET_NLL, r.passes() != 20 ? Report.f("n/a (%d "
                        + "passes; %s)", r.passes(), nll(finalNll)) : nll(finalNll) + ", " + (finalNll <= TARGET_NLL
                        ? "met" : "NOT met") + " (rill's held-out names, not the reference's test names)")
                .bullet("generation p99 <= %.0f ms at 100 requests/s under training: %s", TARGET_P99_MILLIS, at100 == null
                        ? "n/a (no such scenario)" : Report.d(at100.client().client().p99(), 1) + " ms, "
                        + (at100.client().client().p99() <= TARGET_P99_MILLIS && at100.client().unanswered() == 0
                        ? "met" : "NOT met")).end();
        md.para("How each figure is taken: load-tests/README.md, \"The character-model benchmark\". rill's NLL is its "
                + "held-out loss (names it kept out of training), the reference's is on its test names.");
        Map<String, Object> m = x.model();
        md.para("rill's training: %s steps (%,d timed), %.1f ms per step, staleness p50 %s / p99 %s / max %s versions, "
                        + "stale gradients refused %s. Ended: %s.", m.get("Steps"),
                Node.n(m, "Steps") - x.stepsAtFirstStep(), Node.x(m, "StepMillis"), m.get("StalenessP50"),
                m.get("StalenessP99"), m.get("StalenessMax"), m.get("StaleGradientsRefused"), x.ending());
        if (!x.scenarios().isEmpty()) {
            renderGeneration(md, r, x, charsPerSec);
        }
        long fresh = x.samples().stream().filter(Sample::fresh).count();
        md.h3("Names from rill's final model")
                .para("%d names from one generation request `{\"count\": %d, \"temperature\": %s}` right after training "
                                + "(no top-k, at most %d characters); **%d of %d are new** (not in the training names):",
                        x.samples().size(), x.samples().size(), r.sampleTemperature(), x.maxLength(), fresh,
                        x.samples().size())
                .para("%s", String.join(", ", x.samples().stream().map(s -> s.text() + (s.fresh() ? ""
                        : " (a training name)") + (s.ended() ? "" : " (cut at max length)")).toList()));
        md.h3("Setup")
                .bullet("Hyper-parameters, both sides: LSTM, 1 layer, embedding %d, hidden %d, truncated BPTT %d, batch "
                                + "%d (rill: %d partitions x %d lanes), Adam lr %s, gradient norm clipped at 5, %d passes "
                                + "(reference: %d). Runs are sequential, never two trainings at once.", r.embedding(),
                        r.hidden(), r.bptt(), r.partitions() * r.lanes(), r.partitions(), r.lanes(), r.lr(), r.passes(),
                        r.peerPasses());
        for (Peer p : r.peers()) {
            md.bullet("%s: `%s` (%.0f s in all; load average at its start %s, at its end %s). Its lines:%n%n```%n%s%n```",
                    peerName(p), String.join(" ", p.command()), p.seconds(), p.loadStart(), p.loadEnd(),
                    String.join("\n", p.lines().stream().filter(l -> l.startsWith("pass ")).toList()));
        }
        md.bullet("rill: the names of `%s` (%,d names, %,d characters per pass with one end-of-sequence per name), "
                                + "shuffled every pass (seeded), %,d records, one name each, produced before the node started "
                                + "in %.1f s into a topic of %d partitions (%s) on rill's embedded KRaft broker in a JVM of its "
                                + "own (`%s`). %s", r.train(), x.names(), x.charsPerPass(), x.records(), x.produceSeconds(),
                        r.partitions(), x.split(), r.brokerJvmOpts(), x.expected() > 0 ? Report.f("The model can train "
                                + "%,d of the %,d characters (the rest is each lane's last partial chunk).", x.expected(),
                        x.charsPerPass() * r.passes()) : "")
                .bullet("rill's node: `java %s -jar rill.jar run -c <file>`, external-broker mode, a fresh group, remote "
                                + "JMX on loopback, a topics-dir with the names topic, a dead-letter topic and the generation "
                                + "topics; the names stream with the `characters` tokenizer (batches of at most 64 KiB), the "
                                + "model `names` on it (`sequences = line`), skip-gram off; `--set`: %s.", r.jvmOpts(),
                        r.overrides().isEmpty() ? "none" : "`" + String.join("`, `", r.overrides()) + "`")
                .bullet("Settings in effect: %s.", Report.settings(x.settings()))
                .bullet("Load average at the rill run's start: %s; at its end: %s. Node up after %.1f s.", x.loadStart(),
                        x.loadEnd(), x.up())
                .bullet("Timeline, seconds after the node's process started: first record taken in %.2f, first "
                                + "training step seen %.2f, last step seen %.2f; %,.0f chars/s from the first record taken in.",
                        x.firstIn(), x.firstStep(), x.lastStep(), x.chars() / (x.lastStep() - x.firstIn()))
                .bullet("Model at the end of training: version %s, %s pulls, training loss (smoothed) %.4f, vocabulary "
                                + "%s, characters dropped %s, sequences %s (held out %s), batch lanes %s; %d progress reports.",
                        m.get("Version"), m.get("Pulls"), Node.x(m, "TrainingLoss"), m.get("VocabularySize"),
                        m.get("CharactersDropped"), m.get("SequencesSeen"), m.get("SequencesHeldOut"), m.get("BatchLanes"),
                        x.progress().size())
                .bullet("Memory at the end of training: RSS %s (peak %s), heap used %s.", Report.mib(x.rss()),
                        Report.mib(x.peak()), Report.mib(x.heapUsed()))
                .bullet("CPU from node up to training done: %s", x.cpu().describe(10)).end();
    }

    private static void renderGeneration(Report md, Result r, Rill x, double charsPerSec) {
        Requests.Result w = x.warmup();
        md.h3("Generation latency under training")
                .para("The node goes on training (%d more passes produced first, in %.1f s) while a client sends "
                                + "requests `{\"id\": ..., \"model\": \"names\", \"count\": %d, \"temperature\": %s}` at a "
                                + "fixed rate with a KafkaProducer (linger.ms 0, acks all), keyed by id, and reads the "
                                + "replies topic. Warm-up first: %s. For comparison, training alone ran at %,.0f chars/s.",
                        x.backlogPasses(), x.backlogSeconds(), r.genCount(), r.genTemperature(), w == null ? "none"
                                : Report.f("%.0f requests/s for %.0f s: %,d sent, %,d answered, client p50 %.1f ms, p99 "
                                + "%.1f ms", w.rate(), w.planned() / w.rate(), w.sent(), w.sent() - w.unanswered(),
                                w.client().p50(), w.client().p99()), charsPerSec);
        List<List<String>> rows = new ArrayList<>();
        for (Scenario s : x.scenarios()) {
            Requests.Result c = s.client();
            Map<String, Object> j = s.jmx();
            rows.add(List.of(Report.n(c.rate()), Report.f("%,d", c.sent()), Report.f("%,d", c.replies()),
                    Report.f("%,d", c.errors()) + (c.errors() > 0 ? " " + c.errorCodes() : ""),
                    Report.f("%,d", c.unanswered()), Report.f("%.1f/s", c.achievedRate()), Report.d(c.client().p50(), 1),
                    Report.d(c.client().p90(), 1), Report.d(c.client().p99(), 1), Report.d(c.client().max(), 1),
                    Report.d(c.stamped().p50(), 1) + " / " + Report.d(c.stamped().p99(), 1),
                    Report.n(s.trainCharsPerSec()), Report.d(s.nodeCores(), 2),
                    Report.d(Node.x(j, "RequestLatencyP50Millis"), 1) + " / " + Report.d(Node.x(j,
                            "RequestLatencyP99Millis"), 1), Report.d(Node.x(j, "SamplingLatencyP50Millis"), 1) + " / "
                            + Report.d(Node.x(j, "SamplingLatencyP99Millis"), 1)));
        }
        md.table(List.of(">requests/s", ">sent", ">replies", ">errors", ">unanswered", ">achieved rate", ">p50 ms",
                ">p90 ms", ">p99 ms", ">max ms", ">timestamps p50 / p99 ms", ">rill training chars/s meanwhile",
                ">node's CPU cores busy", ">rill JMX request p50 / p99 ms", ">rill JMX sampling p50 / p99 ms"), rows);
        md.bullet("Latencies: the client's, `send` to the poll that returned the reply; **timestamps**: reply minus "
                + "request CreateTime; **rill JMX**: `rill:type=Generation`, percentiles reset before each scenario.");
        for (Scenario s : x.scenarios()) {
            Requests.Result c = s.client();
            Map<String, Object> j = s.jmx();
            md.bullet("%s requests/s: planned %,d; sender at most %.1f ms behind schedule; drain %.1f s; %,d samples, "
                            + "%.1f characters on average; rill's counters: %s requests, %s replies, %s error replies (%s); "
                            + "training steps meanwhile %d at %.1f ms; load average %s.", Report.n(c.rate()), c.planned(),
                    c.maxBehindMillis(), c.drainSeconds(), c.samples(), c.meanSampleLength(), j.get("Requests"),
                    j.get("Replies"), j.get("ErrorReplies"), String.valueOf(j.get("ErrorsByCode")).isEmpty() ? "none"
                            : j.get("ErrorsByCode"), s.trainSteps(), s.trainStepMillis(), s.load());
        }
        md.end();
    }

    private static List<String> blank(int n, int pass) {
        List<String> row = new ArrayList<>(Collections.nCopies(n, ""));
        row.set(0, "" + pass);
        return row;
    }

    private static String peerName(Peer p) {
        return "PyTorch reference, " + p.threads() + (p.threads() == 1 ? " thread" : " threads");
    }

    private static String ratio(double charsPerSec, Optional<Peer> reference) {
        return reference.map(p -> Report.d(charsPerSec / p.last().charsPerSec(), 2)).orElse("n/a");
    }

    private static String nll(double v) {
        return Report.d(v, 4);
    }
}
