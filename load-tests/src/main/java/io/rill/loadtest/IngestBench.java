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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The ingest benchmark: in one JVM, against one embedded KRaft broker and one topic, it produces N records of
 * English text, lets Kafka's ConsumerPerformance read them all (the ceiling), then lets a rill node ingest them all
 * (decode, tokenize, count in the stream actors, commit), and compares the rates. Figures go to stdout and, as a
 * Markdown section, to {@code <results>/ingest-<date>.md}. It is a harness that prints numbers, never a test with a
 * pass/fail threshold; see load-tests/README.md.
 */
@Command(name = "ingest-bench", mixinStandardHelpOptions = true, sortOptions = false,
        version = "rill ingest benchmark 0.1.0",
        description = "Produce N text records to an embedded broker, read them with Kafka's ConsumerPerformance, "
                + "then ingest them with a rill node; print and record the rates.")
public final class IngestBench implements Callable<Integer> {

    static final double MIB = 1024.0 * 1024.0;
    static final double TARGET_RATIO = 0.8;
    private static final long MAX_RECORDS = 50_000_000L;

    @Option(names = "--corpus", paramLabel = "FILE", defaultValue = "../shared/data/corpus/sotu-moby.tokens.txt",
            description = "Text to cut records from (default, relative to the working directory: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--records", defaultValue = "1000000", description = "Records to produce and read (${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--record-chars", defaultValue = "200",
            description = "Target record size in characters, cut at spaces (${DEFAULT-VALUE}).")
    int recordChars;

    @Option(names = "--topic", defaultValue = "bench.text", description = "Topic name (${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the topic (${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--compression", defaultValue = "none",
            description = "Producer compression.type: none, lz4, zstd, snappy, gzip (${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--linger-ms", defaultValue = "10", description = "Producer linger.ms (${DEFAULT-VALUE}).")
    int lingerMs;

    @Option(names = "--batch-bytes", defaultValue = "262144", description = "Producer batch.size (${DEFAULT-VALUE}).")
    int batchBytes;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A HOCON line laid over the rill node's configuration, e.g. "
                    + "--set rill.ingest.batch-size=5000 or "
                    + "--set akka.kafka.consumer.kafka-clients.max.poll.records=5000. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--jfr", paramLabel = "FILE",
            description = "Record the rill phase with Flight Recorder into FILE and summarise where the time went.")
    Path jfr;

    @Mixin
    ReportOptions common;

    @Option(names = "--timeout", defaultValue = "600",
            description = "Seconds each phase may take before the benchmark gives up (${DEFAULT-VALUE}).")
    int timeoutSeconds;

    public static void main(String[] args) {
        int exit = new CommandLine(new IngestBench()).execute(args);
        System.exit(exit);
    }

    @Override
    public Integer call() throws Exception {
        if (records < 1 || records > MAX_RECORDS) {
            throw new IllegalArgumentException("--records must be between 1 and " + MAX_RECORDS + ", got " + records);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1");
        }
        BenchReport report = new BenchReport();
        report.startedAt = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        report.command = common.command != null ? common.command : defaultCommand();
        report.label = common.label;
        report.machine = MachineFacts.collect();
        report.corpus = corpus.toString();
        report.overrides = List.copyOf(overrides);

        System.out.printf("cutting %s into ~%d-character records%n", corpus, recordChars);
        CorpusRecords data = CorpusRecords.cut(corpus, recordChars);
        report.data = new BenchReport.Data(records, data.distinct(), data.minBytes(), data.maxBytes(),
                data.bytesOf(records), data.tokensOf(records));

        Config defaults = userOverrides().withFallback(ConfigFactory.load()).resolve();
        System.out.printf("rill's work alone (decode, tokenize, count; one thread, no Kafka, no Akka): %,d records%n",
                records);
        report.baseline = WorkBaseline.run(data, records, defaults.getInt("rill.ingest.max-record-bytes"),
                defaults.getInt("rill.ingest.max-distinct-tokens"));
        if (report.baseline.tokens() != data.tokensOf(records)) {
            throw new IllegalStateException("baseline counted " + report.baseline.tokens() + " tokens, expected "
                    + data.tokensOf(records));
        }

        Path work = common.createWorkDirectory("rill-ingest-bench-");
        try {
            run(work, data, report);
        } finally {
            common.removeWorkDirectory(work);
        }
        String text = report.text();
        System.out.println();
        System.out.println(text);
        if (!common.noReport) {
            Path file = common.reportFile("ingest");
            report.appendMarkdown(file);
            System.out.println("report appended to " + file);
        }
        return 0;
    }

    private void run(Path work, CorpusRecords data, BenchReport report) throws Exception {
        Path topicsDir = Files.createDirectories(work.resolve("topics"));
        String deadletterTopic = topic + ".deadletter";
        BenchSupport.writeTopicSpecs(topicsDir, topic, partitions, deadletterTopic);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("broker"), BenchSupport.HOST, 0,
                BenchSupport.BROKER_MAX_MESSAGE_BYTES)) {
            String bootstrap = broker.bootstrapServers();
            Properties adminProps = new Properties();
            adminProps.put("bootstrap.servers", bootstrap);
            try (Admin admin = Admin.create(adminProps)) {
                // The topics are made exactly as a rill node makes them: from spec files, by rill's provisioner.
                TopicProvisioner.ensure(admin, TopicSpec.loadAll(topicsDir));

                report.produce = produce(bootstrap, data);
                Map<TopicPartition, Long> ends = BenchSupport.endOffsets(admin, topic, partitions);
                long total = ends.values().stream().mapToLong(Long::longValue).sum();
                if (total != records) {
                    throw new IllegalStateException("topic holds " + total + " records, expected " + records);
                }
                report.endOffsets = new TreeMap<>(ends.entrySet().stream().collect(
                        Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue)));

                System.gc();
                System.out.printf("%nConsumerPerformance: reading %,d records%n", records);
                CpuSnapshot before = CpuSnapshot.take();
                report.consumerPerf = ConsumerPerfRun.run(bootstrap, topic, records,
                        "bench-consumer-perf-" + UUID.randomUUID(), TimeUnit.SECONDS.toMillis(60));
                report.consumerPerfCpu = CpuSnapshot.take().since(before);
                if (report.consumerPerf.messages() < records) {
                    throw new IllegalStateException("ConsumerPerformance read " + report.consumerPerf.messages()
                            + " records, expected " + records);
                }

                System.gc();
                System.out.printf("%nrill: ingesting %,d records%n", records);
                report.rill = ingestWithRill(bootstrap, admin, work, topicsDir, deadletterTopic, ends, data);
            }
        }
    }

    private BenchReport.Produce produce(String bootstrap, CorpusRecords data) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchBytes));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        Map<String, String> shown = new LinkedHashMap<>();
        props.forEach((k, v) -> {
            if (!k.equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                shown.put(String.valueOf(k), String.valueOf(v));
            }
        });
        System.out.printf("producing %,d records to %s (%s)%n", records, topic, shown);
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        CpuSnapshot before = CpuSnapshot.take();
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, data.value(i)), (metadata, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            long elapsed = System.nanoTime() - started;
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " sends failed", firstFailure.get());
            }
            CpuSnapshot.Phase cpu = CpuSnapshot.take().since(before);
            return new BenchReport.Produce(shown, elapsed / 1e9, cpu);
        }
    }

    private BenchReport.Rill ingestWithRill(String bootstrap, Admin admin, Path work, Path topicsDir,
                                            String deadletterTopic, Map<TopicPartition, Long> ends,
                                            CorpusRecords data) throws Exception {
        String group = "bench-rill-" + UUID.randomUUID();
        Config config = nodeConfig(bootstrap, group, work, topicsDir, deadletterTopic);
        RillSettings settings = RillSettings.from(config);
        Map<String, String> effective = effectiveSettings(config);

        // JFR starts before the node (its own start-up takes a moment); CPU is counted from the node being up, so
        // that class loading and the actor system's start are not in the figures.
        JfrProfile profile = jfr != null ? JfrProfile.start(jfr) : null;
        long t0 = System.nanoTime();
        RillNode node = RillNode.start(settings);
        try {
            long up = System.nanoTime();
            java.time.Instant upInstant = java.time.Instant.now();
            CpuSnapshot before = CpuSnapshot.take();
            long first = -1;
            long counted = -1;
            long committed;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            long lastPrint = t0;
            while (true) {
                long now = System.nanoTime();
                List<IngestStreamMetrics> streams = node.status().streams().stream()
                        .filter(s -> s.topic().equals(topic)).toList();
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
                    throw new IllegalStateException("rill had counted " + in + " of " + records + " records after "
                            + timeoutSeconds + " s; committed: " + streams.stream()
                            .map(s -> s.partition() + "@" + s.getLastCommittedOffset()).toList());
                }
                if (now - lastPrint > TimeUnit.SECONDS.toNanos(2)) {
                    System.out.printf("  %,d records counted after %.1f s%n", in, (now - t0) / 1e9);
                    lastPrint = now;
                }
                Thread.sleep(first < 0 ? 1 : 10);
            }
            CpuSnapshot.Phase cpu = CpuSnapshot.take().since(before);
            JfrProfile.Summary jfrSummary = profile != null ? profile.stopAndSummarise(25, upInstant) : null;
            profile = null;

            // The same facts from the other side: the broker's committed offsets and the actors' own counts.
            List<PartitionOffsets> offsets = PartitionOffsets.read(admin, group, List.of(topic), 30_000);
            for (PartitionOffsets o : offsets) {
                if (o.committedOffset() != o.endOffset()) {
                    throw new IllegalStateException("partition " + o.partition() + ": committed "
                            + o.committedOffset() + ", end " + o.endOffset());
                }
            }
            List<StreamActor.Counts> counts = node.streamCounts().stream()
                    .filter(c -> c.topic().equals(topic)).toList();
            long countedRecords = counts.stream().mapToLong(StreamActor.Counts::records).sum();
            long countedTokens = counts.stream().mapToLong(StreamActor.Counts::tokens).sum();
            long countedBytes = counts.stream().mapToLong(StreamActor.Counts::bytes).sum();
            long deadLettered = node.status().streams().stream().filter(s -> s.topic().equals(topic))
                    .mapToLong(IngestStreamMetrics::getDeadLettered).sum();
            return new BenchReport.Rill(group, effective, (up - t0) / 1e9, (first - t0) / 1e9,
                    (counted - t0) / 1e9, (committed - t0) / 1e9, countedRecords, countedTokens, countedBytes,
                    data.tokensOf(records), data.bytesOf(records), deadLettered,
                    counts.stream().collect(Collectors.toMap(StreamActor.Counts::partition,
                            StreamActor.Counts::records, Long::sum, TreeMap::new)),
                    cpu, jfrSummary);
        } finally {
            if (profile != null) {
                profile.close();
            }
            node.close();
        }
    }

    private Config nodeConfig(String bootstrap, String group, Path work, Path topicsDir, String deadletterTopic) {
        Config bench = ConfigFactory.empty()
                .withValue("rill.node.data-dir", ConfigValueFactory.fromAnyRef(work.resolve("node").toString()))
                .withValue("rill.kafka.bootstrap-servers", ConfigValueFactory.fromAnyRef(bootstrap))
                .withValue("rill.kafka.group-id", ConfigValueFactory.fromAnyRef(group))
                .withValue("rill.kafka.topics-dir", ConfigValueFactory.fromAnyRef(topicsDir.toString()))
                .withValue("rill.ingest.streams", ConfigValueFactory.fromIterable(
                        List.of(Map.of("topic", topic, "tokenizer", "words"))))
                .withValue("rill.ingest.deadletter-topic", ConfigValueFactory.fromAnyRef(deadletterTopic))
                .withValue("rill.jmx.remote.enabled", ConfigValueFactory.fromAnyRef(false))
                // Ingest only: the skip-gram learner would measure training, not the path into the actors.
                .withValue("rill.skipgram.enabled", ConfigValueFactory.fromAnyRef(false));
        return userOverrides().withFallback(bench).withFallback(ConfigFactory.load()).resolve();
    }

    /** The --set lines, a later one winning over an earlier one. */
    private Config userOverrides() {
        return BenchSupport.overrides(overrides);
    }

    /** The settings that shape ingest throughput, as this run had them. */
    private static Map<String, String> effectiveSettings(Config config) {
        Map<String, String> shown = new LinkedHashMap<>();
        for (String key : List.of("rill.ingest.batch-size", "rill.ingest.batch-window", "rill.ingest.commit-max-batch",
                "rill.ingest.commit-max-interval", "akka.kafka.consumer.poll-interval")) {
            shown.put(key, config.getValue(key).unwrapped().toString());
        }
        Config clients = config.getConfig("akka.kafka.consumer.kafka-clients");
        new TreeMap<>(clients.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> String.valueOf(e.getValue().unwrapped())))).forEach((k, v) ->
                shown.put("akka.kafka.consumer.kafka-clients." + k, v));
        return shown;
    }

    private String defaultCommand() {
        List<String> jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        return "java " + String.join(" ", jvm) + " -cp ... " + IngestBench.class.getName() + " (arguments not known)";
    }
}
