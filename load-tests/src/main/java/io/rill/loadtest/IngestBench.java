package io.rill.loadtest;

import com.typesafe.config.Config;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.PartitionOffsets;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.IngestStreamMetrics;
import io.rill.text.Decoded;
import io.rill.text.RecordDecoder;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.ConsumerPerformance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ingest benchmark: what rill's path from Kafka into its stream actors costs next to a bare consumer. In one JVM,
 * on one embedded broker and topic: N records of English text produced, Kafka's own ConsumerPerformance reads them
 * all (the ceiling), then a rill node ingests them all (decode, tokenize, count in the stream actors, commit), and
 * rill's per-record work alone on one thread (no Kafka, no Akka) for scale. It runs {@link RillNode} in-process: it
 * has to share the JVM with ConsumerPerformance, so that both are measured alike.
 */
@Command(name = "ingest-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Produce N text records to an embedded broker, read them with Kafka's ConsumerPerformance, "
                + "then ingest them with a rill node; print and record the rates.")
public final class IngestBench extends Bench<IngestBench.Result> {

    static final double TARGET_RATIO = 0.8;

    @Option(names = "--corpus", defaultValue = "../shared/data/corpus/sotu-moby.tokens.txt",
            description = "Text to cut records from.")
    Path corpus;
    @Option(names = "--records", defaultValue = "1000000", description = "Records to produce and read.") long records;
    @Option(names = "--record-chars", defaultValue = "200", description = "Record size, cut at spaces.")
    int recordChars;
    @Option(names = "--topic", defaultValue = "bench.text") String topic;
    @Option(names = "--partitions", defaultValue = "2") int partitions;
    @Option(names = "--compression", defaultValue = "none", description = "Producer compression.type.")
    String compression;
    @Option(names = "--linger-ms", defaultValue = "10", description = "Producer linger.ms.") int lingerMs;
    @Option(names = "--batch-bytes", defaultValue = "262144", description = "Producer batch.size.") int batchBytes;
    @Option(names = "--jfr", paramLabel = "FILE", description = "Record the rill phase with Flight Recorder into FILE.")
    Path jfr;
    @Option(names = "--timeout", defaultValue = "600", description = "Seconds each phase may take.") int timeout;

    record Data(long records, int distinct, int minBytes, int maxBytes, long bytes, long tokens) {
    }

    /** A phase: what it did in how long, and the CPU it took. */
    record Phase(long records, double seconds, Cpu.Phase cpu) {
    }

    /** ConsumerPerformance's summary line, by its column names (its MB is 2^20 bytes). */
    record Perf(List<String> args, Map<String, String> columns, Cpu.Phase cpu) {

        double get(String column) {
            return Double.parseDouble(columns.get(column));
        }
    }

    /** The rill phase; times are seconds after {@code RillNode.start} was called. */
    record Rill(Map<String, String> settings, double up, double first, double counted, double committed,
                long records, long tokens, long bytes, long deadLettered, Map<Integer, Long> byPartition,
                Cpu.Phase cpu, Jfr.Summary jfr) {
    }

    record Result(String corpus, int recordChars, List<String> overrides, Data data, Phase work, Phase produce,
                  Map<String, String> producer, Map<String, Long> ends, Perf perf, Rill rill) {
    }

    public IngestBench() {
        super("ingest", Result.class, "Ingest benchmark", "Written by `load-tests/ingest-bench.sh` (see "
                + "load-tests/README.md for what is measured and how). One section per run. MB = 2^20 bytes of "
                + "record values.");
    }

    public static void main(String[] args) {
        main(new IngestBench(), args);
    }

    @Override
    void validate() {
        if (records < 1 || records > 50_000_000 || partitions < 1) {
            throw bad("--records must be 1..50,000,000 and --partitions positive");
        }
    }

    @Override
    Result measure() throws Exception {
        System.out.printf("cutting %s into ~%d-character records%n", corpus, recordChars);
        TextRecords text = new TextRecords(Files.readAllLines(corpus, StandardCharsets.UTF_8), recordChars);
        Data data = new Data(records, text.distinct(), text.minBytes, text.maxBytes, text.bytesOf(records),
                text.tokensOf(records));
        Path topics = work.resolve("topics");
        Kafka.specs(topics, topic, partitions, topic + ".deadletter", null);
        List<String> lines = Node.base(work.resolve("node"), "", "bench-rill-" + UUID.randomUUID(), topics, topic,
                "words", topic + ".deadletter");
        lines.addAll(List.of("rill.jmx.remote.enabled = false", "rill.skipgram.enabled = false"));
        lines.addAll(overrides);
        Config config = nodeConfig(lines);
        lines.removeAll(overrides);

        System.out.printf("rill's work alone (decode, tokenize, count; one thread): %,d records%n", records);
        workAlone(text, config, Math.min(records, 200_000)); // untimed: the JIT compiles the loop first
        Phase alone = workAlone(text, config, records);

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("broker"), "127.0.0.1", 0,
                BrokerMain.MAX_MESSAGE_BYTES); Admin admin = Kafka.admin(broker.bootstrapServers())) {
            String bootstrap = broker.bootstrapServers();
            Kafka.provision(admin, topics);
            Properties props = Kafka.producer(bootstrap, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchBytes));
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
            props.remove(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            Map<String, String> producer = new TreeMap<>();
            props.forEach((k, v) -> producer.put(String.valueOf(k), String.valueOf(v)));
            producer.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
            System.out.printf("producing %,d records to %s (%s)%n", records, topic, producer);
            Cpu before = Cpu.take();
            Kafka.Sent sent = Kafka.produce(props, (int) records, i -> new ProducerRecord<>(topic, text.value(i)));
            Phase produce = new Phase(records, sent.seconds(), Cpu.take().since(before));
            Map<String, Long> ends = Kafka.ends(admin, Kafka.partitions(topic, partitions));
            if (Kafka.sum(ends) != records) {
                throw new IllegalStateException("the topic holds " + Kafka.sum(ends) + " records, not " + records);
            }
            System.gc();
            System.out.printf("%nConsumerPerformance: reading %,d records%n", records);
            Perf perf = consumerPerformance(bootstrap);
            System.gc();
            System.out.printf("%nrill: ingesting %,d records%n", records);
            lines.add("rill.kafka.bootstrap-servers = " + Node.quote(bootstrap));
            lines.addAll(overrides); // the user's lines last
            Rill rill = rill(nodeConfig(lines), admin, ends, text);
            return new Result(corpus.toString(), recordChars, List.copyOf(overrides), data, alone, produce, producer, ends, perf,
                    rill);
        }
    }

    /** rill's per-record work on this thread: strict decoding, word tokenization, a frequency map as a stream keeps. */
    private static Phase workAlone(TextRecords text, Config config, long n) {
        RecordDecoder decoder = new RecordDecoder(config.getInt("rill.ingest.max-record-bytes"));
        Tokenizer tokenizer = Tokenizer.of(TokenizerKind.WORDS);
        int maxDistinct = config.getInt("rill.ingest.max-distinct-tokens");
        Map<String, long[]> frequencies = new HashMap<>();
        var threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        long tokens = 0;
        for (long i = 0; i < n; i++) {
            if (!(decoder.decode(text.value(i)) instanceof Decoded.Text decoded)) {
                throw new IllegalStateException("record " + i + " does not decode");
            }
            var tokenized = tokenizer.tokenize(decoded.text());
            for (List<String> line : tokenized.lines()) {
                for (String token : line) {
                    long[] count = frequencies.get(token);
                    if (count != null) {
                        count[0]++;
                    } else if (frequencies.size() < maxDistinct) {
                        frequencies.put(token, new long[] {1});
                    }
                }
            }
            tokens += tokenized.tokenCount();
        }
        if (tokens != text.tokensOf(n)) {
            throw new IllegalStateException("the work alone counted " + tokens + " tokens, not " + text.tokensOf(n));
        }
        double seconds = since(started);
        return new Phase(n, seconds, new Cpu.Phase(seconds, (threads.getCurrentThreadCpuTime() - cpu) / 1e9, 0, 0,
                0, 0, Map.of()));
    }

    /**
     * Kafka's ConsumerPerformance in this JVM with a fresh group. Its {@code main} returns when done and leaves the
     * process only through Kafka's {@link Exit}, swapped here for a procedure that throws; its stdout is copied.
     */
    private Perf consumerPerformance(String bootstrap) {
        List<String> args = List.of("--bootstrap-server", bootstrap, "--topic", topic, "--messages",
                String.valueOf(records), "--group", "bench-consumer-perf-" + UUID.randomUUID(), "--timeout", "60000");
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("ConsumerPerformance failed (exit " + status + "): " + message);
        });
        Cpu before = Cpu.take();
        try {
            System.setOut(new PrintStream(new OutputStream() {
                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    stdout.write(b, off, len);
                    copy.write(b, off, len);
                }

                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }
            }, true, StandardCharsets.UTF_8));
            ConsumerPerformance.main(args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            Exit.resetExitProcedure();
        }
        Cpu.Phase cpu = Cpu.take().since(before);
        String[] out = copy.toString(StandardCharsets.UTF_8).split("\\R");
        for (int i = 0; i + 1 < out.length; i++) {
            if (out[i].startsWith("start.time")) {
                Map<String, String> columns = new LinkedHashMap<>();
                String[] names = out[i].split(",");
                String[] values = out[i + 1].split(",");
                for (int c = 0; c < Math.min(names.length, values.length); c++) {
                    columns.put(names[c].trim(), values[c].trim());
                }
                Perf perf = new Perf(args.stream().map(a -> a.equals(bootstrap) ? "<embedded broker>"
                        : a.startsWith("bench-consumer-perf-") ? "<fresh>" : a).toList(), columns, cpu);
                if (perf.get("data.consumed.in.nMsg") < records) {
                    throw new IllegalStateException("ConsumerPerformance read only " + columns);
                }
                return perf;
            }
        }
        throw new IllegalStateException("no summary in ConsumerPerformance's output");
    }

    /** A node in this JVM, its stream metrics polled every 10 ms until every partition is committed to its end. */
    private Rill rill(Config config, Admin admin, Map<String, Long> ends, TextRecords text) throws Exception {
        Jfr profile = jfr != null ? Jfr.start(jfr) : null;
        long t0 = System.nanoTime();
        try (RillNode node = RillNode.start(RillSettings.from(config))) {
            double up = since(t0);
            Cpu before = Cpu.take();
            double first = -1;
            double counted = -1;
            double committed;
            long lastPrint = t0;
            while (true) {
                List<IngestStreamMetrics> streams = node.status().streams().stream()
                        .filter(s -> s.topic().equals(topic)).toList();
                long in = streams.stream().mapToLong(IngestStreamMetrics::getRecordsIn).sum();
                first = first < 0 && in > 0 ? since(t0) : first;
                counted = counted < 0 && in >= records ? since(t0) : counted;
                if (counted >= 0 && ends.entrySet().stream().allMatch(e -> e.getValue() == 0 || streams.stream()
                        .anyMatch(s -> (topic + "-" + s.partition()).equals(e.getKey())
                                && s.getLastCommittedOffset() >= e.getValue()))) {
                    committed = since(t0);
                    break;
                }
                if (since(t0) > timeout) {
                    throw new IllegalStateException("rill had counted " + in + " of " + records + " records after "
                            + timeout + " s");
                }
                if (since(lastPrint) > 2) {
                    System.out.printf("  %,d records counted after %.1f s%n", in, since(t0));
                    lastPrint = System.nanoTime();
                }
                Thread.sleep(first < 0 ? 1 : 10);
            }
            Cpu.Phase cpu = Cpu.take().since(before);
            Jfr.Summary summary = profile != null ? profile.stop(25) : null;
            profile = null;
            String group = config.getString("rill.kafka.group-id");
            for (PartitionOffsets o : PartitionOffsets.read(admin, group, List.of(topic), 30_000)) {
                if (o.committedOffset() != o.endOffset()) {
                    throw new IllegalStateException("partition " + o.partition() + ": committed " + o.committedOffset()
                            + ", end " + o.endOffset());
                }
            }
            var counts = node.streamCounts().stream().filter(c -> c.topic().equals(topic)).toList();
            Map<Integer, Long> byPartition = new TreeMap<>();
            counts.forEach(c -> byPartition.merge(c.partition(), c.records(), Long::sum));
            return new Rill(settings(config), up, first, counted, committed,
                    counts.stream().mapToLong(c -> c.records()).sum(), counts.stream().mapToLong(c -> c.tokens()).sum(),
                    counts.stream().mapToLong(c -> c.bytes()).sum(), node.status().streams().stream()
                    .filter(s -> s.topic().equals(topic)).mapToLong(IngestStreamMetrics::getDeadLettered).sum(),
                    byPartition, cpu, summary);
        } finally {
            if (profile != null) {
                profile.stop(0);
            }
        }
    }

    /** The settings that shape ingest throughput, as the node had them. */
    private static Map<String, String> settings(Config config) {
        return effective(config, List.of("akka.kafka.consumer.kafka-clients"), List.of("rill.ingest.batch-size",
                "rill.ingest.batch-window", "rill.ingest.commit-max-batch", "rill.ingest.commit-max-interval",
                "akka.kafka.consumer.poll-interval"));
    }

    @Override
    void render(Report md, Result r) {
        Data d = r.data();
        Perf p = r.perf();
        Rill rill = r.rill();
        double mb = d.bytes() / Machine.MIB;
        double fetch = p.get("fetch.nMsg.sec");
        double steady = rill.committed() - rill.first();
        double fromUp = rill.committed() - rill.up();
        double headline = rill.records() / steady / fetch;
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("produce (KafkaProducer, acks=all)", d.records(), r.produce().seconds(), mb, "",
                r.produce().cpu(), ""));
        rows.add(row("ConsumerPerformance, fetch only", (long) p.get("data.consumed.in.nMsg"),
                p.get("fetch.time.ms") / 1e3, p.get("data.consumed.in.MB"), "", p.cpu(), "1.00 (ceiling)"));
        rows.add(row("ConsumerPerformance, with group join", (long) p.get("data.consumed.in.nMsg"),
                (p.get("fetch.time.ms") + p.get("rebalance.time.ms")) / 1e3, p.get("data.consumed.in.MB"), "", null,
                "1.00"));
        rows.add(row("rill, first record counted -> all committed", rill.records(), steady, rill.bytes() / Machine.MIB,
                Report.n(rill.tokens() / steady), rill.cpu(), Report.d(headline, 2)));
        rows.add(row("rill, node up (group join) -> all committed", rill.records(), fromUp, rill.bytes() / Machine.MIB,
                Report.n(rill.tokens() / fromUp), null, Report.d(rill.records() / fromUp / p.get("nMsg.sec"), 2)));
        rows.add(row("rill's work alone (decode, tokenize, count), warm", d.records(), r.work().seconds(), mb,
                Report.n(d.tokens() / r.work().seconds()), r.work().cpu(),
                Report.d(d.records() / r.work().seconds() / fetch, 2)));
        md.table(List.of("phase", ">records", ">seconds", ">records/s", ">MB/s", ">tokens/s", ">CPU µs/record",
                ">ratio to ConsumerPerformance"), rows);
        md.para("CPU µs/record: the whole JVM's CPU (broker included) in the phase per record; the work alone: its "
                + "thread's. It moves much less than records/s on a shared machine.");
        md.para("**rill / ConsumerPerformance (fetch only): %.2f** (the issue's target is >= %.1f: %s).", headline,
                TARGET_RATIO, headline >= TARGET_RATIO ? "met" : "not met");
        md.h3("Setup")
                .bullet("Everything in one JVM: the embedded KRaft broker (loopback, free port, fresh temporary "
                        + "directory), the producer, ConsumerPerformance and the rill node. `System.gc()` runs before "
                        + "each read phase.")
                .bullet("Data: `%s` cut at spaces into ~%d-character records: %,d distinct pieces per pass, repeated in "
                        + "order; values %d..%d bytes, %.1f bytes on average, %.1f MB in all; %,d word tokens by rill's "
                        + "tokenizer.", r.corpus(), r.recordChars(), d.distinct(), d.minBytes(), d.maxBytes(),
                        (double) d.bytes() / d.records(), mb, d.tokens())
                .bullet("Topic: %d partitions; records per partition %s (no keys: the producer's sticky partitioner "
                        + "spreads batches).", r.ends().size(), r.ends())
                .bullet("Producer: %s.", r.producer())
                .bullet("ConsumerPerformance (kafka-tools 3.9.1, in process): `%s`, its defaults otherwise "
                        + "(max.partition.fetch.bytes 1 MiB, receive.buffer.bytes 2 MiB, check.crcs=false, "
                        + "max.poll.records 500).", String.join(" ", p.args()))
                .bullet("rill node: external-broker mode, a fresh group, stream `words` tokenizer, skip-gram off, "
                        + "remote JMX off; `--set`: %s. Throughput settings in effect: %s.",
                        r.overrides().isEmpty() ? "none" : "`" + String.join("`, `", r.overrides()) + "`",
                        Report.settings(rill.settings())).end();
        md.h3("rill timeline and checks")
                .bullet("Seconds after `RillNode.start` was called: node up %.2f, first record counted %.2f, all %,d "
                        + "counted %.2f, all committed %.2f (commit tail %.0f ms).", rill.up(), rill.first(),
                        rill.records(), rill.counted(), rill.committed(), (rill.committed() - rill.counted()) * 1e3)
                .bullet("Counted by the stream actors: %,d records (per partition %s), %,d tokens (expected %,d), %,d "
                        + "value bytes (expected %,d); dead-lettered %d; committed offsets = end offsets on every "
                        + "partition (read back with PartitionOffsets).", rill.records(), rill.byPartition(),
                        rill.tokens(), d.tokens(), rill.bytes(), d.bytes(), rill.deadLettered()).end();
        md.h3("Where the CPU went")
                .bullet("Produce: %s", r.produce().cpu().describe(8))
                .bullet("ConsumerPerformance: %s", p.cpu().describe(8))
                .bullet("rill, from node up to all committed: %s", rill.cpu().describe(8)).end();
        if (rill.jfr() != null) {
            rill.jfr().render(md, "rill phase from node up");
        }
    }

    private static List<String> row(String phase, long records, double seconds, double mb, String tokens,
                                    Cpu.Phase cpu, String ratio) {
        return List.of(phase, Report.f("%,d", records), Report.d(seconds, 2), Report.n(records / seconds),
                Report.d(mb / seconds, 1), tokens, cpu == null ? "" : Report.d(cpu.process() * 1e6 / records, 1),
                ratio);
    }
}
