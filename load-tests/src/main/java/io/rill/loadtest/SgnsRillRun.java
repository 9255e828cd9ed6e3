package io.rill.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.rill.ingest.StreamActor;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.PartitionOffsets;
import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.IngestStreamMetrics;
import io.rill.ops.SkipGramMetrics;
import io.rill.skipgram.SkipGramQueries;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One rill run of the skip-gram benchmark, in this JVM (a child of {@link SkipGramBench}, so that each run's
 * memory figures are its own): an embedded broker, the corpus produced line by line for every pass, a rill node
 * that learns from it, and the figures of that: words/s from the first record consumed to the last update applied,
 * the learner's metrics, memory, CPU by thread group, optionally a Flight Recorder summary, and the vectors
 * exported in word2vec format. Everything it found goes to {@code result.properties} and {@code details.md} in its
 * output directory, for the parent to score the vectors and write the report.
 */
final class SgnsRillRun {

    /** What the parent asks for. {@code overrides} are HOCON lines laid over the bench's node configuration. */
    record Params(String label, Path corpus, int passes, String topic, int partitions, List<String> overrides,
                  boolean binary, Path jfr, int timeoutSeconds, Path out) {
    }

    /** The corpus as records: its lines, their sizes and token counts. */
    record Corpus(List<byte[]> lines, long words, long rillTokens, long bytes, int maxLineBytes) {

        static Corpus read(Path file) throws IOException {
            List<byte[]> lines = new ArrayList<>();
            long words = 0;
            long tokens = 0;
            long bytes = 0;
            int max = 0;
            io.rill.text.Tokenizer tokenizer = io.rill.text.Tokenizer.of(io.rill.text.TokenizerKind.WORDS);
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                byte[] value = line.getBytes(StandardCharsets.UTF_8);
                lines.add(value);
                words += wcWords(line);
                tokens += tokenizer.tokenize(line).tokenCount();
                bytes += value.length;
                max = Math.max(max, value.length);
            }
            return new Corpus(lines, words, tokens, bytes, max);
        }

        /** Words as {@code wc -w} counts them: runs of non-whitespace. */
        static long wcWords(String line) {
            long n = 0;
            boolean inWord = false;
            for (int i = 0; i < line.length(); i++) {
                boolean space = Character.isWhitespace(line.charAt(i));
                if (!space && !inWord) {
                    n++;
                }
                inWord = !space;
            }
            return n;
        }
    }

    /** The bench's own node settings: the comparison's hyper-parameters, and room for the corpus's longest line. */
    static final Map<String, Object> BENCH_SETTINGS = benchSettings();

    private static Map<String, Object> benchSettings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rill.skipgram.enabled", true);
        s.put("rill.skipgram.document-boundary", "line");
        s.put("rill.skipgram.dimension", 100);
        s.put("rill.skipgram.window", 5);
        s.put("rill.skipgram.negatives", 5);
        s.put("rill.skipgram.sample", 1e-3);
        s.put("rill.skipgram.min-count", 5);
        s.put("rill.skipgram.workers", 2);
        s.put("rill.skipgram.shards", 2);
        // The corpus has one 1.15 MB line (Moby-Dick is one document); the default 1 MiB would dead-letter it.
        s.put("rill.ingest.max-record-bytes", 4 * 1024 * 1024);
        // One record (one document, up to 215k words here) per batch. The default batch of 2000 records is sized for
        // short records: with documents of 50 KB on average, a stream that waits for its worker lets groupedWithin
        // fill a batch with hundreds of them, the worker needs minutes for it, the stream's 20 s wait for the worker
        // and the 30 s ingest ask time out, and the batch is delivered and learned again, over and over.
        s.put("rill.ingest.batch-size", 1);
        return s;
    }

    private SgnsRillRun() {
    }

    static void run(Params p) throws Exception {
        Files.createDirectories(p.out());
        Properties result = new Properties();
        StringBuilder details = new StringBuilder();
        result.setProperty("label", p.label());
        result.setProperty("loadavg.start", ProcMemory.loadAverages());

        System.out.printf("[%s] reading %s%n", p.label(), p.corpus());
        Corpus corpus = Corpus.read(p.corpus());
        Path work = p.out().resolve("work");
        Path topicsDir = Files.createDirectories(work.resolve("topics"));
        String deadletterTopic = p.topic() + ".deadletter";
        BenchSupport.writeTopicSpecs(topicsDir, p.topic(), p.partitions(), deadletterTopic);
        String group = "bench-sgns-" + UUID.randomUUID();

        Config config = nodeConfig(p, work, topicsDir, deadletterTopic, group, "127.0.0.1:1");
        int maxRecordBytes = config.getInt("rill.ingest.max-record-bytes");
        if (corpus.maxLineBytes() > maxRecordBytes) {
            throw new IllegalStateException("the corpus's longest line is " + corpus.maxLineBytes()
                    + " bytes, above rill.ingest.max-record-bytes = " + maxRecordBytes + ": it would be dead-lettered");
        }
        long records = (long) corpus.lines().size() * p.passes();
        long words = corpus.words() * p.passes();
        result.setProperty("corpus.lines", Long.toString(corpus.lines().size()));
        result.setProperty("corpus.words", Long.toString(corpus.words()));
        result.setProperty("corpus.rillTokens", Long.toString(corpus.rillTokens()));
        result.setProperty("corpus.bytes", Long.toString(corpus.bytes()));
        result.setProperty("corpus.maxLineBytes", Long.toString(corpus.maxLineBytes()));
        result.setProperty("passes", Integer.toString(p.passes()));
        result.setProperty("records", Long.toString(records));
        result.setProperty("words", Long.toString(words));

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("broker"), BenchSupport.HOST, 0,
                BenchSupport.BROKER_MAX_MESSAGE_BYTES)) {
            String bootstrap = broker.bootstrapServers();
            Properties adminProps = new Properties();
            adminProps.put("bootstrap.servers", bootstrap);
            try (Admin admin = Admin.create(adminProps)) {
                TopicProvisioner.ensure(admin, TopicSpec.loadAll(topicsDir));
                long[] partitionBytes = produce(bootstrap, p, corpus, result);
                Map<TopicPartition, Long> ends = BenchSupport.endOffsets(admin, p.topic(), p.partitions());
                long total = ends.values().stream().mapToLong(Long::longValue).sum();
                if (total != records) {
                    throw new IllegalStateException("topic holds " + total + " records, expected " + records);
                }
                StringBuilder split = new StringBuilder();
                for (int i = 0; i < p.partitions(); i++) {
                    split.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d: %,d records, %.1f MB", i,
                            ends.get(new TopicPartition(p.topic(), i)), partitionBytes[i] / ProcMemory.MIB));
                }
                result.setProperty("partitions", split.toString());

                System.gc();
                learn(p, admin, nodeConfig(p, work, topicsDir, deadletterTopic, group, bootstrap), group, ends,
                        corpus, result, details);
            }
        }
        result.setProperty("loadavg.end", ProcMemory.loadAverages());
        try (OutputStream out = Files.newOutputStream(p.out().resolve("result.properties"))) {
            result.store(out, "one rill run of the skip-gram benchmark");
        }
        Files.writeString(p.out().resolve("details.md"), details.toString(), StandardCharsets.UTF_8);
        BenchSupport.deleteTree(work);
    }

    /**
     * Produces every line of the corpus as one record, pass after pass. Each record goes to the partition that has
     * received the fewest bytes so far, so both streams get about the same amount of text; its key is the line
     * number.
     */
    private static long[] produce(String bootstrap, Params p, Corpus corpus, Properties result) throws Exception {
        Properties props = BenchSupport.bulkProducerProperties(bootstrap);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
        long[] bytes = new long[p.partitions()];
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        System.out.printf("[%s] producing %,d lines x %d passes to %s (%d partitions)%n", p.label(),
                corpus.lines().size(), p.passes(), p.topic(), p.partitions());
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int pass = 0; pass < p.passes(); pass++) {
                for (int line = 0; line < corpus.lines().size(); line++) {
                    byte[] value = corpus.lines().get(line);
                    int partition = 0;
                    for (int i = 1; i < bytes.length; i++) {
                        if (bytes[i] < bytes[partition]) {
                            partition = i;
                        }
                    }
                    bytes[partition] += value.length;
                    byte[] key = Integer.toString(line + 1).getBytes(StandardCharsets.US_ASCII);
                    producer.send(new ProducerRecord<>(p.topic(), partition, key, value), (metadata, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                        }
                    });
                }
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " sends failed", firstFailure.get());
        }
        result.setProperty("produce.seconds", fmt((System.nanoTime() - started) / 1e9));
        return bytes;
    }

    private static Config nodeConfig(Params p, Path work, Path topicsDir, String deadletterTopic, String group,
                                     String bootstrap) {
        Config bench = ConfigFactory.empty()
                .withValue("rill.node.data-dir", ConfigValueFactory.fromAnyRef(work.resolve("node").toString()))
                .withValue("rill.kafka.bootstrap-servers", ConfigValueFactory.fromAnyRef(bootstrap))
                .withValue("rill.kafka.group-id", ConfigValueFactory.fromAnyRef(group))
                .withValue("rill.kafka.topics-dir", ConfigValueFactory.fromAnyRef(topicsDir.toString()))
                .withValue("rill.ingest.streams", ConfigValueFactory.fromIterable(
                        List.of(Map.of("topic", p.topic(), "tokenizer", "words"))))
                .withValue("rill.ingest.deadletter-topic", ConfigValueFactory.fromAnyRef(deadletterTopic))
                .withValue("rill.jmx.remote.enabled", ConfigValueFactory.fromAnyRef(false));
        for (Map.Entry<String, Object> e : BENCH_SETTINGS.entrySet()) {
            bench = bench.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
        }
        return BenchSupport.overrides(p.overrides()).withFallback(bench).withFallback(ConfigFactory.load()).resolve();
    }

    private static void learn(Params p, Admin admin, Config config, String group, Map<TopicPartition, Long> ends,
                              Corpus corpus, Properties result, StringBuilder details) throws Exception {
        RillSettings settings = RillSettings.from(config);
        Map<String, String> effective = effectiveSettings(config);
        effective.forEach((k, v) -> result.setProperty("setting." + k, v));
        long records = (long) corpus.lines().size() * p.passes();

        JfrProfile profile = p.jfr() != null ? JfrProfile.start(p.jfr()) : null;
        System.out.printf("[%s] starting the rill node (group %s)%n", p.label(), group);
        long t0 = System.nanoTime();
        RillNode node = RillNode.start(settings);
        try {
            long up = System.nanoTime();
            Instant upInstant = Instant.now();
            CpuSnapshot before = CpuSnapshot.take();
            SkipGramMetrics metrics = node.skipGram().orElseThrow(
                    () -> new IllegalStateException("the node has no skip-gram learner")).metrics();
            long first = -1;
            long counted = -1;
            long committed;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(p.timeoutSeconds());
            long lastPrint = t0;
            while (true) {
                long now = System.nanoTime();
                List<IngestStreamMetrics> streams = node.status().streams().stream()
                        .filter(s -> s.topic().equals(p.topic())).toList();
                long in = streams.stream().mapToLong(IngestStreamMetrics::getRecordsIn).sum();
                if (first < 0 && in > 0) {
                    first = now;
                }
                if (counted < 0 && in >= records) {
                    counted = now;
                }
                if (counted >= 0 && BenchSupport.allCommitted(streams, ends)) {
                    committed = now;
                    break;
                }
                if (now > deadline) {
                    throw new IllegalStateException("after " + p.timeoutSeconds() + " s rill had taken in " + in
                            + " of " + records + " records; committed: " + streams.stream()
                            .map(s -> s.partition() + "@" + s.getLastCommittedOffset()).toList());
                }
                if (now - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
                    System.out.printf(Locale.ROOT, "[%s] %.0f s: records in %,d of %,d, tokens seen %,d, pairs %,d, "
                                    + "lr %.5f, loss %.3f, committed %s, ingest restarts %d%n", p.label(),
                            (now - t0) / 1e9, in, records, metrics.getTokensSeen(), metrics.getPairsTrained(),
                            metrics.getLearningRate(), metrics.getLoss(), streams.stream().map(s -> s.partition() + "@"
                                    + s.getLastCommittedOffset()).toList(), node.status().getIngestRestarts());
                    lastPrint = now;
                }
                Thread.sleep(first < 0 ? 1 : 10);
            }
            CpuSnapshot.Phase cpu = CpuSnapshot.take().since(before);
            ProcMemory memory = ProcMemory.self();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            JfrProfile.Summary jfr = profile != null ? profile.stopAndSummarise(25, upInstant) : null;
            profile = null;

            double steady = (committed - first) / 1e9;
            double fromUp = (committed - up) / 1e9;
            long words = corpus.words() * p.passes();
            result.setProperty("time.up", fmt((up - t0) / 1e9));
            result.setProperty("time.firstConsumed", fmt((first - t0) / 1e9));
            result.setProperty("time.allTakenIn", fmt((counted - t0) / 1e9));
            result.setProperty("time.allCommitted", fmt((committed - t0) / 1e9));
            result.setProperty("seconds", fmt(steady));
            result.setProperty("wordsPerSec", fmt(words / steady));
            result.setProperty("wordsPerSecFromUp", fmt(words / fromUp));
            result.setProperty("sg.tokensSeen", Long.toString(metrics.getTokensSeen()));
            result.setProperty("sg.pairsTrained", Long.toString(metrics.getPairsTrained()));
            result.setProperty("sg.loss", fmt(metrics.getLoss()));
            result.setProperty("sg.keepRatio", fmt(metrics.getKeepRatio()));
            result.setProperty("sg.psVersion", Long.toString(metrics.getParameterServerVersion()));
            result.setProperty("sg.stalenessP50", Long.toString(metrics.getStalenessP50()));
            result.setProperty("sg.stalenessP99", Long.toString(metrics.getStalenessP99()));
            result.setProperty("sg.staleRefusals", Long.toString(metrics.getStaleRefusals()));
            result.setProperty("sg.vocabularySize", Long.toString(metrics.getVocabularySize()));
            result.setProperty("sg.trainableWords", Long.toString(metrics.getTrainableWords()));
            result.setProperty("sg.learningRate", fmt(metrics.getLearningRate()));
            result.setProperty("sg.evictedWords", Long.toString(metrics.getEvictedWords()));
            result.setProperty("mem.rss", Long.toString(memory.rssBytes()));
            result.setProperty("mem.peakRss", Long.toString(memory.peakRssBytes()));
            result.setProperty("mem.heapUsed", Long.toString(heap.getUsed()));
            result.setProperty("mem.heapCommitted", Long.toString(heap.getCommitted()));
            result.setProperty("cpu.wall", fmt(cpu.wallSeconds()));
            result.setProperty("cpu.process", fmt(cpu.processCpuSeconds()));
            result.setProperty("cpu.gcCount", Long.toString(cpu.gcCount()));
            result.setProperty("cpu.gcSeconds", fmt(cpu.gcSeconds()));
            System.out.printf(Locale.ROOT, "[%s] all %,d records learned from and committed: %,d words in %.1f s = "
                            + "%,.0f words/s (first record consumed -> all committed); RSS %.0f MiB (peak %.0f MiB), "
                            + "heap used %.0f MiB%n", p.label(), records, words, steady, words / steady,
                    memory.rssBytes() / ProcMemory.MIB, memory.peakRssBytes() / ProcMemory.MIB,
                    heap.getUsed() / ProcMemory.MIB);
            System.out.printf(Locale.ROOT, "[%s] skip-gram: tokens seen %,d, pairs trained %,d, loss %.4f, keep ratio "
                            + "%.4f, PS version %,d, staleness p50 %d p99 %d, stale refusals %,d, vocabulary %,d "
                            + "(trainable %,d), lr at the end %.6f%n", p.label(), metrics.getTokensSeen(),
                    metrics.getPairsTrained(), metrics.getLoss(), metrics.getKeepRatio(),
                    metrics.getParameterServerVersion(), metrics.getStalenessP50(), metrics.getStalenessP99(),
                    metrics.getStaleRefusals(), metrics.getVocabularySize(), metrics.getTrainableWords(),
                    metrics.getLearningRate());

            // The other side of "all committed": the broker's committed offsets, the actors' counts, no dead letters.
            for (PartitionOffsets o : PartitionOffsets.read(admin, group, List.of(p.topic()), 30_000)) {
                if (o.committedOffset() != o.endOffset()) {
                    throw new IllegalStateException("partition " + o.partition() + ": committed "
                            + o.committedOffset() + ", end " + o.endOffset());
                }
            }
            List<StreamActor.Counts> counts = node.streamCounts().stream()
                    .filter(c -> c.topic().equals(p.topic())).toList();
            long countedRecords = counts.stream().mapToLong(StreamActor.Counts::records).sum();
            long countedTokens = counts.stream().mapToLong(StreamActor.Counts::tokens).sum();
            long deadLettered = node.status().streams().stream().filter(s -> s.topic().equals(p.topic()))
                    .mapToLong(IngestStreamMetrics::getDeadLettered).sum();
            if (countedRecords != records || deadLettered != 0) {
                throw new IllegalStateException("the streams took in " + countedRecords + " of " + records
                        + " records, dead-lettered " + deadLettered);
            }
            result.setProperty("check.tokensCounted", Long.toString(countedTokens));
            result.setProperty("check.ingestRestarts", Long.toString(node.status().getIngestRestarts()));
            result.setProperty("check.tokensExpected", Long.toString(corpus.rillTokens() * p.passes()));

            // Export: the same call as the JMX operation and `rill export-vectors`.
            Path vectors = p.out().resolve(p.binary() ? "vectors.bin" : "vectors.txt");
            long exportStart = System.nanoTime();
            String exported = new SkipGramQueries(node.skipGram().orElseThrow())
                    .exportVectors(vectors.toString(), p.binary());
            result.setProperty("export.seconds", fmt((System.nanoTime() - exportStart) / 1e9));
            result.setProperty("export.summary", exported);
            result.setProperty("export.file", vectors.toString());
            result.setProperty("export.binary", Boolean.toString(p.binary()));
            System.out.printf("[%s] %s%n", p.label(), exported);

            System.gc();
            result.setProperty("mem.heapUsedAfterGc",
                    Long.toString(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));

            details.append(String.format(Locale.ROOT, "- Timeline, seconds after `RillNode.start` was called: node "
                            + "up %.2f, first record consumed %.2f, all %,d records taken in %.2f, all committed "
                            + "%.2f. Streams' token count %,d (rill's tokenizer on the file x %d: %,d).%n",
                    (up - t0) / 1e9, (first - t0) / 1e9, records, (counted - t0) / 1e9, (committed - t0) / 1e9,
                    countedTokens, p.passes(), corpus.rillTokens() * p.passes()));
            details.append(String.format(Locale.ROOT, "- CPU from node up to all committed: %.1f s wall, %.1f CPU s "
                            + "(%.2f cores busy), of which Java threads %.1f s (in the kernel %.1f s), JVM-internal "
                            + "(GC, JIT) %.1f s; GC pauses %d, %.2f s. CPU s by thread group (threads): ",
                    cpu.wallSeconds(), cpu.processCpuSeconds(), cpu.coresBusy(), cpu.javaThreadsCpuSeconds(),
                    cpu.javaThreadsSystemSeconds(), cpu.processCpuSeconds() - cpu.javaThreadsCpuSeconds(),
                    cpu.gcCount(), cpu.gcSeconds()));
            List<String> groups = new ArrayList<>();
            cpu.top(10).forEach((g, s) -> groups.add(String.format(Locale.ROOT, "`%s` %.1f", g, s)));
            details.append(String.join(", ", groups)).append(".\n");
            if (jfr != null) {
                appendJfr(details, jfr);
            }
        } finally {
            if (profile != null) {
                profile.close();
            }
            node.close();
        }
    }

    /** The settings that shape the comparison and the throughput, as this run had them. */
    private static Map<String, String> effectiveSettings(Config config) {
        Map<String, String> shown = new TreeMap<>();
        Config skipgram = config.getConfig("rill.skipgram");
        skipgram.entrySet().forEach(e -> {
            if (!e.getKey().startsWith("worker-dispatcher")) {
                shown.put("rill.skipgram." + e.getKey(), String.valueOf(e.getValue().unwrapped()));
            }
        });
        shown.put("rill.skipgram.worker-dispatcher.thread-pool-executor.fixed-pool-size",
                String.valueOf(config.getValue("rill.skipgram.worker-dispatcher.thread-pool-executor.fixed-pool-size")
                        .unwrapped()));
        for (String key : List.of("rill.ingest.max-record-bytes", "rill.ingest.batch-size", "rill.ingest.batch-window",
                "rill.ingest.commit-max-batch", "rill.ingest.commit-max-interval", "akka.kafka.consumer.poll-interval",
                "akka.kafka.consumer.kafka-clients.max.partition.fetch.bytes",
                "akka.kafka.consumer.kafka-clients.max.poll.records")) {
            shown.put(key, String.valueOf(config.getValue(key).unwrapped()));
        }
        return shown;
    }

    private static void appendJfr(StringBuilder md, JfrProfile.Summary jfr) {
        md.append(String.format(Locale.ROOT, "- Flight Recorder from node up to all committed: %,d execution samples "
                + "(file `%s`).%n", jfr.samples(), jfr.file()));
        md.append("  - Samples by thread: ");
        List<String> threads = new ArrayList<>();
        jfr.threadGroups().forEach((t, n) -> threads.add("`" + t + "` " + pct(n, jfr.samples())));
        md.append(String.join(", ", threads)).append(".\n");
        md.append("  - Hottest methods, own samples: ");
        List<String> self = new ArrayList<>();
        jfr.selfTop().forEach((m, n) -> self.add("`" + m + "` " + pct(n, jfr.samples())));
        md.append(String.join(", ", self)).append(".\n");
        md.append("  - Hottest methods, anywhere on the stack: ");
        List<String> stack = new ArrayList<>();
        jfr.stackTop().forEach((m, n) -> stack.add("`" + m + "` " + pct(n, jfr.samples())));
        md.append(String.join(", ", stack)).append(".\n");
        md.append("  - Place in rill's code (innermost rill frame, with library code it calls; \"in\" the outermost, "
                + "the message handler): ");
        List<String> places = new ArrayList<>();
        jfr.rillTop().entrySet().stream().limit(15)
                .forEach(e -> places.add("`" + e.getKey() + "` " + pct(e.getValue(), jfr.samples())));
        md.append(String.join(", ", places)).append(".\n");
        md.append("  - Allocation by class (sampled weight): ");
        List<String> alloc = new ArrayList<>();
        jfr.allocationTop().entrySet().stream().limit(10)
                .forEach(e -> alloc.add("`" + e.getKey() + "` " + pct(e.getValue(), jfr.allocationWeight())));
        md.append(String.join(", ", alloc)).append(".\n");
    }

    private static String pct(long part, long whole) {
        return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
