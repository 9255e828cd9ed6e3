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

/**
 * The fault harness's report: a short summary for the terminal, and a Markdown section appended to
 * {@code faults-<date>.md} with the command, rill's commit, the machine, the load averages, the settings, a table of
 * scenarios with pass or fail, then each scenario: what it did, its figures, its checks, its table, its notes and
 * its chart. The run's temporary directory appears as {@code <work>}.
 */
final class FaultReport extends RunReport {

    List<String> settings = List.of();
    /** The run's temporary directory: shown as {@code <work>}, so no path of this machine lands in a report. */
    String workDir;
    final List<ScenarioResult> results = new ArrayList<>();

    String summary() {
        StringBuilder out = new StringBuilder("fault scenarios: ");
        List<String> parts = new ArrayList<>();
        for (ScenarioResult r : results) {
            parts.add(String.format(Locale.ROOT, "%s %s (%.0f s%s)", r.key, r.passed() ? "passed" : "FAILED", r.seconds,
                    r.failure != null ? ", stopped early: " + r.failure
                            : r.failedChecks() > 0 ? ", " + r.failedChecks() + " checks failed" : ""));
        }
        out.append(String.join("; ", parts)).append('\n');
        for (ScenarioResult r : results) {
            out.append("  ").append(r.key).append(": ");
            List<String> figures = new ArrayList<>();
            r.figures.forEach((k, v) -> figures.add(k + " = " + v));
            out.append(String.join("; ", figures)).append('\n');
        }
        return out.toString();
    }

    void appendMarkdown(Path file) throws IOException {
        StringBuilder md = new StringBuilder();
        boolean fresh = !Files.exists(file);
        if (fresh) {
            md.append("# rill fault scenarios\n\n");
            md.append("Written by `load-tests/faults.sh` (see load-tests/README.md, \"The fault scenarios\"). Each run "
                    + "appends a section.\n\n");
        }
        md.append("## ").append(startedAt.format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z"))).append(label != null ? " — " + label : "").append("\n\n");
        md.append("- Command: `").append(command).append("`\n");
        md.append("- rill: ").append(rillVersion).append('\n');
        md.append(String.format(Locale.ROOT, "- Machine: %d cores (%s), %.1f GiB, %s; harness JVM %s%n",
                machine.cores(), machine.cpuModel(), machine.memoryGiB(), machine.os(), machine.jvm()));
        md.append("- Load average (1/5/15 min): ").append(loadAtStart).append(" at the start, ").append(loadAtEnd)
                .append(" at the end\n");
        for (String s : settings) {
            md.append("- ").append(s).append('\n');
        }
        md.append("\n| scenario | result | time |\n| --- | --- | ---: |\n");
        for (ScenarioResult r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f s |%n", r.title,
                    r.passed() ? "pass" : r.failure != null ? "**stopped early**"
                            : "**FAIL** (" + r.failedChecks() + " of " + r.checks.size() + " checks)", r.seconds));
        }
        md.append('\n');
        for (ScenarioResult r : results) {
            md.append("### ").append(r.title).append("\n\n");
            for (String step : r.steps) {
                md.append("- ").append(step).append('\n');
            }
            if (!r.steps.isEmpty()) {
                md.append('\n');
            }
            if (r.failure != null) {
                md.append("**Stopped early:** `").append(FaultCluster.shorten(r.failure, 600)).append("`\n\n");
            }
            if (!r.figures.isEmpty()) {
                md.append("| figure | value |\n| --- | --- |\n");
                for (Map.Entry<String, String> f : r.figures.entrySet()) {
                    md.append("| ").append(cell(f.getKey())).append(" | ").append(cell(f.getValue())).append(" |\n");
                }
                md.append('\n');
            }
            if (!r.checks.isEmpty()) {
                md.append("| check | result | seen |\n| --- | --- | --- |\n");
                for (ScenarioResult.Check c : r.checks) {
                    md.append("| ").append(cell(c.name())).append(" | ").append(c.passed() ? "pass" : "**FAIL**")
                            .append(" | ").append(cell(c.detail())).append(" |\n");
                }
                md.append('\n');
            }
            if (!r.tableRows.isEmpty()) {
                md.append("**").append(r.tableTitle).append("**\n\n");
                md.append("| ").append(String.join(" | ", r.tableHeader)).append(" |\n|");
                md.append(" --- |".repeat(r.tableHeader.size())).append('\n');
                for (List<String> row : r.tableRows) {
                    md.append("| ").append(String.join(" | ", row.stream().map(FaultReport::cell).toList()))
                            .append(" |\n");
                }
                md.append('\n');
            }
            for (String note : r.notes) {
                md.append("- ").append(note).append('\n');
            }
            if (!r.notes.isEmpty()) {
                md.append('\n');
            }
            if (r.chartFile != null) {
                md.append("![").append(r.title).append("](").append(r.chartFile).append(")\n\n");
            }
        }
        String text = workDir == null ? md.toString() : md.toString().replace(workDir, "<work>");
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
