package io.rill.loadtest;

import com.typesafe.config.ConfigUtil;
import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * One scenario's world: a broker in a child JVM ({@link BrokerMain}) with a data directory of its own, rill's topics
 * on it (the specs bundled in rill's jar, so the same names and partitions as a real node), and the rill nodes the
 * scenario starts, each a child {@code java -jar rill.jar run -c <file>} with remote JMX on a free loopback port.
 * It knows how to start, kill and stop both, how to read offsets from the broker, and how to wait for a node to
 * take in everything; {@link #close} ends whatever still runs.
 */
final class FaultCluster implements AutoCloseable {

    static final String CORPUS = "rill.text.corpus";
    static final String NAMES = "rill.text.names";
    static final String REQUESTS = "rill.generate.requests";
    static final String GENERATED = "rill.generated";
    static final String DEADLETTER = "rill.deadletter";
    static final String GROUP = "rill-faults";
    /** The text partitions rill ingests: both text topics have two. */
    static final List<TopicPartition> TEXT_PARTITIONS = List.of(new TopicPartition(CORPUS, 0),
            new TopicPartition(CORPUS, 1), new TopicPartition(NAMES, 0), new TopicPartition(NAMES, 1));

    /** A rill node of this scenario. */
    static final class Node {
        final String label;
        final ChildProcess process;
        final NodeJmx jmx;
        final int jmxPort;
        /** Seconds from the process start to its learners' beans on JMX. */
        final double upSeconds;
        final long startedNanos;

        Node(String label, ChildProcess process, NodeJmx jmx, int jmxPort, double upSeconds, long startedNanos) {
            this.label = label;
            this.process = process;
            this.jmx = jmx;
            this.jmxPort = jmxPort;
            this.upSeconds = upSeconds;
            this.startedNanos = startedNanos;
        }

        /** Seconds since this node's process was started. */
        double age() {
            return (System.nanoTime() - startedNanos) / 1e9;
        }
    }

    private final FaultBench bench;
    private final Path dir;
    private final Path brokerDir;
    private final List<Node> nodes = new ArrayList<>();
    private ChildProcess broker;
    private int brokerStarts;
    private int port;
    private String bootstrap;
    private Admin admin;
    private volatile Node current;

    FaultCluster(FaultBench bench, Path dir) throws IOException {
        this.bench = bench;
        this.dir = Files.createDirectories(dir);
        this.brokerDir = dir.resolve("broker");
    }

    Path dir() {
        return dir;
    }

    String bootstrap() {
        return bootstrap;
    }

    Admin admin() {
        return admin;
    }

    /** The node started last, or null; what the timeline samples. */
    NodeJmx currentJmx() {
        Node node = current;
        return node == null || !node.process.alive() ? null : node.jmx;
    }

    // ---- the broker ---------------------------------------------------------------------------------------------------

    /**
     * Starts the broker: the first time on a free port, afterwards on the same port and data directory. Returns the
     * seconds until it printed its address.
     */
    double startBroker() throws Exception {
        if (broker != null && broker.alive()) {
            throw new IllegalStateException("the broker is already running");
        }
        if (port == 0) {
            port = freePort();
        }
        long start = System.nanoTime();
        ChildJvms.Broker started = ChildJvms.startBroker(bench.brokerJvmOpts, brokerDir, port,
                dir.resolve("broker.log"), Duration.ofSeconds(bench.startTimeout));
        broker = started.process();
        bootstrap = started.bootstrap();
        brokerStarts++;
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
            props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
            admin = Admin.create(props);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Takes the broker away: SIGKILL ({@code kill}) or SIGTERM (a clean shutdown, up to 60 s). */
    void stopBroker(boolean kill) throws InterruptedException {
        if (kill) {
            broker.kill();
        } else if (!broker.terminate(Duration.ofSeconds(60))) {
            System.out.println("[cluster] the broker did not stop within 60 s of SIGTERM; killed");
        }
    }

    boolean brokerAlive() {
        return broker != null && broker.alive();
    }

    /** rill's topics, from the specs bundled in its jar, created as a node would create them. */
    void createTopics() {
        TopicProvisioner.ensure(admin, TopicSpec.loadAll(null));
    }

    // ---- nodes --------------------------------------------------------------------------------------------------------

    /**
     * Starts a node with the harness's base configuration, then {@code extra} HOCON, then the user's {@code --set}
     * lines (so they win), and waits until its learners' beans are on JMX.
     */
    Node startNode(String label, String jvmOpts, String extra) throws Exception {
        int jmxPort = freePort();
        StringBuilder config = new StringBuilder();
        config.append("# Written by the fault harness for node ").append(label).append('\n');
        config.append("rill.node.data-dir = ").append(ConfigUtil.quoteString(dir.resolve("node").toString())).append('\n');
        config.append("rill.kafka.bootstrap-servers = ").append(ConfigUtil.quoteString(bootstrap)).append('\n');
        config.append("rill.kafka.group-id = ").append(ConfigUtil.quoteString(GROUP)).append('\n');
        config.append("rill.jmx.remote { enabled = true, host = \"127.0.0.1\", port = ").append(jmxPort).append(" }\n");
        config.append("rill.checkpoint.interval = ").append(bench.checkpointInterval).append('\n');
        config.append(extra);
        if (!extra.endsWith("\n")) {
            config.append('\n');
        }
        for (String line : bench.overrides) {
            config.append(line).append('\n');
        }
        Path file = dir.resolve(label + ".conf");
        Files.writeString(file, config.toString(), StandardCharsets.UTF_8);
        long started = System.nanoTime();
        ChildProcess process = ChildJvms.startNode(label, jvmOpts, bench.rillJar, file, dir.resolve(label + ".log"));
        NodeJmx jmx;
        try {
            jmx = NodeJmx.connect(jmxPort, process, Duration.ofSeconds(bench.startTimeout));
        } catch (RuntimeException | InterruptedException e) {
            process.kill();
            throw e;
        }
        Node node = new Node(label, process, jmx, jmxPort, (System.nanoTime() - started) / 1e9, started);
        nodes.add(node);
        current = node;
        return node;
    }

    List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * Waits until the node takes in new records: every stream of {@code streams} has its bean (its partition is
     * assigned and its state restored), and half a second later the count of records taken in has grown. Returns the
     * node's age (seconds since its process started) at that moment.
     */
    double awaitConsuming(Node node, int streams, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (node.jmx.streams().size() < streams) {
            checkAlive(node, deadline, "its partitions were assigned");
            Thread.sleep(100);
        }
        Thread.sleep(500); // the bean comes before the restored counts; let them land
        long before = node.jmx.recordsIn();
        while (node.jmx.recordsIn() <= before) {
            checkAlive(node, deadline, "it took in new records");
            Thread.sleep(100);
        }
        return node.age();
    }

    private void checkAlive(Node node, long deadline, String what) {
        if (!node.process.alive()) {
            throw new IllegalStateException(node.label + " ended (exit " + node.process.exitCode() + ") before " + what
                    + "; see " + node.process.log());
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(node.label + ": timed out waiting until " + what);
        }
    }

    // ---- offsets and the final accounting ---------------------------------------------------------------------------

    /** Each partition's end offset, from the broker. */
    Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new LinkedHashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        Map<TopicPartition, Long> ordered = new LinkedHashMap<>();
        partitions.forEach(tp -> ordered.put(tp, ends.get(tp)));
        return ordered;
    }

    /** The group's committed offsets, from the broker (-1: none). */
    Map<TopicPartition, Long> committedOffsets(List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        partitions.forEach(tp -> offsets.put(tp, committed.get(tp) == null ? -1 : committed.get(tp).offset()));
        return offsets;
    }

    /**
     * The end of a scenario: everything produced is on the broker; waits until the node has taken in every partition
     * to its end offset and committed it (by its own beans), then compares: per partition, records lost (end offset
     * minus records counted, when positive), counted twice (the other way round), and the committed offset the broker
     * holds for the group.
     */
    Accounting awaitAccounted(Node node, List<TopicPartition> partitions, Duration timeout) throws Exception {
        Map<TopicPartition, Long> ends = endOffsets(partitions);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, NodeJmx.Stream> streams = Map.of();
        boolean done = false;
        while (System.nanoTime() < deadline && node.process.alive()) {
            streams = node.jmx.streams();
            done = true;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                NodeJmx.Stream s = streams.get(end.getKey().topic() + "-" + end.getKey().partition());
                long in = s == null ? 0 : s.recordsIn();
                long committed = s == null ? -1 : s.lastCommittedOffset();
                if (end.getValue() > 0 && (in < end.getValue() || committed < end.getValue())) {
                    done = false;
                }
            }
            if (done) {
                break;
            }
            Thread.sleep(250);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<TopicPartition, Long> brokerCommitted = committedOffsets(partitions);
        List<Accounting.Row> rows = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            NodeJmx.Stream s = streams.get(end.getKey().topic() + "-" + end.getKey().partition());
            rows.add(new Accounting.Row(end.getKey(), end.getValue(), s == null ? 0 : s.recordsIn(),
                    s == null ? -1 : s.lastCommittedOffset(), brokerCommitted.get(end.getKey())));
        }
        return new Accounting(rows, done, seconds);
    }

    /** Per partition: the end offset, records rill counted, its last committed offset, and the broker's. */
    record Accounting(List<Row> rows, boolean complete, double seconds) {

        record Row(TopicPartition partition, long end, long recordsIn, long nodeCommitted, long brokerCommitted) {
        }

        long produced() {
            return rows.stream().mapToLong(Row::end).sum();
        }

        long counted() {
            return rows.stream().mapToLong(Row::recordsIn).sum();
        }

        long lost() {
            return rows.stream().mapToLong(r -> Math.max(0, r.end() - r.recordsIn())).sum();
        }

        long countedTwice() {
            return rows.stream().mapToLong(r -> Math.max(0, r.recordsIn() - r.end())).sum();
        }

        boolean allCommitted() {
            return rows.stream().allMatch(r -> r.end() == 0 || r.brokerCommitted() == r.end() && r.nodeCommitted() == r.end());
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            for (Row r : rows) {
                parts.add(String.format(Locale.ROOT, "%s-%d end %,d counted %,d committed %,d (broker %,d)",
                        r.partition().topic(), r.partition().partition(), r.end(), r.recordsIn(), r.nodeCommitted(),
                        r.brokerCommitted()));
            }
            return String.join("; ", parts);
        }
    }

    /**
     * The standard end checks of a scenario that produced good records: nothing lost, nothing counted twice, every
     * offset committed (by the node's beans and on the broker), all within the wait.
     */
    static void checkAccounting(ScenarioResult result, Accounting a) {
        result.figure("records produced (end offsets)", "%,d", a.produced());
        result.figure("records counted by rill (RecordsIn)", "%,d", a.counted());
        result.figure("records lost", "%,d", a.lost());
        result.figure("records counted twice", "%,d", a.countedTwice());
        result.check("every produced record counted (none lost)", a.lost() == 0, "%,d of %,d lost", a.lost(),
                a.produced());
        result.check("no record counted twice", a.countedTwice() == 0, "%,d counted twice", a.countedTwice());
        result.check("every partition committed to its end offset", a.allCommitted() && a.complete(),
                "%s; waited %.1f s", a.describe(), a.seconds());
    }

    // ---- logs ----------------------------------------------------------------------------------------------------------

    static final Pattern INVALID_CHECKPOINT = Pattern.compile(
            "skipping checkpoint file|checkpoint .* skipped|no valid checkpoint|cannot restore");
    static final Pattern OOM = Pattern.compile("OutOfMemoryError");
    static final Pattern ERROR = Pattern.compile("^\\S+ ERROR ");
    static final Pattern SOURCE_RESTART = Pattern.compile("restarting the Kafka source");
    static final Pattern UNFINISHED = Pattern.compile("left by a checkpoint write that did not finish");

    /** The lines of every node's log matching {@code pattern}, each prefixed by the node's label. */
    List<String> grepNodes(Pattern pattern) {
        List<String> lines = new ArrayList<>();
        for (Node node : nodes) {
            node.process.grep(pattern).forEach(line -> lines.add(node.label + ": " + line));
        }
        return lines;
    }

    /** Adds the log findings every scenario reports: errors, out-of-memory, checkpoint trouble, source restarts. */
    void noteLogs(ScenarioResult result) {
        List<String> errors = grepNodes(ERROR);
        List<String> oom = grepNodes(OOM);
        List<String> invalid = grepNodes(INVALID_CHECKPOINT);
        List<String> restarts = grepNodes(SOURCE_RESTART);
        result.figure("node log: ERROR lines", "%d", errors.size());
        result.figure("node log: Kafka source restarts", "%d", restarts.size());
        result.check("no OutOfMemoryError in any node log", oom.isEmpty(), "%d lines%s", oom.size(),
                oom.isEmpty() ? "" : ", first: " + oom.get(0));
        result.check("no invalid or unreadable checkpoint in any node log", invalid.isEmpty(), "%d lines%s",
                invalid.size(), invalid.isEmpty() ? "" : ", first: " + invalid.get(0));
        errors.stream().limit(5).forEach(line -> result.note("log: `%s`", shorten(line, 300)));
        if (errors.size() > 5) {
            result.note("... and %d more ERROR lines (logs under the work directory; --keep-work keeps them)",
                    errors.size() - 5);
        }
    }

    static String shorten(String text, int max) {
        String oneLine = text.replace('`', '\'');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...";
    }

    // ---- cleaning up ---------------------------------------------------------------------------------------------------

    /** Stops the last node cleanly (SIGTERM); returns its exit code, or null if it had to be killed. */
    Integer stopNode(Node node, Duration grace) throws InterruptedException {
        node.jmx.close();
        boolean clean = node.process.terminate(grace);
        return clean ? node.process.exitCode() : null;
    }

    @Override
    public void close() throws InterruptedException {
        for (Node node : nodes) {
            node.jmx.close();
            if (node.process.alive()) {
                node.process.terminate(Duration.ofSeconds(30));
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null && broker.alive()) {
            broker.terminate(Duration.ofSeconds(30));
        }
    }

    int brokerStarts() {
        return brokerStarts;
    }

    static int freePort() throws IOException {
        return ChildJvms.freePort();
    }
}
