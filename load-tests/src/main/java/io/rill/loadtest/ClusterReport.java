package io.rill.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one invocation of the cluster benchmark found, for the terminal and as a Markdown section of
 * {@code load-tests/results/cluster-<date>.md}: the measured 1/2/3-node runs, the bytes and costs of one update,
 * the network-cost model ({@link ClusterModel}) with its inputs and its predictions, and observations. MB = 10^6 bytes
 * (network rates are decimal); MiB = 2^20 bytes (memory).
 */
final class ClusterReport extends RunReport {

    String nodeJvmOpts;
    String brokerJvmOpts;
    int pollMillis;
    int settleSeconds;
    String train;
    int names;
    long charactersPerPass;
    int passes;
    int partitions;
    long seed;
    /** The model's settings as the nodes had them (application.conf under the bench's lines and --set). */
    Map<String, String> modelSettings;
    List<String> settingLines;
    WireCosts.Costs costs;
    List<Integer> predictNodes;
    List<Double> bandwidthsGbit;
    /** The run's temporary directory: shown as {@code <work>}, so no path of this machine lands in a report. */
    String workDir;
    final List<ClusterRun.Result> runs = new ArrayList<>();
    /** Runs that failed: node count and why. */
    final List<String> failures = new ArrayList<>();
    int pullEverySteps;
    int progressEverySteps;
    double snapshotIntervalSeconds;
    double seenRefreshSeconds;
    int maxStaleness;

    // ---- the model ------------------------------------------------------------------------------------------------

    /** The run the model takes r and c from: the one-node run, else the smallest. */
    Optional<ClusterRun.Result> baseRun() {
        return runs.stream().min((x, y) -> Integer.compare(x.nodes(), y.nodes()));
    }

    Optional<ClusterModel> model() {
        return baseRun().map(base -> {
            double stalenessPerNode = runs.stream().mapToDouble(r -> r.stalenessP99() / (double) r.nodes()).max()
                    .orElse(Double.NaN);
            return new ClusterModel(base.updatesPerSec() / base.nodes(), base.charsPerStep(),
                    costs.applyMillis() / 1e3, costs.pullCopyMillis() / 1e3, costs.dataPullCopyMillis() / 1e3,
                    costs.pushDeserializeMillis() / 1e3, costs.pullSerializeMillis() / 1e3,
                    costs.dataPullSerializeMillis() / 1e3, costs.pushBytes(), costs.pullBytes(),
                    costs.dataPullBytes(), pullEverySteps, progressEverySteps, snapshotIntervalSeconds, seenRefreshSeconds, maxStaleness,
                    stalenessPerNode);
        });
    }

    /**
     * The bytes Akka should have carried between the nodes of a run, by the model's message sizes and the run's
     * counts: pushes and pulls of the workers on nodes other than the server's, every other node's generator
     * refreshing (R_gen bytes per second) over the timed window, progress snapshots (if the reporter is on another
     * node).
     */
    long expectedAkkaBytes(ClusterRun.Result run) {
        double generatorBytesPerSecond = model().map(ClusterModel::generatorBytesPerSecond).orElse(0.0);
        long remoteSteps = run.nodeResults().stream().filter(n -> !n.hostsServer()).mapToLong(ClusterRun.NodeResult::steps)
                .sum();
        boolean progressElsewhere = run.nodeResults().stream().anyMatch(n -> n.runsProgress() && !n.hostsServer());
        double bytes = remoteSteps * (costs.pushBytes() + (double) costs.pullBytes() / pullEverySteps)
                + (run.nodes() - 1) * run.seconds() * generatorBytesPerSecond
                + (progressElsewhere && progressEverySteps > 0 ? (double) run.steps() / progressEverySteps
                * costs.dataPullBytes() : 0);
        return (long) bytes;
    }

    // ---- formatting -----------------------------------------------------------------------------------------------

    private static String num(double v) {
        if (Double.isInfinite(v)) {
            return "∞";
        }
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String dec(double v, int places) {
        if (Double.isInfinite(v)) {
            return "∞";
        }
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,." + places + "f", v);
    }

    private static String mb(double bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,.1f MB", bytes / 1e6);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,.0f MiB", bytes / ProcMemory.MIB);
    }

    private static String bytes(long b) {
        return String.format(Locale.ROOT, "%,d B", b);
    }

    private double speedup(ClusterRun.Result run) {
        return runs.stream().filter(r -> r.nodes() == 1).findFirst()
                .map(one -> run.charsPerSec() / one.charsPerSec()).orElse(Double.NaN);
    }

    private static double nodesCores(ClusterRun.Result r) {
        return r.nodesCpuSeconds() / r.seconds();
    }

    private static String serverNode(ClusterRun.Result r) {
        return r.hostAtStart().equals(r.hostAtEnd()) ? r.hostAtEnd() : r.hostAtStart() + " → " + r.hostAtEnd();
    }

    // ---- the terminal ---------------------------------------------------------------------------------------------

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-6s %10s %7s %9s %8s %8s %10s %9s %13s %8s %9s %12s%n", "nodes",
                "chars/s", "x 1", "seconds", "steps", "upd/s", "chars/step", "cores", "stale p50/p99", "refused",
                "held-out", "server on"));
        for (ClusterRun.Result r : runs) {
            out.append(String.format(Locale.ROOT, "%-6d %10s %7s %9.1f %,8d %8.2f %10s %9.2f %13s %8d %9s %12s%n",
                    r.nodes(), num(r.charsPerSec()), dec(speedup(r), 2), r.seconds(), r.steps(), r.updatesPerSec(),
                    num(r.charsPerStep()), nodesCores(r), r.stalenessP50() + "/" + r.stalenessP99(), r.refused(),
                    dec(r.heldOutLoss(), 4), serverNode(r)));
        }
        failures.forEach(f -> out.append("FAILED: ").append(f).append('\n'));
        out.append(String.format(Locale.ROOT, "push %s, pull %s (every %d steps), snapshot with data %s; server: "
                        + "apply %.3f ms, pull copy %.3f ms; push deserialize %.3f ms%n", bytes(costs.pushBytes()),
                bytes(costs.pullBytes()), pullEverySteps, bytes(costs.dataPullBytes()), costs.applyMillis(),
                costs.pullCopyMillis(), costs.pushDeserializeMillis()));
        model().ifPresent(model -> {
            for (double gbit : bandwidthsGbit) {
                out.append(String.format(Locale.ROOT, "predicted chars/s at %s Gbit/s:", dec(gbit, gbit < 1 ? 1 : 0)));
                for (int n : predictNodes) {
                    ClusterModel.Prediction p = model.predict(n, gbit * 1e9);
                    out.append(String.format(Locale.ROOT, "  N=%d %s (%s)", n, num(p.charsPerSec()), p.limit()));
                }
                out.append('\n');
            }
        });
        return out.toString();
    }

    // ---- Markdown -------------------------------------------------------------------------------------------------

    void appendMarkdown(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder md = new StringBuilder();
        if (!Files.exists(file)) {
            md.append("# Cluster benchmark, ").append(startedAt.toLocalDate()).append("\n\n")
                    .append("Written by `load-tests/cluster-bench.sh` (see load-tests/README.md, \"The cluster "
                            + "benchmark\"). One section per run. MB = 10^6 bytes, MiB = 2^20 bytes.\n");
        }
        md.append("\n## ").append(startedAt.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")));
        if (label != null && !label.isBlank()) {
            md.append(" — ").append(label);
        }
        md.append("\n\n");
        md.append("Command (from the repository root):\n\n```\n").append(command).append("\n```\n\n");
        setup(md);
        measured(md);
        perNode(md);
        bytesPerUpdate(md);
        model().ifPresent(model -> networkModel(md, model));
        observations(md);
        String text = workDir == null ? md.toString() : md.toString().replace(workDir, "<work>");
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void setup(StringBuilder md) {
        md.append("### Setup\n\n");
        md.append("- rill: ").append(rillVersion).append('\n');
        md.append(String.format(Locale.ROOT, "- Machine: %d cores (%s), %.1f GiB, %s; load average (1/5/15 min) %s "
                        + "at the start, %s at the end. Every node, the broker and the harness share these cores.%n",
                machine.cores(), machine.cpuModel(), machine.memoryGiB(), machine.os(), loadAtStart, loadAtEnd));
        md.append("- Nodes: `java ").append(nodeJvmOpts).append(" -jar rill.jar run -c <file>` (").append(machine.jvm())
                .append("), one Akka Cluster on loopback (the first two nodes are the seeds), remote JMX on a free "
                        + "loopback port each; the broker: rill's embedded KRaft broker alone in a JVM (`")
                .append(brokerJvmOpts).append(" ... BrokerMain`); this harness in a third, reading every node's "
                        + "beans every ").append(pollMillis).append(" ms.\n");
        md.append(String.format(Locale.ROOT, "- Data: `%s`, %,d names (%,d characters a pass with each name's "
                        + "end-of-sequence), %d passes, each shuffled (seed %d), one name per record, to %d partitions "
                        + "in turn. Each run has its own topic, consumer group and shared checkpoint directory; the "
                        + "names are produced only once every node is Up, the group is stable and the parameter "
                        + "server runs, so no partition moves while the nodes learn.%n", train, names,
                charactersPerPass, passes, seed, partitions, partitions));
        md.append("- The model as the nodes had it: ");
        List<String> settings = new ArrayList<>();
        modelSettings.forEach((k, v) -> settings.add("`" + k + " = " + v + "`"));
        md.append(String.join(", ", settings)).append(String.format(Locale.ROOT, "; %,d parameters at a vocabulary "
                + "of %d.%n", costs.parameters(), costs.vocabulary()));
        md.append("- Every node: rill's application.conf, then the run's topic, group, checkpoint directory, "
                + "cluster and JMX settings, `rill.skipgram.enabled = false`");
        if (!settingLines.isEmpty()) {
            md.append(", then `").append(String.join("`, `", settingLines)).append('`');
        }
        md.append(".\n");
        md.append(String.format(Locale.ROOT, "- Timed window: from the first training step seen on any node to the "
                + "last change of the characters trained; the run ends once the group has committed every record "
                + "(read from the broker) and that count has stood still for %d s.%n%n", settleSeconds));
    }

    private void measured(StringBuilder md) {
        md.append("### Measured\n\n");
        md.append("| nodes | chars/s | vs 1 node | characters trained | seconds | steps | updates/s | chars/step | "
                + "staleness p50 / p99 / max | refused | held-out loss | nodes' CPU (cores) | broker + harness CPU "
                + "(cores) | server on | loopback MB (model's Akka MB) |\n");
        md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | "
                + "--- |\n");
        for (ClusterRun.Result r : runs) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %,d | %.1f | %,d | %.2f | %s | %d / %d / %d | %d | "
                            + "%s | %.2f | %.2f | %s | %s (%s) |%n", r.nodes(), num(r.charsPerSec()),
                    dec(speedup(r), 2), r.charsTrained() - r.charsAtFirstStep(), r.seconds(), r.steps(),
                    r.updatesPerSec(), num(r.charsPerStep()), r.stalenessP50(), r.stalenessP99(), r.stalenessMax(),
                    r.refused(), dec(r.heldOutLoss(), 4), nodesCores(r),
                    (r.brokerCpuSeconds() + r.harnessCpuSeconds()) / r.seconds(), serverNode(r),
                    mb(r.loopbackBytes()), mb(expectedAkkaBytes(r))));
        }
        for (String f : failures) {
            md.append("\n**Failed:** `").append(FaultCluster.shorten(f, 600)).append("`\n");
        }
        md.append("""

                - **chars/s**: characters trained in the timed window (the parameter server's count) over its length. \
                **updates/s**: worker steps in the window, all nodes, each one gradient the server applied (or \
                refused). **chars/step**: the two over each other, the batch a step trains (active lanes x BPTT steps).
                - Staleness, refused gradients, characters trained, pulls served: the node that hosts the parameter \
                server (pulls served include every node's generator refreshing its snapshot, not only the workers' \
                pulls). Held-out loss: the progress reporter's last report (a cluster singleton, every \
                `rill.lstm.progress.every-steps` updates), on its node.
                - CPU: /proc of each process (native threads included) in the timed window, over its length.
                - Loopback: every byte sent on the machine's loopback in the window, Kafka, JMX and anything else \
                running on the machine included; in brackets what the model's message sizes and the run's counts say \
                Akka carried between the nodes (see "Bytes per update").
                """);
        for (ClusterRun.Result r : runs) {
            md.append(String.format(Locale.ROOT, "- %d node%s: %,d records, %,d characters produced in %.1f s; "
                            + "started, joined and stable after %.1f s; every record committed %s after the last "
                            + "change; load average %s before, %s after; training loss %.4f, vocabulary %d, version "
                            + "%,d, pulls served %,d.%n", r.nodes(), r.nodes() == 1 ? "" : "s", r.records(),
                    r.characters(), r.produceSeconds(), r.upSeconds(),
                    Double.isNaN(r.committedAfterSeconds()) ? "n/a" : dec(r.committedAfterSeconds(), 1) + " s",
                    r.loadStart(), r.loadEnd(), r.trainingLoss(), r.vocabulary(), r.version(), r.pulls()));
        }
        md.append('\n');
    }

    private void perNode(StringBuilder md) {
        md.append("### Per node\n\n");
        md.append("| nodes | node | server | progress | partitions | records | steps (timed) | steps/s | ms/step | "
                + "worker busy | last batch (lanes) | CPU (cores) | peak RSS | up after | log ERROR / WARN | stop "
                + "(exit) |\n");
        md.append("| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
                + "--- | --- |\n");
        for (ClusterRun.Result r : runs) {
            for (ClusterRun.NodeResult n : r.nodeResults()) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %d | %,d | %,d (%,d) | %.2f | %.1f | %.0f%% "
                                + "| %d | %.2f | %s | %.1f s | %d / %d | %s |%n", r.nodes(), n.label(),
                        n.hostsServer() ? "yes" : "", n.runsProgress() ? "yes" : "", n.partitions(), n.records(),
                        n.steps(), n.stepsTimed(), n.stepsTimed() / r.seconds(), n.stepMillis(),
                        100 * n.stepsTimed() * n.stepMillis() / 1e3 / r.seconds(), n.batchLanes(),
                        n.cpuSeconds() / r.seconds(), mib(n.peakRssBytes()), n.upSeconds(), n.errorLines(),
                        n.warnLines(), n.exitCode() == null ? "**killed**"
                                : (n.stoppedCleanly() ? "clean" : "**failed**") + " (" + n.exitCode() + ")"));
            }
        }
        md.append("\n**steps (timed)**: all the worker's steps (those in the window). **steps/s, ms/step, worker "
                + "busy**: the timed steps over the window, their mean time, and the two multiplied: the share of the "
                + "window the node's worker spent in forward and backward passes (the rest it waited for chunks, for "
                + "parameters, or for a core; a step that straddles an end of the window can take it a little over "
                + "100%). **stop**: after SIGTERM to every node at once; "
                + "143 is the JVM's exit code after a SIGTERM it handled.\n\n");
        md.append("CPU seconds by thread group (threads) in each node, from the names produced to the end of the run "
                + "(the idle settle period included); native threads (ND4J's OpenMP/BLAS, GC, JIT) are the process "
                + "total less the Java threads:\n\n");
        for (ClusterRun.Result r : runs) {
            for (ClusterRun.NodeResult n : r.nodeResults()) {
                CpuSnapshot.Phase cpu = n.threads();
                md.append(String.format(Locale.ROOT, "- %d node%s, %s: %.1f CPU s in %.1f s, native and JVM threads "
                                + "%.1f s, GC %d pauses %.2f s; ", r.nodes(), r.nodes() == 1 ? "" : "s", n.label(),
                        cpu.processCpuSeconds(),
                        cpu.wallSeconds(), cpu.processCpuSeconds() - cpu.javaThreadsCpuSeconds(), cpu.gcCount(),
                        cpu.gcSeconds()));
                List<String> groups = new ArrayList<>();
                cpu.top(8).forEach((g, s) -> groups.add(String.format(Locale.ROOT, "`%s` %.1f", g, s)));
                md.append(String.join(", ", groups)).append(".\n");
                n.firstErrors().forEach(e -> md.append("  - log: `").append(FaultCluster.shorten(e, 300))
                        .append("`\n"));
            }
        }
        md.append('\n');
    }

    private void bytesPerUpdate(StringBuilder md) {
        WireCosts.Costs c = costs;
        md.append("### Bytes per update\n\n");
        md.append(String.format(Locale.ROOT, "Measured in the harness with rill's classes at the run's sizes (%,d "
                        + "parameters, vocabulary %d): Akka's serialization of the messages (Jackson CBOR, numbers as "
                        + "byte strings), what Artery sends to another node (plus its envelope, tens of bytes); times "
                        + "are means over %d runs after as many untimed ones.%n%n", c.parameters(), c.vocabulary(),
                c.iterations()));
        md.append("| message | serialized | how often | serialize | deserialize |\n| --- | ---: | --- | ---: | ---: |\n");
        md.append(String.format(Locale.ROOT, "| `CharModelServer.Push` (a gradient, G) | %s | every update | %.3f ms | "
                        + "%.3f ms |%n", bytes(c.pushBytes()), c.pushSerializeMillis(), c.pushDeserializeMillis()));
        md.append(String.format(Locale.ROOT, "| `CharModelServer.Snapshot` without data (a worker's pull, S) | %s | "
                        + "every %d steps of a worker | %.3f ms | %.3f ms |%n", bytes(c.pullBytes()), pullEverySteps,
                c.pullSerializeMillis(), c.pullDeserializeMillis()));
        md.append(String.format(Locale.ROOT, "| `CharModelServer.Snapshot` with data (S_d: + seen set %s, %d held-out "
                        + "units) | %s | each node's generator every %s s (every %s s without the data: S); to the "
                        + "progress reporter every %d updates | %.3f ms | %.3f ms |%n", bytes(c.seenBytes()),
                c.heldOutUnits(), bytes(c.dataPullBytes()), dec(seenRefreshSeconds, 1),
                dec(snapshotIntervalSeconds, 1), progressEverySteps, c.dataPullSerializeMillis(),
                c.dataPullDeserializeMillis()));
        md.append(String.format(Locale.ROOT, "%nThe parameter server's own work (its actor, one thread): clip and apply "
                        + "one gradient (global norm, scaling, Adam) **a = %.3f ms**; copy the parameters for a pull "
                        + "%.3f ms, with the data %.3f ms.%n%n", c.applyMillis(), c.pullCopyMillis(),
                c.dataPullCopyMillis()));
        md.append(String.format(Locale.ROOT, "Per update, G + S/p = %s cross between nodes when the worker is not on the "
                        + "server's node, which is (N-1)/N of the updates when every node's worker steps at the same "
                        + "rate: ", bytes(c.pushBytes() + c.pullBytes() / pullEverySteps)));
        List<String> fractions = new ArrayList<>();
        for (ClusterRun.Result r : runs) {
            if (r.nodes() > 1) {
                fractions.add(String.format(Locale.ROOT, "%d nodes: %.2f measured (steps of the other nodes' workers), "
                        + "%.2f expected", r.nodes(), r.crossingFraction(), (r.nodes() - 1) / (double) r.nodes()));
            }
        }
        md.append(fractions.isEmpty() ? "no run had more than one node" : String.join("; ", fractions)).append(". ");
        baseRun().ifPresent(base -> md.append(String.format(Locale.ROOT, "At %s characters a step that is %s bytes "
                        + "per character trained on another node.", num(base.charsPerStep()),
                dec((c.pushBytes() + (double) c.pullBytes() / pullEverySteps) / base.charsPerStep(), 0))));
        md.append("\n\n");
    }

    private void networkModel(StringBuilder md, ClusterModel m) {
        ClusterRun.Result base = baseRun().orElseThrow();
        md.append("### Network-cost model\n\n");
        md.append("""
                One update is one worker step: c characters, one gradient push of G bytes to the model's parameter \
                server and, every p steps, a pull of S bytes back. A model has one parameter server, one Cluster \
                Sharding entity on one node, so everything meets there: its actor (one thread) applies every update, \
                its network link carries the pushes and pulls of the other N-1 nodes, and Artery deserializes every \
                remote push on one inbound lane (Artery picks a lane by recipient; all pushes have the same one). \
                With U updates per second in all and f = (N-1)/N of them from other nodes:

                | bound | U at most |
                | --- | --- |
                | compute: every node's worker at the one-node rate r | N·r |
                | the server's actor: U·(a + t_copy/p + t_data/e) + N·t_gen ≤ 1 | (1 − N·t_gen) / (a + t_copy/p + t_data/e) |
                | the inbound lane: f·U·t_deser(G) ≤ 1 | 1 / (f·t_deser(G)) |
                | the server node's link in: f·U·G ≤ B | B / (f·G) |
                | its link out: f·U·(S/p + S_d/e) + (N-1)·R_gen ≤ B | (B − (N-1)·R_gen) / (f·(S/p + S_d/e)) |
                | (pessimistic: both directions share B) | (B − (N-1)·R_gen) / (f·(G + S/p + S_d/e)) |

                Predicted characters per second: c · min(the first five). Assumptions: N machines like this one, each \
                running one node that learns its own share of partitions as the one node here did (the topic grows \
                with N: weak scaling; with a fixed topic each node's batch shrinks and bytes per character grow); \
                full-duplex links of B each way, B the payload rate (TCP/IP framing takes a few % of the line rate); \
                the server node's machine has cores to spare for the server beside its worker (the column "server \
                CPU" says how much it needs); every worker steps at the same rate; nothing else on the links. S_d: a \
                snapshot with the seen set and held-out lines, which the progress reporter gets every e updates. Each \
                node's generator pulls the parameters every g seconds and the data with them every g_s: R_gen = S/g + \
                (S_d − S)/g_s bytes per second, t_gen = t_copy/g + (t_data − t_copy)/g_s seconds of the server's \
                actor. Left out: the streams' `Observe` and `Encode` messages to \
                the server (the names themselves, for the seen set, and new characters), small beside a gradient, and \
                Kafka's traffic, which runs between the brokers and each node.

                """);
        md.append("| input | value | measured how |\n| --- | ---: | --- |\n");
        md.append(String.format(Locale.ROOT, "| r, one node's worker steps/s | %.3f | the %d-node run: %,d steps in "
                        + "%.1f s%s (compute alone, 1 / step time: %.3f) |%n", m.r(), base.nodes(),
                base.steps() - base.stepsAtFirstStep(), base.seconds(), base.nodes() == 1 ? ""
                        : ", per node", 1e3 / base.nodeResults().stream().mapToDouble(ClusterRun.NodeResult::stepMillis)
                        .average().orElse(Double.NaN)));
        md.append(String.format(Locale.ROOT, "| c, characters per step | %s | the same run |%n", num(m.c())));
        md.append(String.format(Locale.ROOT, "| a, clip + apply one gradient | %.3f ms | in-process loop |%n",
                m.applySeconds() * 1e3));
        md.append(String.format(Locale.ROOT, "| t_copy, t_data: a pull's copy, with data | %.3f ms, %.3f ms | "
                + "in-process loop |%n", m.pullCopySeconds() * 1e3, m.dataCopySeconds() * 1e3));
        md.append(String.format(Locale.ROOT, "| t_deser(G), t_ser(S), t_ser(S_d) | %.3f ms, %.3f ms, %.3f ms | Akka "
                        + "serialization, in-process loop |%n", m.pushDeserSeconds() * 1e3, m.pullSerSeconds() * 1e3,
                m.dataSerSeconds() * 1e3));
        md.append(String.format(Locale.ROOT, "| G, S, S_d | %s, %s, %s | serialized size |%n", bytes(m.pushBytes()),
                bytes(m.pullBytes()), bytes(m.dataPullBytes())));
        md.append(String.format(Locale.ROOT, "| p, e, g, g_s | %d steps, %d updates, %s s, %s s | configuration |%n%n",
                m.pullEverySteps(), m.progressEverySteps(), dec(m.snapshotIntervalSeconds(), 2),
                dec(m.seenRefreshSeconds(), 1)));
        for (double gbit : bandwidthsGbit) {
            md.append(String.format(Locale.ROOT, "**B = %s Gbit/s** (%s/s each way):%n%n", dec(gbit, gbit < 1 ? 1 : 0),
                    mb(gbit * 1e9 / 8)));
            md.append("| N | compute N·r·c | server actor | inbound lane | link in | link out | **predicted chars/s** "
                    + "| limited by | x one node | shared-link chars/s | server link in / out | server CPU (cores) | "
                    + "staleness p99 (rough) |\n");
            md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: |\n");
            for (int n : predictNodes) {
                ClusterModel.Prediction p = m.predict(n, gbit * 1e9);
                String staleness = Double.isNaN(p.staleness()) ? "n/a" : String.format(Locale.ROOT, "%.0f%s",
                        p.staleness(), p.staleness() > m.maxStaleness() ? " (> " + m.maxStaleness() + ": refused)" : "");
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | **%s** | %s | %.2f | %s | %s / %s "
                                + "| %.2f | %s |%n", n, num(p.compute() * m.c()), num(p.server() * m.c()),
                        num(p.lane() * m.c()), num(p.linkIn() * m.c()), num(p.linkOut() * m.c()), num(p.charsPerSec()),
                        p.limit(), p.charsPerSec() / (m.r() * m.c()), num(p.sharedCharsPerSec()),
                        mb(p.inBytesPerSec()) + "/s", mb(p.outBytesPerSec()) + "/s", p.serverCores(), staleness));
            }
            md.append('\n');
        }
        md.append("""
                The bounds' columns are in characters per second (updates per second x c). **server CPU**: what the \
                server node spends serving at the predicted rate (the actor's work, Artery deserializing the pushes \
                and serializing the pulls and snapshots), on top of its own worker. **staleness p99 (rough)**: the \
                largest p99 per node seen in the runs here times N, on the reasoning that while one worker's copy \
                ages by its own steps every other worker pushes as many; above `rill.lstm.max-staleness` the server \
                refuses gradients, so the compute bound is then not reached with useful updates.

                """);
    }

    private void observations(StringBuilder md) {
        md.append("### Observations\n\n");
        Optional<ClusterRun.Result> one = runs.stream().filter(r -> r.nodes() == 1).findFirst();
        for (ClusterRun.Result r : runs) {
            if (r.nodes() > 1 && one.isPresent()) {
                md.append(String.format(Locale.ROOT, "- %d nodes trained at %.2fx the one-node rate (%s against %s "
                                + "chars/s), with the nodes' processes using %.2f cores together (one node: %.2f), each "
                                + "worker stepping on a batch of %s characters instead of %s.%n", r.nodes(),
                        speedup(r), num(r.charsPerSec()), num(one.get().charsPerSec()), nodesCores(r),
                        nodesCores(one.get()), num(r.charsPerStep()), num(one.get().charsPerStep())));
            }
            if (r.refused() > 0) {
                md.append(String.format(Locale.ROOT, "- %d nodes: %,d gradients refused as stale (p99 staleness %d, "
                        + "max %d).%n", r.nodes(), r.refused(), r.stalenessP99(), r.stalenessMax()));
            }
            if (!r.hostAtStart().equals(r.hostAtEnd())) {
                md.append(String.format(Locale.ROOT, "- %d nodes: the parameter server moved during the run (%s); its "
                        + "server-side figures are the last host's.%n", r.nodes(), serverNode(r)));
            }
        }
        md.append(String.format(Locale.ROOT, "- What limits scaling here: all the nodes run on the same %d cores, with "
                        + "the broker and this harness. A second or third node adds no compute; it adds a JVM, the "
                        + "serialization of every gradient and pull that crosses between nodes (on loopback, but "
                        + "still CPU), Akka's and Kafka's coordination, and smaller batches per worker (a node's "
                        + "partitions only), which use the cores less well per character. These figures say what the "
                        + "cluster costs on one machine, not how it scales; the model above says how it would on N "
                        + "machines, from the one-node compute rate and the per-update costs measured here.%n",
                machine.cores()));
        model().ifPresent(m -> {
            int most = predictNodes.stream().mapToInt(Integer::intValue).max().orElse(1);
            if (most > 1 && snapshotIntervalSeconds > 0) {
                ClusterModel.Prediction p = m.predict(most, bandwidthsGbit.get(0) * 1e9);
                double generators = (most - 1) * m.generatorBytesPerSecond();
                md.append(String.format(Locale.ROOT, "- Each node's generator pulls the parameters every %s s and the "
                                + "seen set and held-out lines with them every %s s (%s with them, of which the seen "
                                + "set's Bloom filter %s), whatever the training rate: at N = %d that is %s/s out of the "
                                + "server's node, %.0f%% of its outbound traffic at the predicted rate (the workers' "
                                + "pulls and the progress reports are the rest).%n",
                        dec(snapshotIntervalSeconds, 1), dec(seenRefreshSeconds, 1), bytes(costs.dataPullBytes()),
                        bytes(costs.seenBytes()), most, mb(generators), 100 * generators / p.outBytesPerSec()));
            }
            if (!Double.isNaN(m.stalenessPerNode())) {
                int over = predictNodes.stream().sorted()
                        .filter(nodes -> m.stalenessPerNode() * nodes > m.maxStaleness()).findFirst().orElse(-1);
                md.append(String.format(Locale.ROOT, "- Staleness: the runs here saw up to %.1f versions of p99 "
                                + "staleness per node; times N, that passes `rill.lstm.max-staleness` (%d) %s. Past it the "
                                + "server refuses the stalest gradients and the workers' compute is partly wasted, "
                                + "whatever the links carry (a rough extrapolation: it assumes staleness grows with the "
                                + "number of workers pushing, at the rates measured here).%n", m.stalenessPerNode(),
                        m.maxStaleness(), over < 0 ? "at none of the N predicted for" : "at N = " + over));
            }
            for (double gbit : bandwidthsGbit) {
                ClusterModel.Prediction last = null;
                for (int n : predictNodes) {
                    ClusterModel.Prediction p = m.predict(n, gbit * 1e9);
                    if (!p.limit().equals(ClusterModel.COMPUTE)) {
                        md.append(String.format(Locale.ROOT, "- At %s Gbit/s the model leaves the compute bound at "
                                        + "N = %d (limited by the %s: %s chars/s, %.2fx one node)%s.%n",
                                dec(gbit, gbit < 1 ? 1 : 0), n, p.limit(), num(p.charsPerSec()),
                                p.charsPerSec() / (m.r() * m.c()), last == null ? ""
                                        : String.format(Locale.ROOT, "; at N = %d it predicts %s chars/s",
                                        last.nodes(), num(last.charsPerSec()))));
                        last = null;
                        break;
                    }
                    last = p;
                }
                if (last != null) {
                    md.append(String.format(Locale.ROOT, "- At %s Gbit/s the model stays compute bound up to N = %d "
                                    + "(%s chars/s).%n", dec(gbit, gbit < 1 ? 1 : 0), last.nodes(),
                            num(last.charsPerSec())));
                }
            }
        });
        md.append('\n');
    }
}
