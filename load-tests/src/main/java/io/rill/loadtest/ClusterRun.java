package io.rill.loadtest;

import com.typesafe.config.ConfigUtil;
import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One measurement of the cluster benchmark: N rill nodes, each {@code java -jar rill.jar run -c FILE} in a child JVM,
 * form one Akka Cluster on loopback and learn the names from a topic of their own. In order:
 * <ol>
 *   <li>a fresh topic, consumer group and shared checkpoint directory; the nodes start together (the first two are
 *       the seeds) and the harness waits until every node sees N members Up, the consumer group is stable with every
 *       partition assigned, and one node hosts the model's parameter server;</li>
 *   <li>only then the names are produced (so no partition moves while the nodes learn), and the harness polls every
 *       node's {@code rill:type=CharModel} bean until the group has committed every record and the count of
 *       characters trained has stood still for {@code --settle} seconds;</li>
 *   <li>it reads every node's figures (the server-side ones, version, staleness, pulls, from the node that hosts the
 *       server; steps and step time from each node) and CPU, then stops the nodes with SIGTERM, all at once.</li>
 * </ol>
 * The timed window is from the first training step seen on any node to the last change of the characters trained.
 */
final class ClusterRun {

    static final String MODEL = "names";
    /** How the model's parameter server appears in {@code rill:type=Cluster}'s HostedEntities. */
    static final String ENTITY = "char-model/" + MODEL;
    static final String DEADLETTER = "bench.names.deadletter";
    private static final Pattern WARN = Pattern.compile("^\\S+ WARN ");

    /**
     * One node's figures. {@code steps} are all its worker's steps, {@code stepsTimed} those in the timed window and
     * {@code stepMillis} their mean time (forward and backward); CPU seconds are for the window, from /proc (native
     * threads included). {@code exitCode} is null if the node had to be killed.
     */
    record NodeResult(String label, long pid, boolean hostsServer, boolean runsProgress, int partitions, long records,
                      long steps, long stepsTimed, double stepMillis, int batchLanes, long pulls, double cpuSeconds,
                      long peakRssBytes, CpuSnapshot.Phase threads, int errorLines, int warnLines,
                      List<String> firstErrors, Integer exitCode, double upSeconds) {

        /** Ended by itself after SIGTERM: 143 is the JVM's exit code after a SIGTERM it handled. */
        boolean stoppedCleanly() {
            return exitCode != null && (exitCode == 0 || exitCode == 143);
        }
    }

    /**
     * The run's figures. {@code seconds}: first step seen → last change of the characters trained. Server-side
     * figures (version, pulls, staleness, refused) are the hosting node's; the held-out loss is from the node that runs
     * the progress reporter (a cluster singleton). {@code loopbackBytes} is every byte on the machine's loopback in
     * the timed window (Kafka, JMX and anything else running here included).
     */
    record Result(int index, int nodes, String topic, double upSeconds, double produceSeconds, long records,
                  long characters, double seconds, long charsAtFirstStep, long charsTrained, long stepsAtFirstStep,
                  long version, long pulls, long stalenessP50, long stalenessP99, long stalenessMax, long refused,
                  double heldOutLoss, double trainingLoss, int vocabulary, long loopbackBytes, double brokerCpuSeconds,
                  double harnessCpuSeconds, double committedAfterSeconds, String loadStart, String loadEnd,
                  String hostAtStart, String hostAtEnd, List<NodeResult> nodeResults) {

        long steps() {
            return nodeResults.stream().mapToLong(NodeResult::steps).sum();
        }

        double charsPerSec() {
            return (charsTrained - charsAtFirstStep) / seconds;
        }

        /** Updates the server applied per second in the window: one per step of any worker. */
        double updatesPerSec() {
            return (steps() - stepsAtFirstStep) / seconds;
        }

        /** Characters per step in the window, so that updates/s x chars/step = chars/s. */
        double charsPerStep() {
            long timed = steps() - stepsAtFirstStep;
            return timed == 0 ? Double.NaN : (double) (charsTrained - charsAtFirstStep) / timed;
        }

        /** Steps of workers on nodes other than the server's: their pushes and pulls crossed between nodes. */
        double crossingFraction() {
            long remote = nodeResults.stream().filter(n -> !n.hostsServer()).mapToLong(NodeResult::steps).sum();
            return steps() == 0 ? Double.NaN : (double) remote / steps();
        }

        double nodesCpuSeconds() {
            return nodeResults.stream().mapToDouble(NodeResult::cpuSeconds).sum();
        }
    }

    private final ClusterBench bench;
    private final int index;
    private final int n;
    private final Path dir;
    private final String bootstrap;
    private final Admin admin;
    private final List<String> names;
    private final String topic;
    private final String group;
    private final List<ChildProcess> processes = new ArrayList<>();
    private final List<NodeJmx> jmx = new ArrayList<>();
    private final List<Double> upSeconds = new ArrayList<>();

    ClusterRun(ClusterBench bench, int index, int nodes, Path dir, String bootstrap, Admin admin, List<String> names) {
        this.bench = bench;
        this.index = index;
        this.n = nodes;
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.admin = admin;
        this.names = names;
        this.topic = "bench.names.run" + index;
        this.group = "bench-cluster-" + index + "-" + UUID.randomUUID();
    }

    Result run() throws Exception {
        System.out.printf("%n== %d node%s (topic %s) ==%n", n, n == 1 ? "" : "s", topic);
        Path topicsDir = Files.createDirectories(dir.resolve("topics"));
        BenchSupport.writeTopicSpecs(topicsDir, topic, bench.partitions, DEADLETTER);
        BenchSupport.writeGenerationTopicSpecs(topicsDir, bench.generation());
        TopicProvisioner.ensure(admin, TopicSpec.loadAll(topicsDir));
        try {
            long starting = System.nanoTime();
            startNodes(topicsDir);
            awaitMembersUp();
            List<Integer> assignment = awaitGroupStable();
            String hostAtStart = awaitServerHost();
            double up = (System.nanoTime() - starting) / 1e9;
            System.out.printf(Locale.ROOT, "[run %d] %d node%s up, all members Up, group stable (%s), the parameter "
                            + "server on %s: %.1f s after the start%n", index, n, n == 1 ? "" : "s",
                    "partitions per member " + assignment, hostAtStart, up);
            return measure(up, hostAtStart);
        } finally {
            stopNodes();
        }
    }

    // ---- starting -----------------------------------------------------------------------------------------------

    private void startNodes(Path topicsDir) throws Exception {
        int[] clusterPorts = new int[n];
        int[] jmxPorts = new int[n];
        for (int i = 0; i < n; i++) {
            clusterPorts[i] = ChildJvms.freePort();
            jmxPorts[i] = ChildJvms.freePort();
        }
        String seeds = "127.0.0.1:" + clusterPorts[0] + (n > 1 ? ",127.0.0.1:" + clusterPorts[1] : "");
        long[] started = new long[n];
        for (int i = 0; i < n; i++) {
            String label = "node-" + i;
            Path config = dir.resolve(label + ".conf");
            Files.writeString(config, nodeConfig(label, topicsDir, clusterPorts[i], jmxPorts[i], seeds),
                    StandardCharsets.UTF_8);
            started[i] = System.nanoTime();
            processes.add(ChildJvms.startNode(label, bench.nodeJvmOpts, bench.rillJar, config,
                    dir.resolve(label + ".log")));
        }
        // They start together; each is ready once it is a member and its models run (the Generation bean is there).
        for (int i = 0; i < n; i++) {
            jmx.add(NodeJmx.connect(jmxPorts[i], processes.get(i), Duration.ofSeconds(bench.startTimeout)));
            upSeconds.add((System.nanoTime() - started[i]) / 1e9);
        }
    }

    /** The node's configuration: the run's topic, group and checkpoints, the cluster, remote JMX, then --set. */
    private String nodeConfig(String label, Path topicsDir, int clusterPort, int jmxPort, String seeds) {
        StringBuilder c = new StringBuilder();
        c.append("# Written by the cluster benchmark for ").append(label).append(" of a ").append(n)
                .append("-node run\n");
        c.append("rill.node.data-dir = ").append(quote(dir.resolve(label))).append('\n');
        c.append("rill.checkpoint.directory = ").append(quote(dir.resolve("checkpoints"))).append('\n');
        c.append("rill.kafka.bootstrap-servers = ").append(ConfigUtil.quoteString(bootstrap)).append('\n');
        c.append("rill.kafka.group-id = ").append(ConfigUtil.quoteString(group)).append('\n');
        c.append("rill.kafka.topics-dir = ").append(quote(topicsDir)).append('\n');
        c.append("rill.ingest.deadletter-topic = ").append(ConfigUtil.quoteString(DEADLETTER)).append('\n');
        // As application.conf has the names stream: character tokens, batches of at most 64 KiB.
        c.append("rill.ingest.streams = [{ topic = ").append(ConfigUtil.quoteString(topic))
                .append(", tokenizer = \"characters\", batch-bytes = 65536 }]\n");
        c.append("rill.lstm.models = [{ name = \"").append(MODEL).append("\", topics = [")
                .append(ConfigUtil.quoteString(topic)).append("], sequences = \"line\" }]\n");
        c.append("rill.skipgram.enabled = false\n");
        c.append("rill.jmx.remote { enabled = true, host = \"127.0.0.1\", port = ").append(jmxPort).append(" }\n");
        // Nodes that start together on two cores can take a while to join: more than the default minute.
        c.append("rill.cluster { enabled = true, host = \"127.0.0.1\", port = ").append(clusterPort)
                .append(", seed-nodes = \"").append(seeds).append("\", node-name = \"").append(label)
                .append("\", join-timeout = ").append(bench.startTimeout).append("s }\n");
        for (String line : bench.settingLines()) {
            c.append(line).append('\n');
        }
        return c.toString();
    }

    private static String quote(Path path) {
        return ConfigUtil.quoteString(path.toAbsolutePath().toString());
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(bench.startTimeout);
    }

    private void checkAlive(long deadline, String what) {
        for (ChildProcess p : processes) {
            if (!p.alive()) {
                throw new IllegalStateException(p.name() + " ended (exit " + p.exitCode() + ") before " + what
                        + "; see " + p.log());
            }
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out after " + bench.startTimeout + " s waiting until " + what);
        }
    }

    /** Until every node sees N members, all Up. */
    private void awaitMembersUp() throws Exception {
        long deadline = deadline();
        while (true) {
            boolean all = true;
            for (NodeJmx node : jmx) {
                Map<String, Object> cluster = node.attributes(NodeJmx.CLUSTER, "MemberCount", "Members");
                String members = String.valueOf(cluster.get("Members"));
                long up = members.isEmpty() ? 0
                        : List.of(members.split(", ")).stream().filter(m -> m.endsWith(" Up")).count();
                all &= ((Number) cluster.get("MemberCount")).intValue() == n && up == n;
            }
            if (all) {
                return;
            }
            checkAlive(deadline, "every node saw " + n + " members Up");
            Thread.sleep(250);
        }
    }

    /**
     * Until the consumer group is stable with N members and every partition of the topic assigned; the partitions of
     * each member. (Members show no node label; the nodes' own stream beans say later who took in what.)
     */
    private List<Integer> awaitGroupStable() throws Exception {
        long deadline = deadline();
        while (true) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(30, TimeUnit.SECONDS).get(group);
            List<Integer> perMember = new ArrayList<>();
            for (MemberDescription member : description.members()) {
                perMember.add((int) member.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().equals(topic)).count());
            }
            int assigned = perMember.stream().mapToInt(Integer::intValue).sum();
            if (description.state() == ConsumerGroupState.STABLE && perMember.size() == n
                    && assigned == bench.partitions) {
                perMember.sort(null);
                return perMember;
            }
            checkAlive(deadline, "the consumer group was stable with " + n + " members");
            Thread.sleep(500);
        }
    }

    /** Until exactly one node hosts the model's parameter server; its label. */
    private String awaitServerHost() throws Exception {
        long deadline = deadline();
        while (true) {
            String host = serverHost();
            if (host != null) {
                return host;
            }
            checkAlive(deadline, "one node hosted " + ENTITY);
            Thread.sleep(250);
        }
    }

    /** The label of the node whose HostedEntities names the model's server, or null if not exactly one does. */
    private String serverHost() throws Exception {
        String host = null;
        for (int i = 0; i < n; i++) {
            String hosted = String.valueOf(jmx.get(i).attribute(NodeJmx.CLUSTER, "HostedEntities"));
            if (List.of(hosted.split(",\\s*")).contains(ENTITY)) {
                if (host != null) {
                    return null;
                }
                host = processes.get(i).name();
            }
        }
        return host;
    }

    // ---- measuring ----------------------------------------------------------------------------------------------

    private Result measure(double up, String hostAtStart) throws Exception {
        String loadStart = ProcMemory.loadAverages();
        List<CpuSnapshot> threadsBefore = new ArrayList<>();
        for (NodeJmx node : jmx) {
            threadsBefore.add(node.cpu());
        }
        NameRecords.Sent sent = NameRecords.produce(bootstrap, topic, bench.partitions, true, names, bench.passes,
                new Random(bench.seed));
        Map<TopicPartition, Long> ends = BenchSupport.endOffsets(admin, topic, bench.partitions);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        if (total != sent.records()) {
            throw new IllegalStateException("topic holds " + total + " records, expected " + sent.records());
        }
        System.out.printf(Locale.ROOT, "[run %d] produced %,d names x %d passes (%,d records, %,d characters) in "
                + "%.1f s%n", index, names.size(), bench.passes, sent.records(), sent.characters(), sent.seconds());

        long harnessPid = ProcessHandle.current().pid();
        long brokerPid = bench.brokerPid();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(bench.timeout);
        long firstStep = -1;
        long charsAtFirstStep = 0;
        long stepsAtFirstStep = 0;
        long[] nodeStepsAtFirstStep = new long[n];
        double[] nodeStepMillisAtFirstStep = new double[n];
        long lastChange = -1;
        long lastChars = -1;
        long committedAt = -1;
        double[] cpuAtFirst = new double[n + 2]; // the nodes, the broker, this harness
        double[] cpuAtLast = new double[n + 2];
        long loAtFirst = -1;
        long loAtLast = -1;
        long lastPrint = start;
        long lastCommitCheck = 0;
        boolean committed = false;
        while (true) {
            long now = System.nanoTime();
            long chars = 0;
            long steps = 0;
            long[] nodeSteps = new long[n];
            double[] nodeStepMillis = new double[n];
            for (int i = 0; i < n; i++) {
                Map<String, Object> v = jmx.get(i).attributes(NodeJmx.charModel(MODEL), "Steps", "StepMillis",
                        "CharactersTrained");
                nodeSteps[i] = ((Number) v.get("Steps")).longValue();
                nodeStepMillis[i] = ((Number) v.get("StepMillis")).doubleValue();
                steps += nodeSteps[i];
                chars = Math.max(chars, ((Number) v.get("CharactersTrained")).longValue());
            }
            double[] cpu = cpuNow(brokerPid, harnessPid);
            long lo = ProcMemory.loopbackBytes();
            if (firstStep < 0 && steps > 0) {
                firstStep = now;
                charsAtFirstStep = chars;
                stepsAtFirstStep = steps;
                nodeStepsAtFirstStep = nodeSteps;
                nodeStepMillisAtFirstStep = nodeStepMillis;
                cpuAtFirst = cpu;
                loAtFirst = lo;
            }
            if (chars != lastChars) {
                lastChars = chars;
                if (firstStep >= 0) {
                    lastChange = now;
                    cpuAtLast = cpu;
                    loAtLast = lo;
                }
            }
            if (now - lastCommitCheck > TimeUnit.SECONDS.toNanos(1)) {
                lastCommitCheck = now;
                committed = allCommitted(ends);
                if (committed && committedAt < 0) {
                    committedAt = now;
                } else if (!committed) {
                    committedAt = -1;
                }
            }
            if (committed && lastChange > 0 && now - lastChange > TimeUnit.SECONDS.toNanos(bench.settleSeconds)) {
                break;
            }
            if (now > deadline) {
                throw new IllegalStateException(String.format(Locale.ROOT, "after %d s: %,d characters trained, %,d "
                        + "steps, every record committed: %s", bench.timeout, chars, steps, committed));
            }
            for (ChildProcess p : processes) {
                if (!p.alive()) {
                    throw new IllegalStateException(p.name() + " ended (exit " + p.exitCode() + ") during the run; "
                            + "see " + p.log());
                }
            }
            if (now - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
                System.out.printf(Locale.ROOT, "[run %d] %.0f s: %,d characters trained (%.2f passes), %,d steps, "
                                + "every record committed: %s%n", index, (now - start) / 1e9, chars,
                        chars / (double) sent.characters() * bench.passes, steps, committed);
                lastPrint = now;
            }
            Thread.sleep(bench.pollMillis);
        }
        if (firstStep < 0 || lastChange <= firstStep) {
            throw new IllegalStateException("no training seen: first step " + firstStep + ", last change " + lastChange);
        }
        double seconds = (lastChange - firstStep) / 1e9;

        String hostAtEnd = serverHost();
        List<NodeResult> nodeResults = new ArrayList<>();
        Map<String, Object> server = null;
        double heldOut = Double.NaN;
        for (int i = 0; i < n; i++) {
            NodeJmx node = jmx.get(i);
            ChildProcess process = processes.get(i);
            Map<String, Object> model = node.attributes(NodeJmx.charModel(MODEL), "Version", "CharactersTrained",
                    "Pulls", "Steps", "StepMillis", "BatchLanes", "StalenessP50", "StalenessP99", "StalenessMax",
                    "StaleGradientsRefused", "HeldOutLoss", "TrainingLoss", "VocabularySize");
            boolean hosts = process.name().equals(hostAtEnd);
            // StepMillis is the mean over every step so far: the window's mean from the totals at both ends.
            long steps = ((Number) model.get("Steps")).longValue();
            long stepsTimed = steps - nodeStepsAtFirstStep[i];
            double before = nodeStepsAtFirstStep[i] == 0 ? 0
                    : nodeStepMillisAtFirstStep[i] * nodeStepsAtFirstStep[i];
            double stepMillis = stepsTimed == 0 ? Double.NaN
                    : (((Number) model.get("StepMillis")).doubleValue() * steps - before) / stepsTimed;
            if (hosts) {
                server = model;
            }
            double nodeHeldOut = ((Number) model.get("HeldOutLoss")).doubleValue();
            boolean progress = !Double.isNaN(nodeHeldOut);
            if (progress && Double.isNaN(heldOut)) {
                heldOut = nodeHeldOut;
            }
            CpuSnapshot.Phase threads = node.cpu().since(threadsBefore.get(i));
            // Nothing was on the topic before the group was stable, so the streams that took records in are the
            // partitions this node learned from.
            List<NodeJmx.Stream> streams = node.streams().values().stream()
                    .filter(st -> st.topic().equals(topic) && st.recordsIn() > 0).toList();
            nodeResults.add(new NodeResult(process.name(), process.pid(), hosts, progress, streams.size(),
                    streams.stream().mapToLong(NodeJmx.Stream::recordsIn).sum(), steps, stepsTimed, stepMillis,
                    ((Number) model.get("BatchLanes")).intValue(), ((Number) model.get("Pulls")).longValue(),
                    cpuAtLast[i] - cpuAtFirst[i],
                    ProcMemory.of(process.pid()).map(ProcMemory::peakRssBytes).orElse(-1L),
                    threads, 0, 0, List.of(), null, upSeconds.get(i)));
        }
        if (server == null) {
            throw new IllegalStateException("no node hosts " + ENTITY + " at the end");
        }
        double committedAfter = committedAt < 0 ? Double.NaN : Math.max(0, (committedAt - lastChange) / 1e9);
        String loadEnd = ProcMemory.loadAverages();
        List<NodeResult> stopped = stopNodes(nodeResults);
        Result result = new Result(index, n, topic, up, sent.seconds(), sent.records(), sent.characters(), seconds,
                charsAtFirstStep, ((Number) server.get("CharactersTrained")).longValue(), stepsAtFirstStep,
                ((Number) server.get("Version")).longValue(), ((Number) server.get("Pulls")).longValue(),
                ((Number) server.get("StalenessP50")).longValue(), ((Number) server.get("StalenessP99")).longValue(),
                ((Number) server.get("StalenessMax")).longValue(),
                ((Number) server.get("StaleGradientsRefused")).longValue(), heldOut,
                ((Number) server.get("TrainingLoss")).doubleValue(), ((Number) server.get("VocabularySize")).intValue(),
                loAtFirst < 0 || loAtLast < 0 ? -1 : loAtLast - loAtFirst, cpuAtLast[n] - cpuAtFirst[n],
                cpuAtLast[n + 1] - cpuAtFirst[n + 1], committedAfter, loadStart, loadEnd, hostAtStart, hostAtEnd,
                stopped);
        System.out.printf(Locale.ROOT, "[run %d] %d node%s: %,.0f chars/s (%,d characters in %.1f s, first step -> last "
                        + "change), %,d steps, %.1f updates/s; staleness p50 %d p99 %d, %d refused; held-out loss %.4f%n",
                index, n, n == 1 ? "" : "s", result.charsPerSec(), result.charsTrained() - charsAtFirstStep, seconds,
                result.steps(), result.updatesPerSec(), result.stalenessP50(), result.stalenessP99(), result.refused(),
                heldOut);
        return result;
    }

    /** CPU seconds so far of each node, the broker and this harness (/proc, native threads included). */
    private double[] cpuNow(long brokerPid, long harnessPid) {
        double[] cpu = new double[n + 2];
        for (int i = 0; i < n; i++) {
            cpu[i] = ProcMemory.cpuSeconds(processes.get(i).pid());
        }
        cpu[n] = ProcMemory.cpuSeconds(brokerPid);
        cpu[n + 1] = ProcMemory.cpuSeconds(harnessPid);
        return cpu;
    }

    /** Whether the group has committed every partition to its end offset, by the broker. */
    private boolean allCommitted(Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            OffsetAndMetadata committed = offsets.get(end.getKey());
            if (end.getValue() > 0 && (committed == null || committed.offset() < end.getValue())) {
                return false;
            }
        }
        return true;
    }

    // ---- stopping -----------------------------------------------------------------------------------------------

    /** SIGTERM to every node at once, then each gets the grace period; the results with exit codes and log counts. */
    private List<NodeResult> stopNodes(List<NodeResult> results) throws InterruptedException {
        List<Integer> exits = stopNodes();
        List<NodeResult> stopped = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            NodeResult r = results.get(i);
            ChildProcess p = processes.get(i);
            List<String> errors = p.grep(FaultCluster.ERROR);
            stopped.add(new NodeResult(r.label(), r.pid(), r.hostsServer(), r.runsProgress(), r.partitions(),
                    r.records(), r.steps(), r.stepsTimed(), r.stepMillis(), r.batchLanes(), r.pulls(), r.cpuSeconds(),
                    r.peakRssBytes(), r.threads(), errors.size(), p.grep(WARN).size(),
                    errors.stream().limit(3).toList(), exits.get(i), r.upSeconds()));
        }
        return stopped;
    }

    /**
     * Stops whatever still runs: SIGTERM to all at once, then up to the grace period each, then SIGKILL. Per node,
     * its exit code, or null if it had to be killed. Safe to call twice.
     */
    private List<Integer> stopNodes() throws InterruptedException {
        jmx.forEach(NodeJmx::close);
        processes.stream().filter(ChildProcess::alive).forEach(ChildProcess::requestStop);
        List<Integer> exits = new ArrayList<>();
        for (ChildProcess p : processes) {
            // Also for one that has ended: terminate waits for its log to be written out.
            boolean ended = p.terminate(Duration.ofSeconds(bench.stopGraceSeconds));
            if (!ended) {
                System.out.printf("[run %d] %s did not stop within %d s of SIGTERM; killed%n", index, p.name(),
                        bench.stopGraceSeconds);
            }
            exits.add(ended ? p.exitCode() : null);
        }
        return exits;
    }
}
