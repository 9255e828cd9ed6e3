package io.rill.ingest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.PartitionOffsets;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.IngestStreamMetrics;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * rill's ingest path against a bare Kafka consumer, in one JVM on one embedded broker: a program to run by hand, not
 * a test (timings would make a test flaky). Until the load-test harness's {@code ingest-bench.sh} is on this branch
 * this is how the ingest figures are taken; it measures the same phases.
 *
 * <ol>
 *   <li>The corpus cut at spaces into records of about {@code --record-chars} characters, repeated in order up to
 *       {@code --records}, produced to a topic of {@code --partitions} partitions.</li>
 *   <li>The peer: a plain {@code KafkaConsumer} poll loop (a fresh group, subscribe, the consumer defaults but
 *       {@code auto.offset.reset = earliest}) reading every record: ConsumerPerformance's loop. Its rate is from its
 *       first record to its last ("fetch only"), and again from the subscription ("with group join").</li>
 *   <li>rill: a {@link RillNode} on the broker with one counting stream on the topic and no model, its stream metrics
 *       polled every 5 ms: node up, first record counted, all counted, all committed (every partition's committed
 *       offset at its end). Then the committed offsets read back from the broker and the actors' counts checked
 *       against the expected records, tokens and bytes.</li>
 * </ol>
 * CPU time is the whole JVM's (broker included) during a phase, and by thread group for rill's. Checkpoint figures
 * come from the node's {@code rill:type=Checkpoints} bean.
 *
 * <pre>
 * mvn -B -q -o test-compile
 * java -Xms4g -Xmx4g -XX:+UseG1GC -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) \
 *     io.rill.ingest.IngestBenchmark [--records N] [--partitions P] [--record-chars C] [--corpus FILE]
 *     [--jfr FILE] [--set key=value ...] [--peer-runs K]
 * </pre>
 * ({@code mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt} writes the class path.)
 */
public final class IngestBenchmark {

    private static final String TOPIC = "bench.text";

    private long records = 500_000;
    private int partitions = 2;
    private int recordChars = 200;
    private Path corpus = Path.of("../shared/data/corpus/sotu-moby.tokens.txt");
    private Path jfr;
    private int peerRuns = 1;
    private final List<String> overrides = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        IngestBenchmark bench = new IngestBenchmark();
        if (args.length == 2 && args[0].equals("--summarize")) { // a recording made otherwise
            System.out.println(profile(Path.of(args[1]), 40));
            return;
        }
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> bench.records = Long.parseLong(args[++i].replace("_", "").replace(",", ""));
                case "--partitions" -> bench.partitions = Integer.parseInt(args[++i]);
                case "--record-chars" -> bench.recordChars = Integer.parseInt(args[++i]);
                case "--corpus" -> bench.corpus = Path.of(args[++i]);
                case "--jfr" -> bench.jfr = Path.of(args[++i]);
                case "--peer-runs" -> bench.peerRuns = Integer.parseInt(args[++i]);
                case "--set" -> bench.overrides.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        bench.run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path work = Files.createTempDirectory("rill-ingest-bench");
        List<byte[]> pieces = pieces(Files.readAllLines(corpus, StandardCharsets.UTF_8), recordChars);
        Tokenizer tokenizer = Tokenizer.of(TokenizerKind.WORDS);
        long expectedBytes = 0;
        for (long i = 0; i < records; i++) {
            expectedBytes += pieces.get((int) (i % pieces.size())).length;
        }
        long expectedTokens = tokensOf(pieces, records, tokenizer);
        System.out.printf("corpus %s: %,d pieces of ~%d chars per pass; %,d records, %,d bytes, %,d tokens%n",
                corpus, pieces.size(), recordChars, records, expectedBytes, expectedTokens);
        System.out.printf("machine: %d cores, load average %.2f%n", Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        Path topics = Files.createDirectories(work.resolve("topics"));
        spec(topics, TOPIC, partitions);
        spec(topics, TOPIC + ".deadletter", 1);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("broker"), "127.0.0.1", 0,
                17_825_792)) {
            String bootstrap = broker.bootstrapServers();
            Config config = nodeConfig(work, bootstrap, topics);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                io.rill.kafka.TopicProvisioner.ensure(admin, io.rill.kafka.TopicSpec.loadAll(topics));
                double produced = produce(bootstrap, pieces);
                System.out.printf("produced %,d records in %.2f s%n", records, produced);
                Map<TopicPartition, Long> ends = ends(bootstrap);
                List<Phase> peer = new ArrayList<>();
                for (int r = 0; r < peerRuns; r++) {
                    System.gc();
                    peer.add(peer(bootstrap));
                }
                System.gc();
                Rill rill = rill(config, admin, ends, expectedTokens, expectedBytes);
                report(peer, rill, config);
            }
        }
    }

    /** Lines cut at spaces into pieces of about {@code target} characters; a short tail joins the piece before. */
    static List<byte[]> pieces(List<String> lines, int target) {
        List<byte[]> pieces = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.codePoints().map(c -> c != '\t' && Character.isISOControl(c) ? ' ' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString()
                    .strip();
            List<String> ofLine = new ArrayList<>();
            for (int start = 0, end; start < line.length(); start = end) {
                end = line.length() - start <= target ? line.length() : line.lastIndexOf(' ', start + target);
                if (end <= start) {
                    end = line.indexOf(' ', start + target);
                    end = end < 0 ? line.length() : end;
                }
                String piece = line.substring(start, end).strip();
                if (!piece.isEmpty() && piece.length() < target / 2 && !ofLine.isEmpty()) {
                    ofLine.set(ofLine.size() - 1, ofLine.get(ofLine.size() - 1) + " " + piece);
                } else if (!piece.isEmpty()) {
                    ofLine.add(piece);
                }
                while (end < line.length() && Character.isWhitespace(line.charAt(end))) {
                    end++;
                }
            }
            ofLine.forEach(p -> pieces.add(p.getBytes(StandardCharsets.UTF_8)));
        }
        return pieces;
    }

    private static long tokensOf(List<byte[]> pieces, long records, Tokenizer tokenizer) {
        long[] prefix = new long[pieces.size() + 1];
        for (int i = 0; i < pieces.size(); i++) {
            prefix[i + 1] = prefix[i] + tokenizer.tokenize(new String(pieces.get(i), StandardCharsets.UTF_8))
                    .tokenCount();
        }
        return records / pieces.size() * prefix[pieces.size()] + prefix[(int) (records % pieces.size())];
    }

    private static void spec(Path dir, String name, int partitions) throws Exception {
        Files.writeString(dir.resolve(name + ".conf"), """
                name = "%s"
                partitions = %d
                replication-factor = 1
                configs { "max.message.bytes" = "16777216", "retention.ms" = "-1" }
                """.formatted(name, partitions));
    }

    private Config nodeConfig(Path work, String bootstrap, Path topics) {
        List<String> lines = new ArrayList<>(List.of(
                "rill.node.data-dir = \"" + work.resolve("node") + "\"",
                "rill.kafka.bootstrap-servers = \"" + bootstrap + "\"",
                "rill.kafka.group-id = \"bench-rill-" + UUID.randomUUID() + "\"",
                "rill.kafka.topics-dir = \"" + topics + "\"",
                "rill.ingest.streams = [{topic = \"" + TOPIC + "\", tokenizer = words}]",
                "rill.ingest.deadletter-topic = \"" + TOPIC + ".deadletter\"",
                "rill.skipgram.enabled = false",
                "rill.lstm.enabled = false",
                "rill.jmx.remote.enabled = false"));
        lines.addAll(overrides);
        return ConfigFactory.parseString(String.join("\n", lines)).withFallback(ConfigFactory.load()).resolve();
    }

    private double produce(String bootstrap, List<byte[]> pieces) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("linger.ms", "10");
        props.put("batch.size", String.valueOf(256 * 1024));
        props.put("buffer.memory", String.valueOf(128L * 1024 * 1024));
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, pieces.get((int) (i % pieces.size()))));
            }
            producer.flush();
        }
        return (System.nanoTime() - started) / 1e9;
    }

    private Map<TopicPartition, Long> ends(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            Map<TopicPartition, Long> ends = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
            ends.putAll(consumer.endOffsets(tps));
            long sum = ends.values().stream().mapToLong(Long::longValue).sum();
            if (sum != records) {
                throw new IllegalStateException("the topic holds " + sum + " records, not " + records);
            }
            return ends;
        }
    }

    /** One phase: wall seconds from its start (or its first record) to its end, and the JVM's CPU meanwhile. */
    record Phase(String name, long records, double seconds, double joinSeconds, double cpuSeconds) {
        double rate() {
            return records / seconds;
        }

        double cpuMicrosPerRecord() {
            return cpuSeconds * 1e6 / records;
        }
    }

    /** ConsumerPerformance's loop: subscribe with a fresh group, poll until every record is in. */
    private Phase peer(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", "bench-peer-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long first = -1;
        long n = 0;
        long bytes = 0;
        long cpuFirst = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            while (n < records) {
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
                if (first < 0 && !polled.isEmpty()) {
                    first = System.nanoTime();
                    cpuFirst = processCpuNanos();
                }
                for (var record : polled) {
                    n++;
                    bytes += record.serializedValueSize();
                }
                if ((System.nanoTime() - t0) > 120e9) {
                    throw new IllegalStateException("the peer read only " + n + " records");
                }
            }
        }
        long end = System.nanoTime();
        double cpu = (processCpuNanos() - cpuFirst) / 1e9;
        Phase phase = new Phase("KafkaConsumer poll loop", n, (end - first) / 1e9, (end - t0) / 1e9, cpu);
        System.out.printf("peer: %,d records (%,d bytes) in %.3f s from the first record (%.3f s with the join): "
                        + "%,.0f records/s, %.2f CPU µs/record (whole JVM, %.2f CPU s with the join)%n", n, bytes,
                phase.seconds(), phase.joinSeconds(), phase.rate(), phase.cpuMicrosPerRecord(),
                (processCpuNanos() - cpu0) / 1e9);
        return phase;
    }

    record Rill(double up, double first, double counted, double committed, long records, long tokens, long bytes,
                double cpuCounted, double cpuCommitted, Map<String, Double> cpuByThread, Map<String, Object> checkpoints,
                String profile) {
    }

    private Rill rill(Config config, Admin admin, Map<TopicPartition, Long> ends, long expectedTokens,
                      long expectedBytes) throws Exception {
        Recording recording = null;
        if (jfr != null) {
            recording = new Recording(Configuration.getConfiguration("profile"));
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(5));
            recording.setToDisk(true);
            recording.setDestination(jfr);
            recording.start();
        }
        long t0 = System.nanoTime();
        Map<String, Long> threadsBefore;
        long cpuFirst = 0;
        double cpuCounted = 0;
        double first = -1;
        double counted = -1;
        double committed;
        try (RillNode node = RillNode.start(RillSettings.from(config))) {
            double up = since(t0);
            threadsBefore = threadCpu();
            long lastPrint = System.nanoTime();
            while (true) {
                List<IngestStreamMetrics> streams = node.status().streams().stream()
                        .filter(s -> s.topic().equals(TOPIC)).toList();
                long in = streams.stream().mapToLong(IngestStreamMetrics::getRecordsIn).sum();
                if (first < 0 && in > 0) {
                    first = since(t0);
                    cpuFirst = processCpuNanos();
                }
                if (counted < 0 && in >= records) {
                    counted = since(t0);
                    cpuCounted = (processCpuNanos() - cpuFirst) / 1e9;
                }
                if (counted >= 0 && ends.entrySet().stream().allMatch(e -> e.getValue() == 0 || streams.stream()
                        .anyMatch(s -> s.partition() == e.getKey().partition()
                                && s.getLastCommittedOffset() >= e.getValue()))) {
                    committed = since(t0);
                    break;
                }
                if (since(t0) > 600) {
                    throw new IllegalStateException("rill had counted " + in + " of " + records + " records after "
                            + "600 s");
                }
                if (since(lastPrint) > 2) {
                    System.out.printf("  %,d records counted after %.1f s%n", in, since(t0));
                    lastPrint = System.nanoTime();
                }
                Thread.sleep(first < 0 ? 1 : 5);
            }
            double cpuCommitted = (processCpuNanos() - cpuFirst) / 1e9;
            Map<String, Double> byThread = since(threadsBefore, threadCpu());
            String profile = null;
            if (recording != null) {
                recording.stop();
                recording.close();
                profile = profile(jfr, 40);
                recording = null;
            }
            Map<String, Object> checkpoints = checkpointFigures();
            for (PartitionOffsets o : PartitionOffsets.read(admin, config.getString("rill.kafka.group-id"),
                    List.of(TOPIC), 30_000)) {
                if (o.committedOffset() != o.endOffset()) {
                    throw new IllegalStateException("partition " + o.partition() + ": committed "
                            + o.committedOffset() + ", end " + o.endOffset());
                }
            }
            var counts = node.streamCounts().stream().filter(c -> c.topic().equals(TOPIC)).toList();
            long n = counts.stream().mapToLong(StreamActor.Counts::records).sum();
            long tokens = counts.stream().mapToLong(StreamActor.Counts::tokens).sum();
            long bytes = counts.stream().mapToLong(StreamActor.Counts::bytes).sum();
            if (n != records || tokens != expectedTokens || bytes != expectedBytes) {
                throw new IllegalStateException("rill counted " + n + " records, " + tokens + " tokens, " + bytes
                        + " bytes; expected " + records + ", " + expectedTokens + ", " + expectedBytes);
            }
            long dead = node.status().streams().stream().mapToLong(IngestStreamMetrics::getDeadLettered).sum();
            if (dead != 0) {
                throw new IllegalStateException(dead + " records dead-lettered");
            }
            return new Rill(up, first, counted, committed, n, tokens, bytes, cpuCounted, cpuCommitted, byThread,
                    checkpoints, profile);
        } finally {
            if (recording != null) {
                recording.close();
            }
        }
    }

    private static Map<String, Object> checkpointFigures() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("rill:type=Checkpoints");
        Map<String, Object> figures = new LinkedHashMap<>();
        if (!server.isRegistered(name)) {
            return figures;
        }
        for (var attribute : server.getMBeanInfo(name).getAttributes()) {
            figures.put(attribute.getName(), server.getAttribute(name, attribute.getName()));
        }
        return figures;
    }

    private void report(List<Phase> peers, Rill rill, Config config) {
        Phase peer = peers.stream().max(Comparator.comparingDouble(Phase::rate)).orElseThrow();
        double toCounted = rill.counted() - rill.first();
        double toCommitted = rill.committed() - rill.first();
        System.out.println();
        System.out.println("| phase | records | seconds | records/s | CPU µs/record | ratio to the peer |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (Phase p : peers) {
            System.out.printf("| peer: KafkaConsumer poll loop, first record -> last | %,d | %.3f | %,.0f | %.2f | %s |%n",
                    p.records(), p.seconds(), p.rate(), p.cpuMicrosPerRecord(), p == peer ? "1.00" : "");
        }
        System.out.printf("| rill, first record -> all counted | %,d | %.3f | %,.0f | %.2f | %.2f |%n", rill.records(),
                toCounted, rill.records() / toCounted, rill.cpuCounted() * 1e6 / rill.records(),
                rill.records() / toCounted / peer.rate());
        System.out.printf("| rill, first record -> all committed | %,d | %.3f | %,.0f | %.2f | %.2f |%n",
                rill.records(), toCommitted, rill.records() / toCommitted, rill.cpuCommitted() * 1e6 / rill.records(),
                rill.records() / toCommitted / peer.rate());
        System.out.println();
        System.out.printf("rill timeline (s after RillNode.start): up %.2f, first counted %.2f, all counted %.2f, "
                        + "all committed %.2f; commit lag after the last record counted: %.0f ms%n", rill.up(),
                rill.first(), rill.counted(), rill.committed(), (rill.committed() - rill.counted()) * 1e3);
        System.out.printf("checked: %,d records, %,d tokens, %,d bytes; committed = end offsets%n", rill.records(),
                rill.tokens(), rill.bytes());
        System.out.printf("checkpoint settings: interval %s, every-records %s%n",
                config.getString("rill.checkpoint.interval"), config.getString("rill.checkpoint.every-records"));
        for (String key : List.of("rill.checkpoint", "rill.ingest")) {
            config.getConfig(key).entrySet().stream()
                    .filter(e -> !e.getKey().equals("streams"))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> System.out.printf("  %s.%s = %s%n", key, e.getKey(), e.getValue().unwrapped()));
        }
        System.out.printf("checkpoints: %s%n", rill.checkpoints());
        double javaThreads = rill.cpuByThread().values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf("rill CPU, node up -> all committed: %.2f s in Java threads; first record -> all committed: "
                + "%.2f s in the whole JVM%n", javaThreads, rill.cpuCommitted());
        System.out.printf("rill CPU s by thread group, node up -> all committed: %s%n", rill.cpuByThread().entrySet()
                .stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                .map(e -> String.format("%s %.2f", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
        if (rill.profile() != null) {
            System.out.println();
            System.out.println(rill.profile());
        }
    }

    private static double since(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Map<String, Long> threadCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> cpu = new HashMap<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    cpu.put(info.getThreadId() + "/" + info.getThreadName(), t);
                }
            }
        }
        return cpu;
    }

    private static Map<String, Double> since(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> groups = new HashMap<>();
        after.forEach((key, t) -> {
            String name = key.substring(key.indexOf('/') + 1).replaceAll("\\d+", "#");
            groups.merge(name, (t - before.getOrDefault(key, 0L)) / 1e9, Double::sum);
        });
        return groups;
    }

    /** Samples by thread group, the hottest methods (top frame), and the hottest rill frames (anywhere on stack). */
    static String profile(Path file, int top) throws Exception {
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> rillFrames = new HashMap<>();
        Map<String, Integer> allocation = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            if (type.equals("jdk.ObjectAllocationSample")) {
                allocation.merge(event.getClass("objectClass").getName(), (int) (event.getLong("weight") >> 20),
                        Integer::sum);
                continue;
            }
            if (!type.equals("jdk.ExecutionSample")) {
                continue;
            }
            samples++;
            String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread")
                    .getJavaName();
            byThread.merge(thread == null ? "?" : thread.replaceAll("\\d+", "#"), 1, Integer::sum);
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            topFrames.merge(name(stack.getFrames().get(0)), 1, Integer::sum);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame frame : stack.getFrames()) {
                String name = name(frame);
                if (name.startsWith("io.rill.") && seen.add(name)) {
                    rillFrames.merge(name, 1, Integer::sum);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        int n = samples;
        out.append(String.format("Flight Recorder: %,d execution samples%n", samples));
        out.append("by thread group: ").append(percentages(byThread, n, 10)).append('\n');
        out.append("hottest methods (top frame):\n").append(lines(topFrames, n, top));
        out.append("rill frames (inclusive):\n").append(lines(rillFrames, n, top));
        out.append("allocation (MiB, sampled weight):\n").append(lines(allocation, -1, 15));
        return out.toString();
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static String percentages(Map<String, Integer> counts, int total, int limit) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit).map(e -> String.format("%s %.1f%%", e.getKey(), 100.0 * e.getValue() / total))
                .collect(Collectors.joining(", "));
    }

    private static String lines(Map<String, Integer> counts, int total, int limit) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit).map(e -> total > 0
                        ? String.format("  %5.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey())
                        : String.format("  %6d  %s%n", e.getValue(), e.getKey()))
                .collect(Collectors.joining());
    }
}
