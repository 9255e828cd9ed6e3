package io.rill.loadtest;

import com.typesafe.config.ConfigUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A rill node as it is deployed, {@code java -jar rill.jar run -c FILE} in a child JVM, and the harness's view of it:
 * remote JMX on a free loopback port, through the beans the root README documents ({@code rill:type=Node}, {@code
 * Ingest}, {@code DeadLetters}, {@code SkipGram}, {@code CharModel}, {@code Generation}, {@code Checkpoints}, {@code
 * Cluster}) and the JVM's own. Every call is bounded by the RMI timeouts the scripts give the harness JVM; calls to a
 * killed node fail with an {@link IOException}.
 */
final class Node implements AutoCloseable {

    static final ObjectName NODE = name("rill:type=Node");
    static final ObjectName CHECKPOINTS = name("rill:type=Checkpoints");
    static final ObjectName DEAD_LETTERS = name("rill:type=DeadLetters");
    static final ObjectName GENERATION = name("rill:type=Generation");
    /** The skip-gram model a benchmark's node runs. */
    static final String SKIPGRAM_MODEL = "corpus";
    static final ObjectName SKIPGRAM = name("rill:type=SkipGram,model=" + SKIPGRAM_MODEL);
    static final ObjectName CLUSTER = name("rill:type=Cluster");
    static final ObjectName MEMORY = name("java.lang:type=Memory");
    /** What the CLI prints once {@code RillNode.start} has returned. */
    static final String RUNNING = "rill is running";
    static final Pattern ERROR = Pattern.compile("^\\S+ ERROR ");
    static final Pattern WARN = Pattern.compile("^\\S+ WARN ");
    static final Pattern OOM = Pattern.compile("OutOfMemoryError");

    final String label;
    final Child process;
    final Path config;
    /** Seconds from the process start to the node running with its beans on JMX. */
    final double upSeconds;
    private final long startedNanos;
    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private Node(String label, Child process, Path config, long startedNanos, JMXConnector connector)
            throws IOException {
        this.label = label;
        this.process = process;
        this.config = config;
        this.startedNanos = startedNanos;
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        this.upSeconds = age();
    }

    static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ObjectName charModel(String model) {
        return name("rill:type=CharModel,model=" + model);
    }

    static String quote(Object value) {
        return ConfigUtil.quoteString(String.valueOf(value));
    }

    /**
     * The lines a benchmark's node starts from: data directory, broker, group, topics and its one stream, and no model
     * (application.conf's defaults learn from other topics): a benchmark adds the model it measures.
     */
    static List<String> base(Path data, String bootstrap, String group, Path topics, String topic, String tokenizer,
                             String deadletter) {
        return new ArrayList<>(List.of("rill.node.data-dir = " + quote(data), "rill.kafka.bootstrap-servers = "
                + quote(bootstrap), "rill.kafka.group-id = " + quote(group), "rill.kafka.topics-dir = " + quote(topics),
                "rill.ingest.streams = [{topic = " + quote(topic) + ", tokenizer = " + tokenizer + "}]",
                "rill.ingest.deadletter-topic = " + quote(deadletter), "rill.models = null"));
    }

    /** A node to start: {@code lines} of HOCON laid over application.conf, in {@code <dir>/<label>.conf}. */
    record Spec(String label, String jvmOpts, Path jar, Path dir, List<String> lines) {
    }

    static Node start(String label, String jvmOpts, Path jar, Path dir, List<String> lines, Duration timeout)
            throws Exception {
        return start(List.of(new Spec(label, jvmOpts, jar, dir, lines)), timeout).get(0);
    }

    /**
     * Starts the nodes together, each with remote JMX on a free loopback port added to its file, and waits (at most
     * {@code timeout} each) until each runs and answers on JMX; on a failure every one is killed.
     */
    static List<Node> start(List<Spec> specs, Duration timeout) throws Exception {
        List<Child> children = new ArrayList<>();
        List<Path> configs = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        List<Long> started = new ArrayList<>();
        try {
            for (Spec s : specs) {
                int port = Child.freePort();
                List<String> all = new ArrayList<>(List.of("# Written by the load-test harness for " + s.label()));
                all.addAll(s.lines());
                all.add("rill.jmx.remote { enabled = true, host = \"127.0.0.1\", port = " + port + " }");
                Path config = Files.writeString(Files.createDirectories(s.dir()).resolve(s.label() + ".conf"),
                        String.join("\n", all) + "\n");
                List<String> command = new ArrayList<>(List.of(Child.java()));
                // As ./rill and the Docker image start a node: with the Vector API module, which the skip-gram
                // kernel's row loops use when it is there.
                command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
                command.addAll(Child.words(s.jvmOpts()));
                command.addAll(List.of("-jar", s.jar().toString(), "run", "-c", config.toString()));
                started.add(System.nanoTime());
                children.add(new Child(s.label(), command, Map.of(), s.dir().resolve(s.label() + ".log"), RUNNING,
                        false));
                configs.add(config);
                ports.add(port);
            }
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                children.get(i).awaitLine(timeout);
                JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + ports.get(i)
                        + "/jmxrmi");
                nodes.add(new Node(specs.get(i).label(), children.get(i), configs.get(i), started.get(i),
                        JMXConnectorFactory.connect(url)));
            }
            return nodes;
        } catch (Exception e) {
            for (Child c : children) {
                c.kill();
            }
            throw e;
        }
    }

    /** Seconds since the process was started. */
    double age() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    boolean alive() {
        return process.alive();
    }

    Optional<Machine.Memory> memory() {
        return Machine.memory(process.pid());
    }

    MBeanServerConnection server() {
        return server;
    }

    /** Several attributes of one bean in one round trip; one the bean lacks is left out. */
    Map<String, Object> attrs(ObjectName bean, String... attributes) throws Exception {
        Map<String, Object> values = new HashMap<>();
        for (Attribute a : server.getAttributes(bean, attributes).asList()) {
            values.put(a.getName(), a.getValue());
        }
        return values;
    }

    Object attr(ObjectName bean, String attribute) throws Exception {
        return server.getAttribute(bean, attribute);
    }

    long num(ObjectName bean, String attribute) throws Exception {
        return ((Number) attr(bean, attribute)).longValue();
    }

    Object invoke(ObjectName bean, String operation, Object... args) throws Exception {
        String[] signature = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            signature[i] = args[i] instanceof Boolean ? "boolean" : args[i] instanceof Integer ? "int"
                    : args[i].getClass().getName();
        }
        return server.invoke(bean, operation, args, signature);
    }

    /** One ingest stream's bean. */
    record Stream(String topic, int partition, long recordsIn, long tokensIn, long bytesIn, long committed,
                  long deadLettered) {
    }

    /** Every ingest stream, keyed "topic-partition", sorted. */
    Map<String, Stream> streams() throws Exception {
        Map<String, Stream> streams = new TreeMap<>();
        for (ObjectName bean : server.queryNames(name("rill:type=Ingest,*"), null)) {
            Map<String, Object> v = attrs(bean, "RecordsIn", "TokensIn", "BytesIn", "LastCommittedOffset",
                    "DeadLettered");
            Stream s = new Stream(bean.getKeyProperty("topic"), Integer.parseInt(bean.getKeyProperty("partition")),
                    n(v, "RecordsIn"), n(v, "TokensIn"), n(v, "BytesIn"), n(v, "LastCommittedOffset"),
                    n(v, "DeadLettered"));
            streams.put(s.topic() + "-" + s.partition(), s);
        }
        return streams;
    }

    static long n(Map<String, Object> values, String key) {
        Object v = values.get(key);
        return v == null ? -1 : ((Number) v).longValue();
    }

    static double x(Map<String, Object> values, String key) {
        Object v = values.get(key);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    /** RecordsIn summed over the streams of {@code topic} (null: all). */
    long recordsIn(String topic) throws Exception {
        return streams().values().stream().filter(s -> topic == null || s.topic().equals(topic))
                .mapToLong(Stream::recordsIn).sum();
    }

    /** Whether every partition of {@code ends} with records has its stream committed to the end. */
    boolean committed(Map<String, Long> ends) throws Exception {
        Map<String, Stream> streams = streams();
        return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                || streams.containsKey(e.getKey()) && streams.get(e.getKey()).committed() >= e.getValue());
    }

    Map<String, Long> deadLetters() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        attrs(DEAD_LETTERS, "Total", "NullValue", "Empty", "MalformedUtf8", "TooLarge", "ControlCharacter",
                "WriteFailures").forEach((k, v) -> counts.put(k, ((Number) v).longValue()));
        return counts;
    }

    /** Heap used, its limit (max) and committed, in bytes. */
    long[] heap() throws Exception {
        CompositeData usage = (CompositeData) attr(MEMORY, "HeapMemoryUsage");
        return new long[] {(Long) usage.get("used"), (Long) usage.get("max"), (Long) usage.get("committed")};
    }

    /** Heap used after a full collection the harness asks for. */
    long heapAfterGc() throws Exception {
        server.invoke(MEMORY, "gc", new Object[0], new String[0]);
        return heap()[0];
    }

    Cpu cpu() throws IOException {
        return Cpu.take(server);
    }

    List<String> grep(Pattern pattern) {
        return process.grep(pattern);
    }

    /** SIGTERM and up to {@code grace}; the exit code (143: the JVM's after a SIGTERM), or null if it was killed. */
    Integer stop(Duration grace) throws InterruptedException {
        close();
        return process.terminate(grace) ? process.process.exitValue() : null;
    }

    static boolean clean(Integer exit) {
        return exit != null && (exit == 0 || exit == 143);
    }

    void kill() throws InterruptedException {
        close();
        process.kill();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException | RuntimeException e) {
            // a killed node: nothing to close politely
        }
    }
}
