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
import java.util.TreeMap;

/**
 * Everything one skip-gram benchmark invocation found, rendered as a terminal table and as a Markdown section of
 * {@code load-tests/results/sgns-<date>.md}. MiB = 2^20 bytes.
 */
final class SgnsReport extends RunReport {

    String corpus;
    int passes;
    int partitions;
    long wordsPerPass;
    List<String> commonOverrides;
    String childJvmOpts;
    SgnsPeersRun.Result peers;
    final List<SkipGramBench.RillOutcome> rill = new ArrayList<>();

    /** One row of the summary table. */
    private record Row(String implementation, double wordsPerSec, String ratio, double cpuSeconds, double analogy,
                       double ws353, int words, String rss) {
    }

    private String cpu(double seconds) {
        return seconds < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f s (%.1f µs/word)", seconds,
                seconds * 1e6 / (wordsPerPass * passes));
    }

    private Optional<Double> gensimWordsPerSec() {
        return peers == null ? Optional.empty()
                : peers.peer(SgnsPeersRun.GENSIM).map(SgnsPeersRun.Peer::wordsPerSec);
    }

    private String ratio(double wordsPerSec) {
        return gensimWordsPerSec().map(g -> String.format(Locale.ROOT, "%.3f", wordsPerSec / g)).orElse("n/a");
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,.0f MiB", bytes / ProcMemory.MIB);
    }

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        if (peers != null) {
            for (SgnsPeersRun.Peer p : peers.peers()) {
                rows.add(new Row(p.name(), p.wordsPerSec(), ratio(p.wordsPerSec()), p.cpuSeconds(), p.evaluation().analogy(),
                        p.evaluation().ws353Spearman(), p.evaluation().words(), "peak " + mib(p.peakRssBytes())));
            }
        }
        for (SkipGramBench.RillOutcome r : rill) {
            double wps = r.number("wordsPerSec");
            rows.add(new Row(r.variant().name(), wps, ratio(wps), r.number("cpu.process"), r.asExported().analogy(),
                    r.asExported().ws353Spearman(), r.asExported().words(), "end " + mib((long) r.number("mem.rss"))
                    + ", peak " + mib((long) r.number("mem.peakRss"))));
        }
        return rows;
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-50s %10s %7s %22s %8s %8s %7s  %s%n", "implementation", "words/s",
                "/gensim", "CPU", "analogy", "WS353", "words", "RSS"));
        for (Row r : rows()) {
            out.append(String.format(Locale.ROOT, "%-50s %,10.0f %7s %22s %8.4f %8.4f %,7d  %s%n", r.implementation(),
                    r.wordsPerSec(), r.ratio(), cpu(r.cpuSeconds()), r.analogy(), r.ws353(), r.words(), r.rss()));
        }
        for (SkipGramBench.RillOutcome r : rill) {
            out.append(String.format(Locale.ROOT, "%s, vectors restricted to the peers' vocabulary (%,d words, "
                            + "frequency order): analogy %.4f, WS353 %.4f%n", r.variant().name(),
                    r.peerVocabularyWords(), r.peerVocabulary().analogy(), r.peerVocabulary().ws353Spearman()));
        }
        out.append("rill built from ").append(rillVersion).append("; load average (1/5/15 min) at start: ").append(loadAtStart).append(", at end: ").append(loadAtEnd)
                .append('\n');
        return out.toString();
    }

    void appendMarkdown(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder md = new StringBuilder();
        if (!Files.exists(file)) {
            md.append("# Skip-gram benchmark, ").append(startedAt.toLocalDate()).append("\n\n")
                    .append("Written by `load-tests/sgns-bench.sh` (see load-tests/README.md for what is measured "
                            + "and how). One section per invocation. MiB = 2^20 bytes.\n");
        }
        md.append("\n## Run of ").append(startedAt.toLocalDateTime()).append(' ').append(startedAt.getOffset());
        if (label != null && !label.isBlank()) {
            md.append(": ").append(label);
        }
        md.append("\n\nCommand (from the repository root):\n\n```\n").append(command).append("\n```\n\n");

        md.append("| implementation | words/s | ratio to gensim | CPU | analogy accuracy | WS353 Spearman | words in "
                        + "the vectors file | RSS |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Row r : rows()) {
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %.4f | %.4f | %,d | %s |%n",
                    r.implementation(), r.wordsPerSec(), r.ratio(), cpu(r.cpuSeconds()), r.analogy(), r.ws353(),
                    r.words(), r.rss()));
        }
        md.append(String.format(Locale.ROOT, "%n- **words/s**: raw words of the file (`wc -w`, %,d) x %d passes, "
                        + "divided by the wall time. Peers: as `sgns-peers.sh` measures it (the whole training, "
                        + "vocabulary pass included). rill: from the first record consumed to the last update applied, "
                        + "i.e. until the group's committed offsets equal the end offsets on every partition (a "
                        + "stream commits a batch only after its worker has pushed the batch's deltas); the commit "
                        + "of the last batch can wait up to `rill.ingest.commit-max-interval` (1 s). Producing the "
                        + "corpus to the broker is not in rill's time.%n",
                wordsPerPass, passes));
        md.append("- **CPU**: CPU time of the training process while it trained, and per word. Peers: the word2vec "
                + "binary / the python running gensim, from /proc every 50 ms (vocabulary pass, start-up and "
                + "saving included). rill: the whole JVM from node up to all committed, the embedded broker and "
                + "the Kafka consumer included. On a shared machine CPU per word moves much less than words/s.\n");
        md.append("- **analogy accuracy, WS353 Spearman**: `eval-vectors.py` on each implementation's vectors as "
                + "written (questions-words restricted to the first 30,000 words of the file; WordSim-353).\n");
        md.append("- **RSS**: peers: the peak resident size (VmHWM) of the training process (word2vec binary; the "
                + "python running gensim), sampled every 50 ms. rill: VmRSS of the JVM when all was committed, and "
                + "its peak (VmHWM); the JVM also holds the embedded Kafka broker and the producer.\n");
        if (!rill.isEmpty()) {
            md.append("\nrill's online vocabulary makes a word trainable once it has been seen min-count times "
                    + "*so far*, so after several passes words that occur once per pass have vectors too (the "
                    + "peers count min-count over one pass), and rill writes its words in id order (first seen "
                    + "first), not by frequency. The same vectors restricted to the peers' vocabulary (words "
                    + "occurring at least 5 times in one pass), most frequent first:\n\n");
            md.append("| rill run | words | analogy accuracy | WS353 Spearman |\n| --- | ---: | ---: | ---: |\n");
            for (SkipGramBench.RillOutcome r : rill) {
                md.append(String.format(Locale.ROOT, "| %s | %,d | %.4f | %.4f |%n", r.variant().name(),
                        r.peerVocabularyWords(), r.peerVocabulary().analogy(), r.peerVocabulary().ws353Spearman()));
            }
        }

        md.append("\n### Setup\n\n");
        md.append(String.format(Locale.ROOT, "- Machine: %d cores (%s), %.1f GiB memory, %s. **Shared and noisy**: "
                        + "other work runs on it. Load average (1 / 5 / 15 min) at the start: %s; at the end: %s; "
                        + "per phase below.%n", machine.cores(), machine.cpuModel(), machine.memoryGiB(), machine.os(),
                loadAtStart, loadAtEnd));
        md.append(String.format(Locale.ROOT, "- JVM: %s. This harness: `%s`; each rill run: a child JVM with `%s`.%n",
                machine.jvm(), String.join(" ", machine.jvmFlags()), childJvmOpts));
        md.append("- rill under test: built from commit ").append(rillVersion).append(" (a copy of the jar taken at "
                + "build time).\n");
        md.append("- Corpus: `").append(corpus).append("`, ").append(passes).append(" passes. Runs are sequential, "
                + "never two trainings at once.\n");
        md.append("- Hyper-parameters, all sides: skip-gram, negative sampling, dimension 100, window 5, 5 negatives, "
                + "sample 1e-3, min-count 5; 2 threads (peers) / 2 workers and 2 parameter-server shards (rill).\n");
        if (peers != null) {
            md.append(String.format(Locale.ROOT, "- Peers: `WORK=<temporary directory> %s` (%.0f s in all, load "
                            + "average at its start %s, at its end %s). Their lines:%n%n```%n",
                    String.join(" ", peers.command()), peers.seconds(), peers.loadAtStart(), peers.loadAtEnd()));
            for (String line : peers.output()) {
                if (line.startsWith("word2vec.c:") || line.startsWith("gensim:") || line.startsWith("vectors=")) {
                    md.append(line.replace(peers.workDir(), "$WORK")).append('\n');
                }
            }
            md.append("```\n");
        }
        if (!rill.isEmpty()) {
            SkipGramBench.RillOutcome any = rill.get(0);
            md.append(String.format(Locale.ROOT, "- rill: one record per line of the corpus (%,d lines, the longest "
                            + "%,d bytes), %d passes = %,d records, produced to an embedded KRaft broker (loopback, "
                            + "free port, fresh directory) into a topic of %d partitions (each record to the "
                            + "partition with the fewest bytes so far, keyed by line number; %s) before the node "
                            + "starts. The node: external-broker mode, a fresh group, stream tokenizer `words`, "
                            + "remote JMX off, a topics-dir with the corpus topic and a dead-letter topic. Set by "
                            + "the bench for every run: %s.%n",
                    Long.parseLong(any.result().getProperty("corpus.lines")),
                    Long.parseLong(any.result().getProperty("corpus.maxLineBytes")), passes,
                    Long.parseLong(any.result().getProperty("records")),
                    partitions,
                    any.result().getProperty("partitions"), benchSettingsText()));
            if (!commonOverrides.isEmpty()) {
                md.append("- `--set` for every rill run: `").append(String.join("`, `", commonOverrides)).append("`\n");
            }
        }

        for (SkipGramBench.RillOutcome r : rill) {
            Map<String, String> settings = new TreeMap<>();
            r.result().stringPropertyNames().stream().filter(k -> k.startsWith("setting."))
                    .forEach(k -> settings.put(k.substring("setting.".length()), r.result().getProperty(k)));
            md.append("\n### ").append(r.variant().name()).append("\n\n");
            md.append("- Child command: `").append(String.join(" ", r.command())).append("`\n");
            md.append("- Overrides: ").append(r.overrides().isEmpty() ? "none (application.conf's learning rate)"
                    : "`" + String.join("`, `", r.overrides()) + "`").append(".\n");
            md.append("- Settings in effect: ");
            List<String> kv = new ArrayList<>();
            settings.forEach((k, v) -> kv.add("`" + k + " = " + v + "`"));
            md.append(String.join(", ", kv)).append(".\n");
            md.append(String.format(Locale.ROOT, "- Load average at the run's start: %s; at its end: %s. Produce: "
                            + "%.1f s.%n", r.result().getProperty("loadavg.start"), r.result().getProperty("loadavg.end"),
                    r.number("produce.seconds")));
            md.append(String.format(Locale.ROOT, "- **%,.0f words/s** (%,d words in %.1f s, first record consumed -> "
                            + "all committed); %,.0f words/s from node up.%n", r.number("wordsPerSec"),
                    (long) r.number("words"), r.number("seconds"), r.number("wordsPerSecFromUp")));
            md.append(String.format(Locale.ROOT, "- Skip-gram metrics at the end: tokens seen %,d, pairs trained %,d, "
                            + "loss %.4f, keep ratio %.4f, PS version %,d, staleness p50 %d / p99 %d, stale refusals "
                            + "%,d, vocabulary %,d (trainable %,d), learning rate %.6f.%n",
                    (long) r.number("sg.tokensSeen"), (long) r.number("sg.pairsTrained"), r.number("sg.loss"),
                    r.number("sg.keepRatio"), (long) r.number("sg.psVersion"), (long) r.number("sg.stalenessP50"),
                    (long) r.number("sg.stalenessP99"), (long) r.number("sg.staleRefusals"),
                    (long) r.number("sg.vocabularySize"), (long) r.number("sg.trainableWords"),
                    r.number("sg.learningRate")));
            md.append(String.format(Locale.ROOT, "- Memory when all was committed: RSS %s (peak %s), heap used %s "
                            + "(committed %s; %s live after a full GC at the end).%n",
                    mib((long) r.number("mem.rss")), mib((long) r.number("mem.peakRss")),
                    mib((long) r.number("mem.heapUsed")), mib((long) r.number("mem.heapCommitted")),
                    mib((long) r.number("mem.heapUsedAfterGc"))));
            md.append(String.format(Locale.ROOT, "- Export (%.1f s): %s.%n", r.number("export.seconds"),
                    r.result().getProperty("export.summary").replaceAll(" to \\S+;", ";")));
            md.append("- Evaluation: `").append(String.join(" ", r.evalCommand()).replaceAll("\\S+/(vectors\\.\\w+)",
                    "$1")).append("` -> `").append(r.asExported().line().replaceAll("vectors=\\S+ ", "")).append("`\n");
            md.append(r.details());
        }
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static String benchSettingsText() {
        List<String> parts = new ArrayList<>();
        SgnsRillRun.BENCH_SETTINGS.forEach((k, v) -> parts.add("`" + k + " = " + v + "`"));
        return String.join(", ", parts);
    }
}
