package io.rill.loadtest;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cluster benchmark: rill's character model trained by 1, 2 and 3 nodes in one Akka Cluster on this machine (child
 * JVMs, `java -jar rill.jar run`, the broker in another), the bytes an update moves between nodes as the loopback
 * interface counts them, and a network-cost model that predicts the throughput on N machines from the one-node rate
 * and those bytes. On one machine a cluster cannot scale (every node shares its cores): the point is what the cluster
 * costs, and a model built from measured inputs.
 */
@Command(name = "cluster-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Train the character model with 1, 2 and 3 rill nodes in an Akka Cluster; measure chars/s, "
                + "steps, staleness, CPU and the bytes between nodes; model the throughput on N machines.")
public final class ClusterBench extends Bench<ClusterBench.Result> {

    static final String MODEL = "names";
    /** How the model's parameter server appears in {@code rill:type=Cluster}'s HostedEntities. */
    static final String ENTITY = "char-model/" + MODEL;

    @Option(names = "--train", defaultValue = "../shared/data/names/train.txt") Path train;
    @Option(names = "--passes", defaultValue = "5", description = "Passes over the names per run.") int passes;
    @Option(names = "--nodes", split = ",", defaultValue = "1,2,3", description = "Cluster sizes, one run each.")
    List<Integer> nodes;
    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of each run's topic.") int partitions;
    @Option(names = "--embedding", description = "rill.lstm.embedding-size (default: application.conf's).")
    Integer embedding;
    @Option(names = "--hidden", description = "rill.lstm.hidden-size") Integer hidden;
    @Option(names = "--bptt", description = "rill.lstm.bptt-steps") Integer bptt;
    @Option(names = "--lanes", description = "rill.lstm.lanes-per-stream") Integer lanes;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the pass shuffles.")
    long seed;
    @Option(names = "--settle", defaultValue = "10", description = "A run ends once all is committed and the "
            + "characters trained stood still this long.")
    int settle;
    @Option(names = "--poll-ms", defaultValue = "250", description = "How often the nodes' beans are read.")
    int pollMillis;
    @Option(names = "--timeout", defaultValue = "1800", description = "Seconds a run may take after the names.")
    int timeout;
    @Option(names = "--start-timeout", defaultValue = "240", description = "Seconds to come up, join and settle.")
    int startTimeout;
    @Option(names = "--stop-grace", defaultValue = "120", description = "Seconds to stop after SIGTERM.") int stopGrace;
    @Option(names = "--node-jvm-opts", defaultValue = "-Xmx1g -XX:+UseG1GC")
    String nodeJvmOpts;
    @Option(names = "--broker-jvm-opts", defaultValue = "-Xmx512m -XX:+UseG1GC") String brokerJvmOpts;
    @Option(names = "--cost-iterations", hidden = true, description = "No longer used (the in-process costs are gone).")
    Integer costIterations;
    @Option(names = "--bandwidths", split = ",", defaultValue = "1,10", description = "Link Gbit/s for the model.")
    List<Double> bandwidths;
    @Option(names = "--predict", split = ",", defaultValue = "1,2,3,4,8,16", description = "Machine counts to predict.")
    List<Integer> predict;

    /** One node of a run; CPU seconds are the timed window's (/proc), {@code exit} null if it had to be killed. */
    record NodeResult(String label, boolean server, boolean progress, int partitions, long records, long steps,
                      long stepsTimed, double stepMillis, long batchLanes, double cpu, long peakRss, Cpu.Phase threads,
                      int errors, int warnings, List<String> firstErrors, Integer exit, double up) {
    }

    /** One run; seconds of the window, first step seen to last change of the characters trained. */
    record Run(int nodes, double up, double produceSeconds, long records, long characters, double seconds,
               long charsAtFirstStep, Map<String, Object> server, double heldOut, long loopback, double brokerCpu,
               double harnessCpu, double committedAfter, String loadStart, String loadEnd, String hostAtStart,
               String hostAtEnd, List<NodeResult> nodeResults) {

        long steps() {
            return nodeResults.stream().mapToLong(NodeResult::steps).sum();
        }

        long timedSteps() {
            return nodeResults.stream().mapToLong(NodeResult::stepsTimed).sum();
        }

        double chars() {
            return Node.n(server, "CharactersTrained") - charsAtFirstStep;
        }

        double remoteSteps() {
            return nodeResults.stream().filter(n -> !n.server()).mapToLong(NodeResult::stepsTimed).sum();
        }

        boolean progressElsewhere() {
            return nodeResults.stream().anyMatch(n -> n.progress() && !n.server());
        }
    }

    record Result(String train, int names, long charsPerPass, int passes, int partitions, long seed, int pollMillis,
                  int settle, String nodeJvmOpts, String brokerJvmOpts, List<String> lines,
                  Map<String, String> model, long seenBytes, int pullEvery, int progressEvery, double snapshotSeconds,
                  double seenSeconds, int maxStaleness, List<Double> bandwidths, List<Integer> predict, List<Run> runs,
                  List<String> failures) {
    }

    public ClusterBench() {
        super("cluster", Result.class, "Cluster benchmark", "Written by `load-tests/cluster-bench.sh` (see "
                + "load-tests/README.md, \"The cluster benchmark\"). One section per run. MB = 10^6 bytes, MiB = 2^20 "
                + "bytes.");
    }

    public static void main(String[] args) {
        main(new ClusterBench(), args);
    }

    @Override
    void validate() {
        requireJar();
        if (passes < 1 || partitions < 1 || settle < 1 || pollMillis < 10 || nodes.stream().anyMatch(n -> n < 1
                || n > partitions) || predict.stream().anyMatch(n -> n < 1) || bandwidths.stream().anyMatch(b -> b <= 0)
                || !Files.isRegularFile(train)) {
            throw bad("--passes, --partitions, --settle, --poll-ms (10+), --predict, --bandwidths positive; each of "
                    + "--nodes 1..partitions; --train a file");
        }
    }

    /** What the bench lays over every node's application.conf after the run's own lines: the sizes asked, --set. */
    private List<String> lines() {
        List<String> lines = new ArrayList<>(List.of("rill.skipgram.enabled = false"));
        String[] keys = {"embedding-size", "hidden-size", "bptt-steps", "lanes-per-stream"};
        Integer[] sizes = {embedding, hidden, bptt, lanes};
        for (int i = 0; i < keys.length; i++) {
            lines.addAll(sizes[i] == null ? List.of() : List.of("rill.lstm." + keys[i] + " = " + sizes[i]));
        }
        lines.addAll(overrides);
        return lines;
    }

    @Override
    Result measure() throws Exception {
        List<String> names = Files.readAllLines(train).stream().filter(l -> !l.isEmpty()).toList();
        Config config = nodeConfig(lines());
        Map<String, String> model = effective(config, List.of(), List.of("rill.lstm.cell", "rill.lstm.embedding-size",
                "rill.lstm.hidden-size", "rill.lstm.layers", "rill.lstm.bptt-steps", "rill.lstm.lanes-per-stream",
                "rill.lstm.learning-rate", "rill.lstm.pull-every-steps", "rill.lstm.max-staleness",
                "rill.lstm.gather-window", "rill.lstm.held-out.every", "rill.lstm.progress.every-steps",
                "rill.generate.enabled", "rill.generate.snapshot-interval", "rill.generate.seen-refresh-interval",
                "rill.generate.seen-sequences.expected", "rill.generate.seen-sequences.false-positive-rate"));
        // The seen set is a Bloom filter sized for n sequences at false-positive rate p: -n ln p / (ln 2)^2 bits.
        double n = config.getDouble("rill.generate.seen-sequences.expected");
        long seenBytes = (long) Math.ceil(-n * Math.log(config.getDouble("rill.generate.seen-sequences"
                + ".false-positive-rate")) / (Math.log(2) * Math.log(2)) / 8);
        List<Run> runs = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Child.Broker broker = Child.broker(brokerJvmOpts, work.resolve("broker"), 0, work.resolve("broker.log"),
                Duration.ofSeconds(startTimeout));
        try (Admin admin = Kafka.admin(broker.bootstrap())) {
            for (int i = 0; i < nodes.size(); i++) {
                try {
                    runs.add(run(i + 1, nodes.get(i), work.resolve("run-" + (i + 1)), broker, admin, names, config));
                } catch (Exception e) {
                    failures.add(nodes.get(i) + " nodes: " + e);
                    System.out.printf("[run %d] %d nodes FAILED: %s%n", i + 1, nodes.get(i), e);
                    e.printStackTrace(System.out);
                }
            }
        } finally {
            broker.stop();
        }
        boolean generators = config.getBoolean("rill.generate.enabled");
        return new Result(train.toString(), names.size(), names.stream().mapToLong(s -> s.codePointCount(0, s.length())
                + 1).sum(), passes, partitions, seed, pollMillis, settle, nodeJvmOpts, brokerJvmOpts, lines(), model,
                seenBytes, config.getInt("rill.lstm.pull-every-steps"), config.getInt("rill.lstm.progress.every-steps"),
                generators ? config.getDuration("rill.generate.snapshot-interval").toMillis() / 1e3 : 0,
                config.getDuration("rill.generate.seen-refresh-interval").toMillis() / 1e3,
                config.getInt("rill.lstm.max-staleness"), bandwidths, predict, runs, failures);
    }

    private Run run(int index, int n, Path dir, Child.Broker broker, Admin admin, List<String> names, Config config)
            throws Exception {
        String topic = "bench.names.run" + index;
        String group = "bench-cluster-" + index + "-" + UUID.randomUUID();
        System.out.printf("%n== %d node%s (topic %s) ==%n", n, n == 1 ? "" : "s", topic);
        Path topics = dir.resolve("topics");
        Kafka.specs(topics, topic, partitions, "bench.names.deadletter", config);
        Kafka.provision(admin, topics);
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) {
            ports[i] = Child.freePort();
        }
        String seeds = "127.0.0.1:" + ports[0] + (n > 1 ? ",127.0.0.1:" + ports[1] : "");
        List<Node.Spec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> lines = Node.base(dir.resolve("node-" + i), broker.bootstrap(), group, topics, topic,
                    "characters, batch-bytes = 65536", "bench.names.deadletter");
            lines.addAll(List.of("rill.checkpoint.directory = " + Node.quote(dir.resolve("checkpoints")),
                    "rill.lstm.models = [{name = " + MODEL + ", topics = [" + Node.quote(topic) + "], sequences = line}]",
                    // Nodes that start together on two cores can take more than the default minute to join.
                    "rill.cluster { enabled = true, host = \"127.0.0.1\", port = " + ports[i] + ", seed-nodes = \""
                            + seeds + "\", node-name = \"node-" + i + "\", join-timeout = " + startTimeout + "s }"));
            lines.addAll(lines());
            specs.add(new Node.Spec("node-" + i, nodeJvmOpts, rillJar, dir, lines));
        }
        long starting = System.nanoTime();
        List<Node> cluster = Node.start(specs, Duration.ofSeconds(startTimeout));
        try {
            await(n + " members Up on every node", startTimeout, 250, () -> {
                for (Node node : cluster) {
                    var c = node.attrs(Node.CLUSTER, "MemberCount", "Members");
                    String members = String.valueOf(c.get("Members"));
                    if (Node.n(c, "MemberCount") != n || List.of(members.split(", ")).stream()
                            .filter(m -> m.endsWith(" Up")).count() != n) {
                        return false;
                    }
                }
                return true;
            });
            await("the group is stable with " + n + " members", startTimeout, 500, () -> {
                var d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
                return d.state() == ConsumerGroupState.STABLE && d.members().size() == n && d.members().stream()
                        .mapToLong(m -> m.assignment().topicPartitions().size()).sum() == partitions;
            });
            await("one node hosts " + ENTITY, startTimeout, 250, () -> host(cluster) != null);
            double up = since(starting);
            String hostAtStart = host(cluster);
            System.out.printf("[run %d] up, joined and stable after %.1f s; the parameter server on %s%n", index, up,
                    hostAtStart);
            return measure(index, n, cluster, up, hostAtStart, broker, admin, names, topic, group);
        } finally {
            for (Node node : cluster) {
                node.kill(); // those still alive after a failure
            }
        }
    }

    /** The label of the node whose HostedEntities names the model's server, or null unless exactly one does. */
    private static String host(List<Node> cluster) throws Exception {
        List<String> hosts = new ArrayList<>();
        for (Node node : cluster) {
            if (List.of(String.valueOf(node.attr(Node.CLUSTER, "HostedEntities")).split(",\\s*")).contains(ENTITY)) {
                hosts.add(node.label);
            }
        }
        return hosts.size() == 1 ? hosts.get(0) : null;
    }

    private Run measure(int index, int n, List<Node> cluster, double up, String hostAtStart, Child.Broker broker,
                        Admin admin, List<String> names, String topic, String group) throws Exception {
        String loadStart = Machine.loadAverages();
        List<Cpu> threadsBefore = new ArrayList<>();
        for (Node node : cluster) {
            threadsBefore.add(node.cpu());
        }
        List<String> order = Kafka.passes(names, passes, new Random(seed));
        Kafka.Sent sent = Kafka.produce(Kafka.producer(broker.bootstrap(), true), order.size(), i ->
                new ProducerRecord<>(topic, (int) (i % partitions), null, order.get((int) i).getBytes(StandardCharsets.UTF_8)));
        long characters = order.stream().mapToLong(s -> s.codePointCount(0, s.length()) + 1).sum();
        var parts = Kafka.partitions(topic, partitions);
        Map<String, Long> ends = Kafka.ends(admin, parts);
        List<Long> pids = new ArrayList<>(cluster.stream().map(node -> node.process.pid()).toList());
        pids.addAll(List.of(broker.process().pid(), ProcessHandle.current().pid())); // the nodes, broker, harness
        long start = System.nanoTime();
        long firstStep = -1;
        long lastChange = -1;
        long lastChars = -1;
        long charsAtFirst = 0;
        long[] stepsAtFirst = new long[n];
        double[] millisAtFirst = new double[n];
        double[] cpuAtFirst = new double[n + 2];
        double[] cpuAtLast = new double[n + 2];
        long[] lo = {-1, -1};
        long committedAt = -1;
        long lastCheck = 0;
        long lastPrint = start;
        while (true) {
            long now = System.nanoTime();
            long chars = 0;
            long steps = 0;
            long[] nodeSteps = new long[n];
            double[] nodeMillis = new double[n];
            for (int i = 0; i < n; i++) {
                var v = cluster.get(i).attrs(Node.charModel(MODEL), "Steps", "StepMillis", "CharactersTrained");
                nodeSteps[i] = Node.n(v, "Steps");
                nodeMillis[i] = Node.x(v, "StepMillis");
                steps += nodeSteps[i];
                chars = Math.max(chars, Node.n(v, "CharactersTrained"));
            }
            double[] cpu = pids.stream().mapToDouble(Machine::cpuSeconds).toArray();
            long loopback = Machine.loopbackBytes();
            if (firstStep < 0 && steps > 0) {
                firstStep = now;
                charsAtFirst = chars;
                stepsAtFirst = nodeSteps;
                millisAtFirst = nodeMillis;
                cpuAtFirst = cpu;
                lo[0] = loopback;
            }
            if (chars != lastChars) {
                lastChars = chars;
                if (firstStep >= 0) {
                    lastChange = now;
                    cpuAtLast = cpu;
                    lo[1] = loopback;
                }
            }
            if (now - lastCheck > 1e9) {
                lastCheck = now;
                boolean all = Kafka.committed(admin, group, parts).equals(ends);
                committedAt = all ? (committedAt < 0 ? now : committedAt) : -1;
            }
            if (committedAt >= 0 && lastChange > 0 && (now - lastChange) / 1e9 > settle) {
                break;
            }
            if (since(start) > timeout || cluster.stream().anyMatch(node -> !node.alive())) {
                throw new IllegalStateException(Report.f("after %.0f s: %,d characters trained, %,d steps, all "
                        + "committed: %s; nodes alive: %s", since(start), chars, steps, committedAt >= 0,
                        cluster.stream().map(Node::alive).toList()));
            }
            if (since(lastPrint) > 10) {
                lastPrint = System.nanoTime();
                System.out.printf("[run %d] %.0f s: %,d characters trained (%.2f passes), %,d steps%n", index,
                        since(start), chars, chars * (double) passes / characters, steps);
            }
            Thread.sleep(pollMillis);
        }
        if (firstStep < 0 || lastChange <= firstStep) {
            throw new IllegalStateException("no training seen");
        }
        double seconds = (lastChange - firstStep) / 1e9;
        String hostAtEnd = host(cluster);
        List<Map<String, Object>> models = new ArrayList<>();
        List<Cpu.Phase> threads = new ArrayList<>();
        List<Long> records = new ArrayList<>();
        List<Integer> partitionsOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Node node = cluster.get(i);
            models.add(node.attrs(Node.charModel(MODEL), "Version", "CharactersTrained", "Pulls", "Steps", "StepMillis",
                    "BatchLanes", "StalenessP50", "StalenessP99", "StalenessMax", "StaleGradientsRefused", "HeldOutLoss",
                    "TrainingLoss", "VocabularySize"));
            threads.add(node.cpu().since(threadsBefore.get(i)));
            var streams = node.streams().values().stream().filter(s -> s.topic().equals(topic) && s.recordsIn() > 0)
                    .toList();
            partitionsOf.add(streams.size());
            records.add(streams.stream().mapToLong(Node.Stream::recordsIn).sum());
        }
        String loadEnd = Machine.loadAverages();
        List<Long> peaks = cluster.stream().map(node -> node.memory().map(Machine.Memory::peak).orElse(-1L)).toList();
        cluster.forEach(node -> node.process.process.destroy()); // SIGTERM to all at once
        List<NodeResult> results = new ArrayList<>();
        Map<String, Object> server = null;
        double heldOut = Double.NaN;
        for (int i = 0; i < n; i++) {
            Node node = cluster.get(i);
            Map<String, Object> m = models.get(i);
            Integer exit = node.stop(Duration.ofSeconds(stopGrace));
            boolean hosts = node.label.equals(hostAtEnd);
            server = hosts ? m : server;
            boolean progress = !Double.isNaN(Node.x(m, "HeldOutLoss"));
            heldOut = progress && Double.isNaN(heldOut) ? Node.x(m, "HeldOutLoss") : heldOut;
            long steps = Node.n(m, "Steps");
            long timed = steps - stepsAtFirst[i];
            var errors = node.grep(Node.ERROR);
            results.add(new NodeResult(node.label, hosts, progress, partitionsOf.get(i), records.get(i), steps, timed,
                    timed == 0 ? Double.NaN : (Node.x(m, "StepMillis") * steps - (stepsAtFirst[i] == 0 ? 0
                            : millisAtFirst[i] * stepsAtFirst[i])) / timed, Node.n(m, "BatchLanes"),
                    cpuAtLast[i] - cpuAtFirst[i], peaks.get(i), threads.get(i),
                    errors.size(), node.grep(Node.WARN).size(), errors.stream().limit(3).toList(), exit,
                    node.upSeconds));
        }
        if (server == null) {
            throw new IllegalStateException("no node hosts " + ENTITY + " at the end");
        }
        Run run = new Run(n, up, sent.seconds(), order.size(), characters, seconds, charsAtFirst, server, heldOut,
                lo[0] < 0 || lo[1] < 0 ? -1 : lo[1] - lo[0], cpuAtLast[n] - cpuAtFirst[n],
                cpuAtLast[n + 1] - cpuAtFirst[n + 1], committedAt < 0 ? Double.NaN
                : Math.max(0, (committedAt - lastChange) / 1e9), loadStart, loadEnd, hostAtStart, hostAtEnd, results);
        System.out.printf("[run %d] %d node%s: %,.0f chars/s (%,.0f characters in %.1f s), %,d steps; staleness p99 %s, "
                + "%s refused%n", index, n, n == 1 ? "" : "s", run.chars() / seconds, run.chars(), seconds, run.steps(),
                server.get("StalenessP99"), server.get("StaleGradientsRefused"));
        return run;
    }

    // ---- the network-cost model ------------------------------------------------------------------------------------

    /**
     * The model's inputs: r, one node's worker steps per second (the smallest run, per node); c, characters per step;
     * u, the bytes of one parameter copy (a gradient push G and a pull's snapshot S carry the same parameters, so
     * G = S = u), fitted to the loopback bytes of the runs of two or more nodes; D, the seen set a snapshot with data
     * adds (S_d = u + D); p, e, g, g_s from the configuration.
     */
    record Model(double r, double c, double u, long d, int p, int e, double g, double gs, int maxStaleness,
                 double stalenessPerNode) {

        /** Bytes per second one node's generator pulls: S every g seconds, S_d instead every g_s. */
        double generator() {
            return g <= 0 ? 0 : u / g + (gs > 0 ? d / gs : 0);
        }

        double outPerUpdate() {
            return u / p + (e > 0 ? (u + d) / e : 0);
        }

        /** Bounds in updates per second, N and B (bytes/s each way): compute, link in, link out, shared link. */
        double[] bounds(int n, double bytesPerSecond) {
            double f = (n - 1) / (double) n;
            double free = Math.max(0, bytesPerSecond - (n - 1) * generator());
            double inf = Double.POSITIVE_INFINITY;
            return new double[] {n * r, n == 1 ? inf : bytesPerSecond / (f * u), n == 1 ? inf : free / (f * outPerUpdate()),
                    n == 1 ? inf : free / (f * (u + outPerUpdate()))};
        }
    }

    /** The background loopback rate (the one-node run's, bytes/s) and the fitted u, or empty without 2+ nodes. */
    static Optional<Model> model(Result r) {
        Optional<Run> base = r.runs().stream().min((a, b) -> Integer.compare(a.nodes(), b.nodes()));
        double background = r.runs().stream().filter(x -> x.nodes() == 1 && x.loopback() >= 0).findFirst()
                .map(x -> x.loopback() / x.seconds()).orElse(0.0);
        double num = 0;
        double den = 0;
        for (Run x : r.runs()) {
            if (x.nodes() > 1 && x.loopback() >= 0) {
                double progress = x.progressElsewhere() && r.progressEvery() > 0 ? (double) x.timedSteps()
                        / r.progressEvery() : 0;
                double others = (x.nodes() - 1) * x.seconds();
                num += x.loopback() - background * x.seconds() - r.seenBytes() * ((r.seenSeconds() > 0 && r.snapshotSeconds()
                        > 0 ? others / r.seenSeconds() : 0) + progress);
                den += x.remoteSteps() * (1 + 1.0 / r.pullEvery()) + (r.snapshotSeconds() > 0 ? others
                        / r.snapshotSeconds() : 0) + progress;
            }
        }
        if (base.isEmpty() || den <= 0) {
            return Optional.empty();
        }
        Run b = base.get();
        double staleness = r.runs().stream().mapToDouble(x -> Node.n(x.server(), "StalenessP99") / (double) x.nodes())
                .max().orElse(Double.NaN);
        return Optional.of(new Model(b.timedSteps() / b.seconds() / b.nodes(), b.chars() / b.timedSteps(),
                Math.max(0, num / den), r.seenBytes(), r.pullEvery(), r.progressEvery(), r.snapshotSeconds(),
                r.seenSeconds(), r.maxStaleness(), staleness));
    }

    // ---- the report ----------------------------------------------------------------------------------------------

    @Override
    int exitCode(Result r) {
        return r.failures().isEmpty() ? 0 : 1;
    }

    @Override
    void render(Report md, Result r) {
        Optional<Run> one = r.runs().stream().filter(x -> x.nodes() == 1).findFirst();
        Optional<Model> model = model(r);
        md.h3("Setup")
                .bullet("Nodes: `java %s -jar rill.jar run -c <file>`, one Akka Cluster on loopback (the first two "
                        + "nodes are the seeds), remote JMX on a free loopback port each; the broker: rill's embedded "
                        + "KRaft broker alone in a JVM (`%s ... BrokerMain`); this harness in another, reading every "
                        + "node's beans every %d ms. Every node, the broker and the harness share the machine's cores.",
                        r.nodeJvmOpts(), r.brokerJvmOpts(), r.pollMillis())
                .bullet("Data: `%s`, %,d names (%,d characters a pass with each name's end-of-sequence), %d passes, "
                        + "each shuffled (seed %d), one name per record, to %d partitions in turn. Each run has its own "
                        + "topic, consumer group and shared checkpoint directory; the names are produced only once "
                        + "every node is Up, the group is stable and the parameter server runs.", r.train(), r.names(),
                        r.charsPerPass(), r.passes(), r.seed(), r.partitions())
                .bullet("The model as the nodes had it: %s.", Report.settings(r.model()))
                .bullet("Every node: rill's application.conf, then the run's topic, group, checkpoint directory, "
                        + "cluster and JMX settings, then `%s`.", String.join("`, `", r.lines()))
                .bullet("Timed window: from the first training step seen on any node to the last change of the "
                        + "characters trained; a run ends once the group has committed every record (read from the "
                        + "broker) and that count has stood still for %d s.", r.settle()).end();
        md.h3("Measured");
        List<List<String>> rows = new ArrayList<>();
        for (Run x : r.runs()) {
            Map<String, Object> s = x.server();
            rows.add(List.of("" + x.nodes(), Report.n(x.chars() / x.seconds()), one.map(o -> Report.d(x.chars()
                    / x.seconds() / (o.chars() / o.seconds()), 2)).orElse("n/a"), Report.n(x.chars()),
                    Report.d(x.seconds(), 1), Report.f("%,d", x.steps()), Report.d(x.timedSteps() / x.seconds(), 2),
                    Report.n(x.chars() / x.timedSteps()), s.get("StalenessP50") + " / " + s.get("StalenessP99") + " / "
                            + s.get("StalenessMax"), "" + s.get("StaleGradientsRefused"), Report.d(x.heldOut(), 4),
                    Report.d(nodesCpu(x) / x.seconds(), 2), Report.d((x.brokerCpu() + x.harnessCpu()) / x.seconds(), 2),
                    x.hostAtStart().equals(x.hostAtEnd()) ? x.hostAtEnd() : x.hostAtStart() + " → " + x.hostAtEnd(),
                    x.loopback() < 0 ? "n/a" : Report.f("%,.1f", x.loopback() / 1e6) + model.map(m -> Report.f(" (%,.1f)",
                            fitted(r, x, m) / 1e6)).orElse("")));
        }
        md.table(List.of(">nodes", ">chars/s", ">vs 1 node", ">characters trained", ">seconds", ">steps", ">updates/s",
                ">chars/step", "staleness p50 / p99 / max", ">refused", ">held-out loss", ">nodes' CPU (cores)",
                ">broker + harness CPU (cores)", "server on", "loopback MB (the fit's)"), rows);
        r.failures().forEach(f -> md.para("**Failed:** `%s`", f.replace('`', '\'')));
        md.bullet("How each figure is taken: load-tests/README.md, \"The cluster benchmark\"; server-side figures "
                + "from the node that hosts the parameter server; loopback MB in the window, with the bytes fit's.");
        for (Run x : r.runs()) {
            Map<String, Object> s = x.server();
            md.bullet("%d node%s: %,d records, %,d characters produced in %.1f s; up, joined and stable after %.1f s; "
                    + "every record committed %s after the last change; load average %s before, %s after; training "
                    + "loss %.4f, vocabulary %s, version %s, pulls served %s.", x.nodes(), x.nodes() == 1 ? "" : "s",
                    x.records(), x.characters(), x.produceSeconds(), x.up(), Double.isNaN(x.committedAfter()) ? "n/a"
                            : Report.d(x.committedAfter(), 1) + " s", x.loadStart(), x.loadEnd(),
                    Node.x(s, "TrainingLoss"), s.get("VocabularySize"), s.get("Version"), s.get("Pulls"));
        }
        md.end().h3("Per node");
        rows = new ArrayList<>();
        for (Run x : r.runs()) {
            for (NodeResult n : x.nodeResults()) {
                rows.add(List.of("" + x.nodes(), n.label(), n.server() ? "yes" : "", n.progress() ? "yes" : "",
                        "" + n.partitions(), Report.f("%,d", n.records()), Report.f("%,d (%,d)", n.steps(),
                                n.stepsTimed()), Report.d(n.stepsTimed() / x.seconds(), 2), Report.d(n.stepMillis(), 1),
                        Report.f("%.0f%%", 100 * n.stepsTimed() * n.stepMillis() / 1e3 / x.seconds()),
                        "" + n.batchLanes(), Report.d(n.cpu() / x.seconds(), 2), Report.mib(n.peakRss()),
                        Report.f("%.1f s", n.up()), n.errors() + " / " + n.warnings(), n.exit() == null ? "**killed**"
                                : (Node.clean(n.exit()) ? "clean" : "**failed**") + " (" + n.exit() + ")"));
            }
        }
        md.table(List.of(">nodes", "node", "server", "progress", ">partitions", ">records", ">steps (timed)", ">steps/s",
                ">ms/step", ">worker busy", ">last batch (lanes)", ">CPU (cores)", ">peak RSS", ">up after",
                "log ERROR / WARN", "stop (exit)"), rows);
        md.para("**worker busy**: timed steps x ms/step over the window. **stop**: after SIGTERM to all at once (143: "
                + "the JVM's code after SIGTERM). CPU by thread group, names produced to the end of the run, over JMX:");
        for (Run x : r.runs()) {
            for (NodeResult n : x.nodeResults()) {
                md.bullet("%d node%s, %s: %s", x.nodes(), x.nodes() == 1 ? "" : "s", n.label(), n.threads().describe(8));
                n.firstErrors().forEach(e -> md.bullet("  log: `%s`", e.replace('`', '\'')));
            }
        }
        md.end();
        model.ifPresentOrElse(m -> renderModel(md, r, m), () -> md.h3("Network-cost model").para("Not computed: it "
                + "needs a run of one node (its rate) and one of two or more (the bytes between nodes)."));
    }

    private static double nodesCpu(Run x) {
        return x.nodeResults().stream().mapToDouble(NodeResult::cpu).sum();
    }

    /** What the fit says the loopback carried in a run: the background, the pushes, pulls and snapshots. */
    private static double fitted(Result r, Run x, Model m) {
        double background = r.runs().stream().filter(y -> y.nodes() == 1 && y.loopback() >= 0).findFirst()
                .map(y -> y.loopback() / y.seconds()).orElse(0.0) * x.seconds();
        double progress = x.progressElsewhere() && m.e() > 0 ? (double) x.timedSteps() / m.e() * (m.u() + m.d()) : 0;
        return background + x.remoteSteps() * (m.u() + m.u() / m.p()) + (x.nodes() - 1) * x.seconds() * m.generator()
                + progress;
    }

    private static void renderModel(Report md, Result r, Model m) {
        md.h3("Bytes per update")
                .para("Fitted to the loopback bytes of the runs of two or more nodes (less the one-node run's rate) "
                        + "with G = S = u and S_d = u + D, D = %,d B the seen set: **u = %,.0f B**; per update G + S/p = "
                        + "%,.0f B cross between nodes when the worker is not on the server's node, %,.0f B per character.",
                        m.d(), m.u(), m.u() * (1 + 1.0 / m.p()), m.u() * (1 + 1.0 / m.p()) / m.c());
        List<List<String>> rows = new ArrayList<>();
        for (Run x : r.runs()) {
            if (x.nodes() > 1) {
                rows.add(List.of("" + x.nodes(), Report.f("%,.0f", x.remoteSteps()), Report.d(x.remoteSteps()
                        / x.timedSteps(), 2), Report.d((x.nodes() - 1) / (double) x.nodes(), 2),
                        Report.f("%,.1f", x.loopback() / 1e6), Report.f("%,.1f", fitted(r, x, m) / 1e6)));
            }
        }
        md.table(List.of(">nodes", ">steps of workers not on the server's node", ">fraction measured",
                ">fraction expected (N-1)/N", ">loopback MB", ">the fit's MB"), rows);
        md.h3("Network-cost model")
                .para("U updates/s is the smallest of compute N·r, the server node's link in B / (f·G) and out "
                        + "(B − (N-1)·R_gen) / (f·(S/p + S_d/e)), f = (N-1)/N; chars/s = c·U (load-tests/README.md, \"The "
                        + "cluster benchmark\"). The server actor's and Artery's CPU per message are not modelled.")
                .table(List.of("input", ">value", "measured how"), List.of(
                        List.of("r, one node's worker steps/s", Report.d(m.r(), 3), "the smallest run, per node"),
                        List.of("c, characters per step", Report.n(m.c()), "the same run"),
                        List.of("G = S = u, S_d = u + D", Report.f("%,.0f B, %,.0f B", m.u(), m.u() + m.d()),
                                "loopback fit, Bloom filter size"),
                        List.of("p, e, g, g_s", Report.f("%d steps, %d updates, %s s, %s s", m.p(), m.e(),
                                Report.d(m.g(), 2), Report.d(m.gs(), 1)), "configuration")));
        for (double gbit : r.bandwidths()) {
            double bytes = gbit * 1e9 / 8;
            md.para("**B = %s Gbit/s** (%,.1f MB/s each way):", Report.d(gbit, gbit < 1 ? 1 : 0), bytes / 1e6);
            List<List<String>> predictions = new ArrayList<>();
            for (int n : r.predict()) {
                double[] b = m.bounds(n, bytes);
                String[] names = {"compute", "link in", "link out"};
                int min = 0;
                for (int i = 1; i < 3; i++) {
                    min = b[i] < b[min] ? i : min;
                }
                double u = b[min];
                double f = (n - 1) / (double) n;
                double staleness = m.stalenessPerNode() * n;
                predictions.add(List.of("" + n, Report.n(b[0] * m.c()), Report.n(b[1] * m.c()), Report.n(b[2] * m.c()),
                        "**" + Report.n(u * m.c()) + "**", names[min], Report.d(u / m.r(), 2),
                        Report.n(Math.min(Math.min(b[0], b[1]), b[3]) * m.c()), Report.f("%,.1f MB/s / %,.1f MB/s",
                                f * u * m.u() / 1e6, (f * u * m.outPerUpdate() + (n - 1) * m.generator()) / 1e6),
                        Double.isNaN(staleness) ? "n/a" : Report.f("%.0f%s", staleness, staleness > m.maxStaleness()
                                ? " (> " + m.maxStaleness() + ": refused)" : "")));
            }
            md.table(List.of(">N", ">compute N·r·c", ">link in", ">link out", ">**predicted chars/s**", "limited by",
                    ">x one node", ">shared-link chars/s", "server link in / out", ">staleness p99 (rough)"), predictions);
        }
        md.para("Bounds in characters per second; **shared-link**: both directions share B; **staleness p99 "
                + "(rough)**: the largest p99 per node times N, against `rill.lstm.max-staleness`.");
        Optional<Run> one = r.runs().stream().filter(x -> x.nodes() == 1).findFirst();
        md.h3("Observations");
        for (Run x : r.runs()) {
            if (x.nodes() > 1 && one.isPresent()) {
                Run o = one.get();
                md.bullet("%d nodes trained at %.2fx the one-node rate (%s against %s chars/s), the nodes using %.2f "
                        + "cores together (one node: %.2f), each worker stepping on %s characters instead of %s.",
                        x.nodes(), x.chars() / x.seconds() / (o.chars() / o.seconds()), Report.n(x.chars() / x.seconds()),
                        Report.n(o.chars() / o.seconds()), nodesCpu(x) / x.seconds(), nodesCpu(o) / o.seconds(),
                        Report.n(x.chars() / x.timedSteps()), Report.n(o.chars() / o.timedSteps()));
            }
            if (Node.n(x.server(), "StaleGradientsRefused") > 0) {
                md.bullet("%d nodes: %s gradients refused as stale (p99 staleness %s, max %s).", x.nodes(),
                        x.server().get("StaleGradientsRefused"), x.server().get("StalenessP99"),
                        x.server().get("StalenessMax"));
            }
        }
        md.bullet("On one machine the nodes share its cores: a node adds no compute, only a JVM, serialization and "
                + "smaller batches per worker. The model says how it would scale on N machines.");
        for (double gbit : r.bandwidths()) {
            int leaves = r.predict().stream().sorted().filter(n -> {
                double[] b = m.bounds(n, gbit * 1e9 / 8);
                return Math.min(b[1], b[2]) < b[0];
            }).findFirst().orElse(-1);
            md.bullet("At %s Gbit/s the model %s.", Report.d(gbit, gbit < 1 ? 1 : 0), leaves < 0
                    ? "stays compute bound up to N = " + Collections.max(r.predict())
                    : "leaves the compute bound at N = " + leaves);
        }
        md.end();
    }
}
