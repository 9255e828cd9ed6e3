package io.rill.skipgram;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.PartitionOffsets;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.skipgram.query.EmbeddingSnapshot;
import io.rill.skipgram.query.Word2VecFormat;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The whole skip-gram path in one node, to run by hand while the load-test harness is elsewhere (not a test: timings
 * would make a test flaky). A child JVM runs an embedded broker and produces the corpus (one record per line, every
 * pass, each record to the partition with the fewest bytes so far); this JVM runs only the node, so its CPU time,
 * heap and RSS are the node's. It prints words/s and CPU per word from node start to every partition committed
 * (checkpoints off, so a batch commits once its worker has pushed it), the learner's figures, heap and RSS, and the
 * quality of the exported vectors by {@code eval-vectors.py}, on rill's words and on the peers' words (those seen at
 * least min-count times in one pass), as the harness reports them.
 *
 * <pre>
 * mvn -B -q -o test-compile &amp;&amp; mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx4g -cp target/classes:target/test-classes:$(cat target/cp.txt) io.rill.skipgram.SgnsPipelineBenchmark \
 *     [--corpus ../shared/data/corpus/sotu-moby.tokens.txt] [--passes 5] [--work target/sgns-bench] \
 *     [--eval ../shared/bench/eval-vectors.py] [--set rill.skipgram.KEY=VALUE ...] [--memory true]
 * </pre>
 */
public final class SgnsPipelineBenchmark {

    private static final String TOPIC = "bench.corpus";
    private static final int PARTITIONS = 2;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--corpus", "../shared/data/corpus/sotu-moby.tokens.txt",
                "--passes", "5", "--work", "target/sgns-bench", "--eval", "../shared/bench/eval-vectors.py",
                "--python", "/usr/bin/python3"));
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--set")) {
                sets.add(args[i + 1]);
            } else if (args[i].equals("--broker")) {
                broker(Path.of(args[i + 1]), Path.of(args[i + 2]), Integer.parseInt(args[i + 3]));
                return;
            } else {
                options.put(args[i], args[i + 1]);
            }
        }
        Path corpus = Path.of(options.get("--corpus"));
        int passes = Integer.parseInt(options.get("--passes"));
        Path work = Path.of(options.get("--work")).toAbsolutePath();
        Files.createDirectories(work);
        Path brokerDir = Files.createTempDirectory(work, "broker");

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), SgnsPipelineBenchmark.class.getName(),
                "--broker", brokerDir.toString(), corpus.toAbsolutePath().toString(), Integer.toString(passes)));
        Process broker = new ProcessBuilder(command).redirectError(work.resolve("broker.log").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (ready == null || !ready.startsWith("READY ")) {
                throw new IllegalStateException("the broker child said " + ready + "; see broker.log");
            }
            String bootstrap = ready.substring(6);
            run(bootstrap, corpus, passes, work, sets, options);
        } finally {
            broker.getOutputStream().close();
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroy();
            }
        }
        System.exit(0);
    }

    /** The child: a broker, the corpus produced to it, "READY bootstrap" on stdout, then up until stdin closes. */
    private static void broker(Path dir, Path corpus, int passes) throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir, "127.0.0.1", 0, 17_825_792)) {
            Properties props = new Properties();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1).configs(Map.of(
                        "max.message.bytes", "16777216", "retention.ms", "-1")))).all().get();
            }
            List<String> lines = Files.readAllLines(corpus, StandardCharsets.UTF_8);
            props.put("acks", "all");
            props.put("max.request.size", "17000000");
            props.put("linger.ms", "5");
            long t0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                long[] bytes = new long[PARTITIONS];
                for (int i = 0; i < lines.size() * passes; i++) {
                    int p = 0;
                    for (int q = 1; q < PARTITIONS; q++) {
                        p = bytes[q] < bytes[p] ? q : p;
                    }
                    byte[] value = lines.get(i % lines.size()).getBytes(StandardCharsets.UTF_8);
                    bytes[p] += value.length;
                    producer.send(new ProducerRecord<>(TOPIC, p, Integer.toString(i % lines.size() + 1)
                            .getBytes(StandardCharsets.US_ASCII), value));
                }
                producer.flush();
            }
            System.err.printf("produced %d records in %.1f s%n", lines.size() * passes, (System.nanoTime() - t0) / 1e9);
            System.out.println("READY " + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our stdin
            }
        }
    }

    private static void run(String bootstrap, Path corpus, int passes, Path work, List<String> sets,
                            Map<String, String> options) throws Exception {
        Path topics = Files.createDirectories(work.resolve("topics"));
        Files.writeString(topics.resolve(TOPIC + ".conf"), "name = \"" + TOPIC + "\"\npartitions = " + PARTITIONS
                + "\nreplication-factor = 1\nconfigs { \"max.message.bytes\" = \"16777216\" }\n");
        Files.writeString(topics.resolve(TOPIC + ".deadletter.conf"), "name = \"" + TOPIC + ".deadletter\"\n"
                + "partitions = 1\nreplication-factor = 1\n");
        String group = "bench-" + UUID.randomUUID();
        List<String> lines = new ArrayList<>(List.of(
                "rill.node.data-dir = \"" + work.resolve("node") + "\"",
                "rill.kafka.bootstrap-servers = \"" + bootstrap + "\"",
                "rill.kafka.group-id = \"" + group + "\"",
                "rill.kafka.topics-dir = \"" + topics + "\"",
                "rill.ingest.streams = [{ topic = \"" + TOPIC + "\", tokenizer = words }]",
                "rill.ingest.deadletter-topic = \"" + TOPIC + ".deadletter\"",
                "rill.models.corpus.topics = [\"" + TOPIC + "\"]",
                "rill.lstm.enabled = false",
                "rill.checkpoint.enabled = false",
                "rill.jmx.remote.enabled = false",
                "rill.skipgram.document-boundary = line",
                "rill.skipgram.dimension = 100", "rill.skipgram.window = 5", "rill.skipgram.negatives = 5",
                "rill.skipgram.sample = 0.001", "rill.skipgram.min-count = 5",
                "rill.skipgram.workers = 2", "rill.skipgram.shards = 2",
                "rill.ingest.max-record-bytes = 4194304", "rill.ingest.batch-size = 1"));
        for (String set : sets) {
            int eq = set.indexOf('=');
            lines.add(set.substring(0, eq).trim() + " = " + set.substring(eq + 1).trim());
        }
        Config config = ConfigFactory.parseString(String.join("\n", lines)).withFallback(ConfigFactory.load()).resolve();
        RillSettings settings = RillSettings.from(config);
        List<String> corpusLines = Files.readAllLines(corpus, StandardCharsets.UTF_8);
        long words = corpusLines.stream().mapToLong(l -> l.isBlank() ? 0 : l.trim().split("\\s+").length).sum();
        long total = words * passes;

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long gc0 = gcMillis();
        long t0 = System.nanoTime();
        try (RillNode node = RillNode.start(settings)) {
            SkipGramLearner learner = node.models(SkipGramLearner.class).values().iterator().next();
            double up = (System.nanoTime() - t0) / 1e9;
            Properties props = new Properties();
            props.put("bootstrap.servers", bootstrap);
            long lastPrint = System.nanoTime();
            while (learner.metrics().getTokensSeen() == 0) {
                Thread.sleep(5);
            }
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            Map<String, Double> cpuBefore = cpuByGroup(threads);
            Map<String, Double> vmBefore = vmThreadCpu();
            try (Admin admin = Admin.create(props)) {
                while (true) {
                    List<PartitionOffsets> offsets = PartitionOffsets.read(admin, group, List.of(TOPIC), 10_000);
                    if (offsets.size() == PARTITIONS && offsets.stream().allMatch(p -> p.lag() == 0)) {
                        break;
                    }
                    if (System.nanoTime() - lastPrint > 10e9) {
                        lastPrint = System.nanoTime();
                        System.out.printf(Locale.ROOT, "%.0f s: tokens %,d of %,d, pairs %,d, loss %.4f, lr %.5f%n",
                                (lastPrint - t0) / 1e9, learner.metrics().getTokensSeen(), total,
                                learner.metrics().getPairsTrained(), learner.metrics().getLoss(),
                                learner.metrics().getLearningRate());
                    }
                    Thread.sleep(100);
                }
            }
            double fromStart = (System.nanoTime() - t0) / 1e9;
            double seconds = (System.nanoTime() - t1) / 1e9;
            double cpuFromStart = (os.getProcessCpuTime() - cpu0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu1) / 1e9;
            long gc = gcMillis() - gc0;
            Map<String, Double> cpuAfter = cpuByGroup(threads);
            String rss = proc("VmRSS"), hwm = proc("VmHWM");
            Runtime rt = Runtime.getRuntime();
            long used = rt.totalMemory() - rt.freeMemory(), committed = rt.totalMemory();
            SkipGramMetrics m = learner.metrics();
            System.out.printf(Locale.ROOT, "settings: %s%n", sets);
            System.out.printf(Locale.ROOT, "rill: %,.0f words/s (%,d words in %.1f s from the first token seen to all committed; "
                            + "CPU %.1f s = %.2f us/word, %.2f cores); from node start: %.1f s, CPU %.1f s (node up in "
                            + "%.1f s); GC time %.1f s%n", total / seconds, total, seconds, cpu, cpu * 1e6 / total,
                    cpu / seconds, fromStart, cpuFromStart, up, gc / 1e3);
            System.out.printf(Locale.ROOT, "skip-gram: tokens %,d, pairs %,d, loss %.4f, keep %.4f, version %,d, "
                            + "staleness p50 %d p99 %d, refusals %d, vocabulary %,d (trainable %,d), lr %.5f%n",
                    m.getTokensSeen(), m.getPairsTrained(), m.getLoss(), m.getKeepRatio(), m.getParameterServerVersion(),
                    m.getStalenessP50(), m.getStalenessP99(), m.getStaleRefusals(), m.getVocabularySize(),
                    m.getTrainableWords(), m.getLearningRate());
            Map<String, Double> delta = new TreeMap<>();
            cpuAfter.forEach((k, v) -> delta.put(k, v - cpuBefore.getOrDefault(k, 0.0)));
            StringBuilder groups = new StringBuilder();
            delta.entrySet().stream().filter(e -> e.getValue() > 0.5)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> groups.append(String.format(Locale.ROOT, " %s %.1f;", e.getKey(), e.getValue())));
            System.out.println("CPU s by thread group:" + groups);
            Map<String, Double> vm = vmThreadCpu();
            StringBuilder vmGroups = new StringBuilder();
            vm.forEach((k, v) -> {
                double d = v - vmBefore.getOrDefault(k, 0.0);
                if (d > 0.2) {
                    vmGroups.append(String.format(Locale.ROOT, " %s %.1f;", k, d));
                }
            });
            System.out.println("CPU s of the JVM's own threads:" + vmGroups);
            System.gc();
            long afterGc = rt.totalMemory() - rt.freeMemory();
            System.out.printf(Locale.ROOT, "memory at the end: RSS %s (peak %s), heap used %d MiB of %d MiB committed, "
                    + "%d MiB after a full GC; max heap %d MiB%n", rss, hwm, used >> 20, committed >> 20, afterGc >> 20,
                    rt.maxMemory() >> 20);

            if (options.containsKey("--memory")) {
                // What holds memory: native memory by area (with -XX:NativeMemoryTracking=summary) and the largest
                // classes on the heap.
                javax.management.ObjectName dcmd = new javax.management.ObjectName(
                        "com.sun.management:type=DiagnosticCommand");
                var server = ManagementFactory.getPlatformMBeanServer();
                String[] signature = {String[].class.getName()};
                System.out.println(server.invoke(dcmd, "vmNativeMemory", new Object[] {new String[] {"summary"}},
                        signature));
                String histogram = (String) server.invoke(dcmd, "gcClassHistogram", new Object[] {new String[0]},
                        signature);
                System.out.println(String.join("\n", Arrays.asList(histogram.split("\n")).subList(0,
                        Math.min(25, histogram.split("\n").length))));
            }
            SkipGramLearner.Embeddings e = learner.snapshot().toCompletableFuture().get();
            Path vectors = work.resolve("vectors.bin");
            Word2VecFormat.writeBinary(vectors, EmbeddingSnapshot.wrap(e.words(), e.vectors(), e.dim(), e.version(),
                    e.tokensSeen()));
            Path restricted = work.resolve("vectors-peer-vocabulary.bin");
            int kept = restrict(corpusLines, vectors, restricted, config.getInt("rill.skipgram.min-count"));
            System.out.println("eval, rill's words:  " + eval(options, vectors));
            System.out.println("eval, peers' words (" + kept + "): " + eval(options, restricted));
        }
    }

    private static String eval(Map<String, String> options, Path vectors) throws Exception {
        Process p = new ProcessBuilder(options.get("--python"), options.get("--eval"), vectors.toString(), "--binary")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return Arrays.stream(out.split("\n")).filter(l -> l.contains("analogy=")).findFirst()
                .map(l -> l.replaceAll("vectors=\\S+ ", "")).orElse(out);
    }

    /** The words of the peers' vocabulary (at least minCount in one pass), most frequent first, as the harness does. */
    private static int restrict(List<String> lines, Path vectors, Path target, int minCount) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        lines.forEach(l -> Arrays.stream(l.trim().split("\\s+")).filter(w -> !w.isEmpty())
                .forEach(w -> counts.merge(w, 1, Integer::sum)));
        Map<String, byte[]> rows = new HashMap<>();
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(vectors)).order(ByteOrder.LITTLE_ENDIAN);
        String[] header = token(in, '\n').split(" ");
        int dim = Integer.parseInt(header[1]);
        for (int i = 0; i < Integer.parseInt(header[0]); i++) {
            String word = token(in, ' ');
            byte[] row = new byte[4 * dim];
            in.get(row);
            rows.put(word, row);
        }
        List<String> words = counts.entrySet().stream().filter(e -> e.getValue() >= minCount && rows.containsKey(e.getKey()))
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

    private static String token(ByteBuffer in, char end) {
        int start = in.position();
        while (in.get() != end) {
            // up to the separator
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8).trim();
    }

    private static Map<String, Double> cpuByGroup(ThreadMXBean threads) {
        Map<String, Double> groups = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long t = threads.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                groups.merge(info.getThreadName().replaceAll("\\d+", "#"), t / 1e9, Double::sum);
            }
        }
        return groups;
    }

    /** CPU seconds of the JVM's own threads (garbage collection, JIT compilers, VM thread) from /proc, by kind. */
    private static Map<String, Double> vmThreadCpu() throws IOException {
        Map<String, Double> cpu = new TreeMap<>();
        double tick = 100.0; // USER_HZ
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / tick;
                    String kind = name.startsWith("GC Thread") || name.startsWith("G1") ? "GC"
                            : name.startsWith("C2 Compiler") ? "C2 JIT" : name.startsWith("C1 Compiler") ? "C1 JIT"
                            : name.startsWith("VM Thread") ? "VM thread" : null;
                    if (kind != null) {
                        cpu.merge(kind, seconds, Double::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // a thread that ended meanwhile
                }
            }
        }
        return cpu;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime()))
                .sum();
    }

    private static String proc(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
    }

    private SgnsPipelineBenchmark() {
    }
}
