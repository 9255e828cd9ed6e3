package io.rill.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one benchmark run found, and its two renderings: a plain table for the terminal and a Markdown
 * section for {@code load-tests/results/ingest-<date>.md}. MB is 2^20 bytes throughout, as ConsumerPerformance
 * counts it; byte figures are record value bytes (the records have no keys).
 */
final class BenchReport {

    record Data(long records, int distinctPieces, int minBytes, int maxBytes, long valueBytes, long expectedTokens) {
    }

    record Produce(Map<String, String> settings, double seconds, CpuSnapshot.Phase cpu) {
    }

    /**
     * The rill phase; times are seconds since {@code RillNode.start} was called: {@code up} when it returned (actor
     * system, topic check and ingest stream running, consumer about to join its group), {@code firstCounted} when
     * the stream actors' metrics first showed a record taken in, {@code allCounted} when they showed all of them,
     * {@code allCommitted} when every partition's committed offset had reached its end offset.
     */
    record Rill(String group, Map<String, String> settings, double up, double firstCounted, double allCounted,
                double allCommitted, long records, long tokens, long bytes, long expectedTokens, long expectedBytes,
                long deadLettered, Map<Integer, Long> recordsByPartition, CpuSnapshot.Phase cpu,
                JfrProfile.Summary jfr) {

        double steadySeconds() {
            return allCommitted - firstCounted;
        }

        double fromUpSeconds() {
            return allCommitted - up;
        }
    }

    ZonedDateTime startedAt;
    String command;
    String label;
    MachineFacts machine;
    String corpus;
    List<String> overrides;
    Data data;
    WorkBaseline.Result baseline;
    Produce produce;
    Map<Integer, Long> endOffsets;
    ConsumerPerfRun.Result consumerPerf;
    CpuSnapshot.Phase consumerPerfCpu;
    Rill rill;

    /** One row of the summary table. */
    private record Row(String what, long records, double seconds, double recordsPerSec, double mbPerSec,
                       String tokensPerSec, String cpuMicrosPerRecord, String ratio) {
    }

    private static String cpuPerRecord(double cpuSeconds, long records) {
        return cpuSeconds < 0 ? "" : String.format(Locale.ROOT, "%.1f", cpuSeconds * 1e6 / records);
    }

    private static String tokens(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private String ratioToFetch(double recordsPerSec) {
        return String.format(Locale.ROOT, "%.2f", recordsPerSec / consumerPerf.fetchMessagesPerSec());
    }

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        double mb = data.valueBytes() / IngestBench.MIB;
        rows.add(new Row("produce (KafkaProducer, acks=all)", data.records(), produce.seconds(),
                data.records() / produce.seconds(), mb / produce.seconds(), "",
                cpuPerRecord(produce.cpu().processCpuSeconds(), data.records()), ""));
        ConsumerPerfRun.Result cp = consumerPerf;
        rows.add(new Row("ConsumerPerformance, fetch only", cp.messages(), cp.fetchMs() / 1e3,
                cp.fetchMessagesPerSec(), cp.fetchMbPerSec(), "",
                cpuPerRecord(consumerPerfCpu.processCpuSeconds(), cp.messages()), "1.00 (ceiling)"));
        rows.add(new Row("ConsumerPerformance, with group join", cp.messages(),
                (cp.fetchMs() + cp.rebalanceMs()) / 1e3, cp.messagesPerSec(), cp.mbPerSec(), "", "", "1.00"));
        double steady = rill.steadySeconds();
        rows.add(new Row("rill, first record counted -> all committed", rill.records(), steady,
                rill.records() / steady, rill.bytes() / IngestBench.MIB / steady, tokens(rill.tokens() / steady),
                cpuPerRecord(rill.cpu().processCpuSeconds(), rill.records()), ratioToFetch(rill.records() / steady)));
        double fromUp = rill.fromUpSeconds();
        rows.add(new Row("rill, node up (group join) -> all committed", rill.records(), fromUp,
                rill.records() / fromUp, rill.bytes() / IngestBench.MIB / fromUp, tokens(rill.tokens() / fromUp), "",
                String.format(Locale.ROOT, "%.2f", rill.records() / fromUp / cp.messagesPerSec())));
        rows.add(new Row("rill's work alone (decode, tokenize, count), warm", baseline.records(), baseline.seconds(),
                baseline.recordsPerSec(), baseline.bytes() / IngestBench.MIB / baseline.seconds(),
                tokens(baseline.tokensPerSec()), cpuPerRecord(baseline.cpuSeconds(), baseline.records()),
                ratioToFetch(baseline.recordsPerSec())));
        return rows;
    }

    double headlineRatio() {
        return rill.records() / rill.steadySeconds() / consumerPerf.fetchMessagesPerSec();
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-52s %10s %8s %12s %8s %12s %9s %s%n",
                "phase", "records", "seconds", "records/s", "MB/s", "tokens/s", "CPU us/r", "ratio"));
        for (Row r : rows()) {
            out.append(String.format(Locale.ROOT, "%-52s %,10d %8.2f %,12.0f %8.1f %12s %9s %s%n", r.what(),
                    r.records(), r.seconds(), r.recordsPerSec(), r.mbPerSec(), r.tokensPerSec(),
                    r.cpuMicrosPerRecord(), r.ratio()));
        }
        out.append(String.format(Locale.ROOT,
                "rill / ConsumerPerformance (fetch only): %.2f (target >= %.1f: %s)%n", headlineRatio(),
                IngestBench.TARGET_RATIO, headlineRatio() >= IngestBench.TARGET_RATIO ? "met" : "NOT met"));
        out.append(String.format(Locale.ROOT,
                "rill timeline: node up %.2f s, first record counted %.2f s, all counted %.2f s, all committed %.2f s%n",
                rill.up(), rill.firstCounted(), rill.allCounted(), rill.allCommitted()));
        out.append(String.format(Locale.ROOT, "checks: records %,d of %,d, tokens %,d of %,d, bytes %,d of %,d, "
                        + "dead-lettered %d, committed = end offsets on %d partitions%n",
                rill.records(), data.records(), rill.tokens(), rill.expectedTokens(), rill.bytes(),
                rill.expectedBytes(), rill.deadLettered(), endOffsets.size()));
        appendCpuText(out, "ConsumerPerformance", consumerPerfCpu);
        appendCpuText(out, "rill (node up -> all committed)", rill.cpu());
        return out.toString();
    }

    private static void appendCpuText(StringBuilder out, String phase, CpuSnapshot.Phase cpu) {
        out.append(String.format(Locale.ROOT, "%s phase: %.2f cores busy on average, process CPU %.2f s, of which "
                        + "Java threads %.2f s (kernel %.2f s), JVM-internal threads (GC, JIT) %.2f s; GC pauses %d, "
                        + "%.2f s; CPU seconds by thread group (threads):%n", phase, cpu.coresBusy(),
                cpu.processCpuSeconds(), cpu.javaThreadsCpuSeconds(), cpu.javaThreadsSystemSeconds(),
                cpu.processCpuSeconds() - cpu.javaThreadsCpuSeconds(), cpu.gcCount(), cpu.gcSeconds()));
        cpu.top(8).forEach((group, seconds) -> out.append(String.format(Locale.ROOT, "    %6.2f  %s%n", seconds, group)));
    }

    void appendMarkdown(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder md = new StringBuilder();
        if (!Files.exists(file)) {
            md.append("# Ingest benchmark, ").append(startedAt.toLocalDate()).append("\n\n")
                    .append("Written by `load-tests/ingest-bench.sh` (see load-tests/README.md for what is measured "
                            + "and how). One section per run. MB = 2^20 bytes of record values.\n");
        }
        md.append("\n## Run of ").append(startedAt.toLocalDateTime()).append(' ').append(startedAt.getOffset());
        if (label != null && !label.isBlank()) {
            md.append(": ").append(label);
        }
        md.append("\n\n");
        md.append("Command (from the repository root):\n\n```\n").append(command).append("\n```\n\n");

        md.append("| phase | records | seconds | records/s | MB/s | tokens/s | CPU µs/record | "
                        + "ratio to ConsumerPerformance |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows()) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %.1f | %s | %s | %s |%n", r.what(),
                    r.records(), r.seconds(), r.recordsPerSec(), r.mbPerSec(), r.tokensPerSec(),
                    r.cpuMicrosPerRecord(), r.ratio()));
        }
        md.append("\nCPU µs/record: CPU time of the whole JVM (broker included) during the phase, per record; "
                + "for the work-alone row, the CPU time of its one thread. Unlike records/s it hardly depends on what "
                + "else the machine is running.\n");
        md.append(String.format(Locale.ROOT, "%n**rill / ConsumerPerformance (fetch only): %.2f** (the issue's target "
                        + "is >= %.1f: %s).%n%n", headlineRatio(), IngestBench.TARGET_RATIO,
                headlineRatio() >= IngestBench.TARGET_RATIO ? "met" : "not met"));

        md.append("### Setup\n\n");
        md.append(String.format(Locale.ROOT, "- Machine: %d cores (%s), %.1f GiB memory, %s; load average when the "
                        + "run started: %.2f.%n", machine.cores(), machine.cpuModel(), machine.memoryGiB(), machine.os(),
                machine.loadAverage()));
        md.append(String.format(Locale.ROOT, "- JVM: %s; flags: `%s`; max heap %.1f GiB; collectors: %s.%n",
                machine.jvm(), String.join(" ", machine.jvmFlags()), machine.maxHeapGiB(), machine.collectors()));
        md.append("- Everything in one JVM: the embedded KRaft broker (loopback, free port, fresh temporary "
                + "directory), the producer, ConsumerPerformance and the rill node. `System.gc()` runs before "
                + "each read phase.\n");
        md.append(String.format(Locale.ROOT, "- Data: `%s` cut at spaces into ~200-character records: %,d distinct "
                        + "pieces per pass over the corpus, repeated in order; values %d..%d bytes, %.1f bytes on "
                        + "average, %.1f MB in all; %,d word tokens by rill's tokenizer.%n", corpus,
                data.distinctPieces(), data.minBytes(), data.maxBytes(), (double) data.valueBytes() / data.records(),
                data.valueBytes() / IngestBench.MIB, data.expectedTokens()));
        md.append("- Topic: ").append(endOffsets.size()).append(" partitions; records per partition ")
                .append(endOffsets).append(" (no keys: the producer's sticky partitioner spreads batches).\n");
        md.append("- Producer: ").append(produce.settings()).append(".\n");
        md.append("- ConsumerPerformance (kafka-tools 3.9.1, in process): `")
                .append(String.join(" ", consumerPerf.args()).replaceAll("--bootstrap-server \\S+",
                        "--bootstrap-server <embedded broker>").replaceAll("--group \\S+", "--group <fresh>"))
                .append("`, its defaults otherwise (max.partition.fetch.bytes 1 MiB, receive.buffer.bytes 2 MiB, "
                        + "check.crcs=false, max.poll.records 500).\n");
        md.append("- rill node: external-broker mode (bootstrap = the embedded broker), a fresh group, stream `")
                .append("words` tokenizer, remote JMX off. Throughput settings in effect:\n");
        rill.settings().forEach((k, v) -> md.append("  - `").append(k).append(" = ").append(v).append("`\n"));
        if (!overrides.isEmpty()) {
            md.append("  - set for this run: `").append(String.join("`, `", overrides)).append("`\n");
        }

        md.append("\n### rill timeline and checks\n\n");
        md.append(String.format(Locale.ROOT, "- Seconds after `RillNode.start` was called: node up %.2f, first "
                        + "record counted %.2f, all %,d counted %.2f, all committed %.2f (commit tail %.0f ms).%n",
                rill.up(), rill.firstCounted(), rill.records(), rill.allCounted(), rill.allCommitted(),
                (rill.allCommitted() - rill.allCounted()) * 1e3));
        md.append(String.format(Locale.ROOT, "- Counted by the stream actors: %,d records (per partition %s), %,d "
                        + "tokens (expected %,d), %,d value bytes (expected %,d); dead-lettered %d; committed offsets "
                        + "= end offsets on every partition (read back with PartitionOffsets).%n",
                rill.records(), rill.recordsByPartition(), rill.tokens(), rill.expectedTokens(), rill.bytes(),
                rill.expectedBytes(), rill.deadLettered()));

        md.append("\n### Where the CPU went\n\n");
        appendCpuMarkdown(md, "Produce", produce.cpu());
        appendCpuMarkdown(md, "ConsumerPerformance", consumerPerfCpu);
        appendCpuMarkdown(md, "rill, from node up to all committed", rill.cpu());
        if (rill.jfr() != null) {
            appendJfrMarkdown(md, rill.jfr());
        }
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static void appendCpuMarkdown(StringBuilder md, String phase, CpuSnapshot.Phase cpu) {
        md.append(String.format(Locale.ROOT, "- %s: %.2f s wall, %.2f CPU s (%.2f cores busy): Java threads %.2f s "
                        + "(in the kernel %.2f s), JVM-internal threads (GC, JIT) %.2f s; GC pauses %d, %.2f s. "
                        + "CPU s by thread group (threads in it): ", phase, cpu.wallSeconds(), cpu.processCpuSeconds(),
                cpu.coresBusy(), cpu.javaThreadsCpuSeconds(), cpu.javaThreadsSystemSeconds(),
                cpu.processCpuSeconds() - cpu.javaThreadsCpuSeconds(), cpu.gcCount(), cpu.gcSeconds()));
        List<String> parts = new ArrayList<>();
        cpu.top(8).forEach((group, seconds) -> parts.add(String.format(Locale.ROOT, "`%s` %.2f", group, seconds)));
        md.append(String.join(", ", parts)).append(".\n");
    }

    private static void appendJfrMarkdown(StringBuilder md, JfrProfile.Summary jfr) {
        md.append(String.format(Locale.ROOT, "%n### Flight Recorder, rill phase from node up (%,d execution samples; "
                + "file `%s`)%n%n", jfr.samples(), jfr.file()));
        md.append("Samples by thread: ");
        List<String> threads = new ArrayList<>();
        jfr.threadGroups().forEach((t, n) -> threads.add("`" + t + "` " + pct(n, jfr.samples())));
        md.append(String.join(", ", threads)).append(".\n\n");
        md.append("| hottest methods, own samples | % | hottest methods, anywhere on the stack | % |\n")
                .append("| --- | ---: | --- | ---: |\n");
        List<Map.Entry<String, Long>> self = new ArrayList<>(jfr.selfTop().entrySet());
        List<Map.Entry<String, Long>> stack = new ArrayList<>(jfr.stackTop().entrySet());
        for (int i = 0; i < Math.max(self.size(), stack.size()); i++) {
            md.append("| ");
            md.append(i < self.size() ? "`" + self.get(i).getKey() + "` | " + pct(self.get(i).getValue(), jfr.samples())
                    : " | ");
            md.append(" | ");
            md.append(i < stack.size() ? "`" + stack.get(i).getKey() + "` | " + pct(stack.get(i).getValue(), jfr.samples())
                    : " | ");
            md.append(" |\n");
        }
        md.append("\nAllocation by class (JFR's sampled weight; one sample can weigh much): ");
        List<String> alloc = new ArrayList<>();
        jfr.allocationTop().entrySet().stream().limit(10)
                .forEach(e -> alloc.add("`" + e.getKey() + "` " + pct(e.getValue(), jfr.allocationWeight())));
        md.append(String.join(", ", alloc)).append(".\n");
    }

    private static String pct(long part, long whole) {
        return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
