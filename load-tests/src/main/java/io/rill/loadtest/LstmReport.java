package io.rill.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Everything one character-model benchmark invocation found, rendered as a terminal table and as a Markdown section
 * of {@code load-tests/results/lstm-<date>.md}: training speed and test NLL of rill and of the reference side by
 * side, the targets, rill's generation latency under training, and names sampled from rill's model.
 * MiB = 2^20 bytes.
 */
final class LstmReport extends RunReport {

    /** The targets. */
    static final double TARGET_SPEED_RATIO = 1.0;
    static final double TARGET_NLL = 1.92;
    static final int TARGET_NLL_PASSES = 20;
    static final double TARGET_P99_MILLIS = 50;
    static final int TARGET_P99_RATE = 100;

    String childJvmOpts;
    List<String> overrides;
    int passes;
    int partitions;
    int lanes;
    String train;
    String test;
    List<Integer> rates;
    LstmPeerRun.Settings peerSettings;
    final List<LstmPeerRun.Result> peers = new ArrayList<>();
    Properties rill;
    String rillDetails;
    List<String> rillCommand;
    Map<String, Object> rillBenchSettings;

    private String get(String key) {
        return rill.getProperty(key);
    }

    private double num(String key) {
        String value = rill.getProperty(key);
        return value == null ? Double.NaN : Double.parseDouble(value);
    }

    private long count(String key) {
        return (long) num(key);
    }

    /** The reference with the most threads: the one rill is compared with. */
    private Optional<LstmPeerRun.Result> reference() {
        return peers.stream().max((a, b) -> Integer.compare(a.threads(), b.threads()));
    }

    private String ratio(double charsPerSec) {
        return reference().map(r -> String.format(Locale.ROOT, "%.2f", charsPerSec / r.last().charsPerSec()))
                .orElse("n/a");
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,.0f MiB", bytes / ProcMemory.MIB);
    }

    private static String nll(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String peerName(LstmPeerRun.Result p) {
        return "PyTorch reference, " + p.threads() + (p.threads() == 1 ? " thread" : " threads");
    }

    private String rillName() {
        return String.format(Locale.ROOT, "rill (%d partitions x %d lanes)", partitions, lanes);
    }

    /** One row of the training table. */
    private record Row(String implementation, int passes, double charsPerSec, String ratio, double nll,
                       double cpuSeconds, long characters, String memory) {
    }

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (LstmPeerRun.Result p : peers) {
            rows.add(new Row(peerName(p), p.last().pass(), p.last().charsPerSec(), ratio(p.last().charsPerSec()),
                    p.last().testNll(), p.cpuSeconds(), -1, "peak " + mib(p.peakRssBytes())));
        }
        if (rill != null) {
            double cps = num("train.charsPerSec");
            rows.add(new Row(rillName(), passes, cps, ratio(cps), num("nll.final"), num("cpu.process"),
                    count("train.characters"), "end " + mib(count("mem.rss")) + ", peak " + mib(count("mem.peakRss"))));
        }
        return rows;
    }

    /** NLL after each scored pass: pass -> [reference runs..., rill]. */
    private Map<Integer, List<String>> nllByPass() {
        Map<Integer, List<String>> table = new TreeMap<>();
        List<Integer> passList = new ArrayList<>();
        peers.forEach(p -> p.passes().forEach(pass -> passList.add(pass.pass())));
        Map<Integer, String> rillByPass = new TreeMap<>();
        if (rill != null) {
            int checkpoints = (int) num("nll.checkpoints");
            for (int i = 1; i <= checkpoints; i++) {
                int pass = Integer.parseInt(get("nll.checkpoint." + i + ".pass"));
                rillByPass.put(pass, String.format(Locale.ROOT, "%s (at %.2f passes)", nll(num("nll.checkpoint." + i)),
                        num("nll.checkpoint." + i + ".characters") / num("data.charactersPerPass")));
            }
            rillByPass.put(passes, nll(num("nll.final")));
            passList.addAll(rillByPass.keySet());
        }
        for (int pass : passList) {
            List<String> cells = new ArrayList<>();
            for (LstmPeerRun.Result p : peers) {
                cells.add(p.pass(pass).map(x -> nll(x.testNll())).orElse(""));
            }
            cells.add(rillByPass.getOrDefault(pass, ""));
            table.put(pass, cells);
        }
        return table;
    }

    private List<String> targets() {
        List<String> lines = new ArrayList<>();
        if (rill == null) {
            return lines;
        }
        double cps = num("train.charsPerSec");
        lines.add(reference().map(r -> {
            double ratio = cps / r.last().charsPerSec();
            return String.format(Locale.ROOT, "chars/s >= %.1fx the reference (%s): %.2fx, %s", TARGET_SPEED_RATIO,
                    peerName(r), ratio, ratio >= TARGET_SPEED_RATIO ? "met" : "NOT met");
        }).orElse("chars/s >= 1.0x the reference: n/a (the reference did not run)"));
        double finalNll = num("nll.final");
        lines.add(passes == TARGET_NLL_PASSES
                ? String.format(Locale.ROOT, "test NLL <= %.2f nats/char after %d passes: %.4f, %s", TARGET_NLL,
                TARGET_NLL_PASSES, finalNll, finalNll <= TARGET_NLL ? "met" : "NOT met")
                : String.format(Locale.ROOT, "test NLL <= %.2f nats/char after %d passes: n/a (this run had %d passes; "
                + "%.4f)", TARGET_NLL, TARGET_NLL_PASSES, passes, finalNll));
        int scenario = scenarioIndex(TARGET_P99_RATE);
        lines.add(scenario > 0
                ? String.format(Locale.ROOT, "generation p99 <= %.0f ms at %d requests/s under training: %s ms, %s",
                TARGET_P99_MILLIS, TARGET_P99_RATE, ms(num("gen." + scenario + ".client.p99")),
                num("gen." + scenario + ".client.p99") <= TARGET_P99_MILLIS
                        && count("gen." + scenario + ".unanswered") == 0 ? "met" : "NOT met")
                : String.format(Locale.ROOT, "generation p99 <= %.0f ms at %d requests/s: n/a (no such scenario)",
                TARGET_P99_MILLIS, TARGET_P99_RATE));
        return lines;
    }

    private int scenarioIndex(int rate) {
        int scenarios = rill.getProperty("gen.scenarios") == null ? 0 : Integer.parseInt(get("gen.scenarios"));
        for (int i = 1; i <= scenarios; i++) {
            if (Integer.parseInt(get("gen." + i + ".rate")) == rate) {
                return i;
            }
        }
        return -1;
    }

    private int scenarios() {
        return rill == null || get("gen.scenarios") == null ? 0 : Integer.parseInt(get("gen.scenarios"));
    }

    private List<String> sampleLines() {
        List<String> out = new ArrayList<>();
        int n = rill == null ? 0 : Integer.parseInt(get("samples"));
        for (int i = 1; i <= n; i++) {
            boolean isNew = Boolean.parseBoolean(get("sample." + i + ".new"));
            boolean ended = Boolean.parseBoolean(get("sample." + i + ".ended"));
            out.add(get("sample." + i) + (isNew ? "" : " (a training name)") + (ended ? "" : " (cut at max length)"));
        }
        return out;
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-40s %6s %10s %9s %9s %12s %13s  %s%n", "implementation", "passes",
                "chars/s", "/ref", "test NLL", "CPU s", "chars trained", "RSS"));
        for (Row r : rows()) {
            out.append(String.format(Locale.ROOT, "%-40s %6d %,10.0f %9s %9s %12s %13s  %s%n", r.implementation(),
                    r.passes(), r.charsPerSec(), r.ratio(), nll(r.nll()),
                    r.cpuSeconds() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", r.cpuSeconds()),
                    r.characters() < 0 ? "" : String.format(Locale.ROOT, "%,d", r.characters()), r.memory()));
        }
        out.append("test NLL by pass (nats/char):");
        nllByPass().forEach((pass, cells) -> out.append(" pass ").append(pass).append(": ")
                .append(String.join(" / ", cells.stream().map(c -> c.isEmpty() ? "-" : c).toList())).append(";"));
        out.append(" (columns: ");
        List<String> columns = new ArrayList<>();
        peers.forEach(p -> columns.add(peerName(p)));
        columns.add("rill");
        out.append(String.join(" / ", columns)).append(")\n");
        if (rill != null) {
            out.append(String.format(Locale.ROOT, "rill training: %,d steps, %.1f ms/step, staleness p50 %d p99 %d max "
                            + "%d, %s%n", count("lstm.steps"), num("lstm.stepMillis"), count("lstm.stalenessP50"),
                    count("lstm.stalenessP99"), count("lstm.stalenessMax"), get("train.ending")));
            if (scenarios() > 0) {
                out.append(String.format(Locale.ROOT, "%nGeneration under training (count %s, temperature %s):%n",
                        get("gen.count"), get("gen.temperature")));
                out.append(String.format(Locale.ROOT, "%-9s %7s %8s %6s %10s %8s %7s %7s %7s %8s %15s %13s %17s %17s%n",
                        "req/s", "sent", "answered", "errors", "unanswered", "achieved", "p50 ms", "p90 ms", "p99 ms",
                        "max ms", "stamped p50/p99", "train chars/s", "JMX request p50/99", "JMX sampling p50/99"));
                for (int i = 1; i <= scenarios(); i++) {
                    String k = "gen." + i + ".";
                    out.append(String.format(Locale.ROOT, "%-9s %,7d %,8d %,6d %,10d %8.0f %7s %7s %7s %8s %15s %,13.0f "
                                    + "%17s %17s%n", get(k + "rate"), count(k + "sent"),
                            count(k + "replies") + count(k + "errors"), count(k + "errors"), count(k + "unanswered"),
                            num(k + "achievedRate"), ms(num(k + "client.p50")), ms(num(k + "client.p90")),
                            ms(num(k + "client.p99")), ms(num(k + "client.max")),
                            ms(num(k + "stamped.p50")) + " / " + ms(num(k + "stamped.p99")),
                            num(k + "trainCharsPerSec"),
                            ms(num(k + "jmx.RequestLatencyP50Millis")) + " / " + ms(num(k + "jmx.RequestLatencyP99Millis")),
                            ms(num(k + "jmx.SamplingLatencyP50Millis")) + " / "
                                    + ms(num(k + "jmx.SamplingLatencyP99Millis"))));
                }
                out.append("(JMX percentiles are reset before each scenario)\n");
            }
            out.append(String.format(Locale.ROOT, "%nNames from rill's final model (temperature %s), %s of %s new:%n",
                    fmtTemperature(), get("samples.new"), get("samples")));
            out.append("  ").append(String.join(", ", sampleLines())).append('\n');
        }
        out.append('\n');
        targets().forEach(t -> out.append("target: ").append(t).append('\n'));
        out.append("rill built from ").append(rillVersion).append("; load average (1/5/15 min) at start: ")
                .append(loadAtStart).append(", at end: ").append(loadAtEnd).append('\n');
        return out.toString();
    }

    private String fmtTemperature() {
        return rill.getProperty("sample.temperature", "0.8");
    }

    void appendMarkdown(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder md = new StringBuilder();
        if (!Files.exists(file)) {
            md.append("# Character-model benchmark, ").append(startedAt.toLocalDate()).append("\n\n")
                    .append("Written by `load-tests/lstm-bench.sh` (see load-tests/README.md for what is measured "
                            + "and how). One section per invocation. MiB = 2^20 bytes.\n");
        }
        md.append("\n## Run of ").append(startedAt.toLocalDateTime()).append(' ').append(startedAt.getOffset());
        if (label != null && !label.isBlank()) {
            md.append(": ").append(label);
        }
        md.append("\n\nCommand (from the repository root):\n\n```\n").append(command).append("\n```\n\n");
        md.append("rill built from ").append(rillVersion).append(".\n\n");

        md.append("### Training\n\n");
        md.append("| implementation | passes | chars/s | ratio to the reference | test NLL (nats/char) | CPU | "
                        + "characters trained | RSS |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Row r : rows()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %s | %s | %s | %s | %s |%n", r.implementation(),
                    r.passes(), r.charsPerSec(), r.ratio(), nll(r.nll()),
                    r.cpuSeconds() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f s", r.cpuSeconds()),
                    r.characters() < 0 ? "" : String.format(Locale.ROOT, "%,d", r.characters()), r.memory()));
        }
        md.append("\nTest NLL by pass (nats/char; every 5th pass for the reference, rill's snapshots when its count of "
                + "trained characters crossed that many passes):\n\n");
        List<String> columns = new ArrayList<>();
        peers.forEach(p -> columns.add(peerName(p)));
        columns.add(rillName());
        md.append("| pass | ").append(String.join(" | ", columns)).append(" |\n")
                .append("| ---: |").append(" ---: |".repeat(columns.size())).append('\n');
        nllByPass().forEach((pass, cells) -> md.append("| ").append(pass).append(" | ")
                .append(String.join(" | ", cells)).append(" |\n"));
        md.append("\n**Targets** (from the issue):\n\n");
        targets().forEach(t -> md.append("- ").append(t).append('\n'));
        md.append('\n');
        md.append("- **chars/s**: the reference's own figure (characters trained, `x.numel()`, over the time since its "
                + "training loop started; its per-pass shuffles and the test NLL every 5 passes are in that time). "
                + "rill: characters trained after the first training step was seen, over the time from that step to "
                + "the last (the model's metrics polled every 50 ms). The names were all produced before the node "
                + "started, so producing is not in rill's time; consuming, the stream actors and the lanes are.\n");
        md.append("- **test NLL**: nats per character on the test names read as one text after a leading newline, "
                + "every character predicted (the reference's `test_nll`; rill's `HeldOutLoss.natsPerCharacter` on a "
                + "snapshot of the parameter server).\n");
        md.append("- **CPU**: the reference: its python process, from /proc every 50 ms. rill: the whole JVM (the "
                + "embedded broker, the Kafka clients and ND4J's native threads included) from node up to the end of "
                + "training.\n");
        md.append("- **RSS**: the reference: peak resident size (VmHWM) of the process. rill: VmRSS at the end of "
                + "training and VmHWM; the JVM also holds the broker.\n");

        if (rill != null) {
            md.append(String.format(Locale.ROOT, "%nrill's training: %,d steps (%,d timed), %.1f ms per step, staleness "
                            + "p50 %d / p99 %d / max %d versions, stale gradients refused %d. Ended: %s.%n",
                    count("lstm.steps"), count("lstm.stepsTimed"), num("lstm.stepMillis"), count("lstm.stalenessP50"),
                    count("lstm.stalenessP99"), count("lstm.stalenessMax"), count("lstm.staleRefused"),
                    get("train.ending")));
            if (scenarios() > 0) {
                appendGenerationMarkdown(md);
            }
            md.append(String.format(Locale.ROOT, "%n### Names from rill's final model%n%n%s names sampled at "
                            + "temperature %s (rill's `Sampler` on the snapshot scored above, no top-k, at most %s "
                            + "characters); **%s of %s are new** (not in the training names):%n%n", get("samples"),
                    fmtTemperature(), get("samples.maxLength"), get("samples.new"), get("samples")));
            md.append(String.join(", ", sampleLines())).append("\n");
        }

        md.append("\n### Setup\n\n");
        md.append(String.format(Locale.ROOT, "- Machine: %d cores (%s), %.1f GiB memory, %s. Load average (1 / 5 / 15 "
                        + "min) at the start: %s; at the end: %s; per run below.%n", machine.cores(), machine.cpuModel(),
                machine.memoryGiB(), machine.os(), loadAtStart, loadAtEnd));
        md.append(String.format(Locale.ROOT, "- JVM: %s. This harness: `%s`; the rill run: a child JVM with `%s`.%n",
                machine.jvm(), String.join(" ", machine.jvmFlags()), childJvmOpts));
        md.append(String.format(Locale.ROOT, "- Hyper-parameters, both sides: LSTM, 1 layer, embedding %d, hidden %d, "
                        + "truncated BPTT %d, batch %d (rill: %d partitions x %d lanes), Adam lr %s, gradient norm "
                        + "clipped at 5, %d passes (reference: %d).%n", peerSettings.embedding(), peerSettings.hidden(),
                peerSettings.bptt(), peerSettings.batch(), partitions, lanes, peerSettings.learningRate(), passes,
                peerSettings.passes()));
        md.append("- Runs are sequential, never two trainings at once.\n");
        for (LstmPeerRun.Result p : peers) {
            md.append(String.format(Locale.ROOT, "- %s: `%s` (%.0f s in all; load average at its start %s, at its end "
                            + "%s). Its lines:%n%n```%n%s%n```%n", peerName(p), String.join(" ", p.command()),
                    p.seconds(), p.loadAtStart(), p.loadAtEnd(), String.join("\n", p.output())));
        }
        if (rill != null) {
            md.append(String.format(Locale.ROOT, "- rill: the names of `%s` (%s names, %s characters per pass with "
                            + "one end-of-sequence per name), shuffled every pass (seeded), %s passes produced as %,d "
                            + "records, one name each, to an embedded KRaft broker (loopback, free port, fresh directory) "
                            + "into a topic of %d partitions (%s records) in %.1f s, before the node started. The model "
                            + "can train %,d of the %,d characters (the rest is each lane's last partial chunk).%n",
                    train, get("data.names"), get("data.charactersPerPass"), passes, count("produce.records"),
                    partitions, get("produce.partitions"), num("produce.seconds"), count("train.expected"),
                    count("produce.characters")));
            md.append("- rill's node: external-broker mode, a fresh group, remote JMX off, a topics-dir with the names "
                    + "topic, a dead-letter topic and the generation topics; `rill.ingest.streams = [{topic = names "
                    + "topic, tokenizer = \"characters\", batch-bytes = 65536}]`, `rill.lstm.models = [{name = "
                    + "\"names\", topics = [names topic], sequences = \"line\"}]`; set by the bench: ");
            List<String> set = new ArrayList<>();
            rillBenchSettings.forEach((k, v) -> set.add("`" + k + " = " + v + "`"));
            md.append(String.join(", ", set)).append(".\n");
            md.append("- Overrides (`--set`): ").append(overrides.isEmpty() ? "none" : String.join(", ",
                    overrides.stream().map(o -> "`" + o + "`").toList())).append(".\n");
            md.append("- Child command: `").append(String.join(" ", rillCommand)).append("`\n");
            List<String> effective = new ArrayList<>();
            new TreeMap<>(rill).forEach((k, v) -> {
                String key = String.valueOf(k);
                if (key.startsWith("setting.")) {
                    effective.add("`" + key.substring("setting.".length()) + " = " + v + "`");
                }
            });
            md.append("- Settings in effect: ").append(String.join(", ", effective)).append(".\n");
            md.append(String.format(Locale.ROOT, "- Load average at the rill run's start: %s; at its end: %s. Node start "
                    + "%.1f s.%n", get("loadavg.start"), get("loadavg.end"), num("time.nodeStart")));
            md.append(rillDetails);
        }
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private void appendGenerationMarkdown(StringBuilder md) {
        md.append(String.format(Locale.ROOT, "%n### Generation latency under training%n%nThe node of the training run "
                        + "goes on training (%s more passes produced first) while a client sends requests `{\"id\": ..., "
                        + "\"model\": \"names\", \"count\": %s, \"temperature\": %s}` at a fixed rate with a "
                        + "KafkaProducer (linger.ms 0, acks all), keyed by id, and reads the replies topic. Warm-up first: "
                        + "%s. For comparison, training alone ran at %,.0f chars/s above.%n%n", get("gen.backlogPasses"),
                get("gen.count"), get("gen.temperature"), Optional.ofNullable(get("gen.warmup")).orElse("none"),
                num("train.charsPerSec")));
        md.append("| requests/s | sent | replies | errors | unanswered | achieved rate | p50 ms | p90 ms | p99 ms | max "
                        + "ms | timestamps p50 / p99 ms | rill training chars/s meanwhile | CPU cores busy | rill JMX "
                        + "request p50 / p99 ms | rill JMX sampling p50 / p99 ms |\n")
                .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
                        + "---: | ---: |\n");
        for (int i = 1; i <= scenarios(); i++) {
            String k = "gen." + i + ".";
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d%s | %,d | %.1f/s | %s | %s | %s | %s | %s / %s "
                            + "| %,.0f | %.2f | %s / %s | %s / %s |%n", get(k + "rate"), count(k + "sent"),
                    count(k + "replies"), count(k + "errors"),
                    count(k + "errors") > 0 ? " " + get(k + "errorCodes") : "", count(k + "unanswered"),
                    num(k + "achievedRate"), ms(num(k + "client.p50")), ms(num(k + "client.p90")),
                    ms(num(k + "client.p99")), ms(num(k + "client.max")), ms(num(k + "stamped.p50")),
                    ms(num(k + "stamped.p99")), num(k + "trainCharsPerSec"), num(k + "cpuCores"),
                    ms(num(k + "jmx.RequestLatencyP50Millis")), ms(num(k + "jmx.RequestLatencyP99Millis")),
                    ms(num(k + "jmx.SamplingLatencyP50Millis")), ms(num(k + "jmx.SamplingLatencyP99Millis"))));
        }
        md.append("\n- **p50 … max**: the client's latency of each answered request (replies and error replies), from "
                + "just before `send` to the consumer poll that returned its reply. **timestamps**: the reply record's "
                + "CreateTime (stamped by rill's producer) minus the request's (stamped by the client), ms resolution. "
                + "**unanswered**: no reply within the drain time after the last request.\n");
        md.append("- **rill JMX** (`rill:type=Generation`, read in the node's JVM after each scenario): RequestLatency "
                + "is from the request record's timestamp to the reply being written, SamplingLatency the sampling "
                + "alone. The percentiles are reset (`resetLatencies`) before each scenario; the request and reply counters per scenario are differences and match the client's "
                + "counts.\n");
        for (int i = 1; i <= scenarios(); i++) {
            String k = "gen." + i + ".";
            md.append(String.format(Locale.ROOT, "- %s requests/s: planned %,d over %s s; sender at most %.1f ms behind "
                            + "schedule; drain %.1f s; %,d samples, %.1f characters on average; rill's counters: %s "
                            + "requests, %s replies, %s error replies (%s); training steps meanwhile %s at %.1f ms; load "
                            + "average %s.%n", get(k + "rate"), count(k + "planned"), get(k + "seconds"),
                    num(k + "maxBehindMillis"), num(k + "drainSeconds"), count(k + "samples"),
                    num(k + "meanSampleLength"), get(k + "jmx.Requests"), get(k + "jmx.Replies"),
                    get(k + "jmx.ErrorReplies"), get(k + "jmx.ErrorsByCode").isEmpty() ? "none"
                            : get(k + "jmx.ErrorsByCode"), get(k + "trainSteps"), num(k + "trainStepMillis"),
                    get(k + "loadavg")));
        }
    }
}
