package io.rill.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import picocli.CommandLine.Option;

/**
 * The options every benchmark shares (a picocli mixin): where its Markdown report goes and under which label, where
 * its temporary directory is and whether it stays, and how the run was started, for the report.
 */
final class ReportOptions {

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "load-tests/results",
            description = "Where the report (<benchmark>-<date>.md) is written or appended to (${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--no-report", description = "Print the figures only; write no report (and no charts).")
    boolean noReport;

    @Option(names = "--label", description = "A few words naming this run in the report.")
    String label;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Parent of the temporary directory (default: java.io.tmpdir).")
    Path workParent;

    @Option(names = "--keep-work", description = "Leave the temporary directory (logs, configs, data) in place.")
    boolean keepWork;

    @Option(names = "--command", hidden = true, description = "How the run was started, for the report.")
    String command;

    @Option(names = "--rill-version", hidden = true, description = "The commit rill was built from, for the report.")
    String rillVersion;

    /** A fresh temporary directory for one invocation, under {@code --work-dir} or the JVM's temporary directory. */
    Path createWorkDirectory(String prefix) throws IOException {
        Path parent = workParent != null ? workParent : Path.of(System.getProperty("java.io.tmpdir"));
        return Files.createTempDirectory(parent, prefix).toAbsolutePath();
    }

    /** Deletes the work directory unless {@code --keep-work} says to keep it (then says where it is). */
    void removeWorkDirectory(Path work) throws IOException {
        if (keepWork) {
            System.out.println("work directory kept: " + work);
        } else {
            BenchSupport.deleteTree(work);
        }
    }

    /** Today's report file of {@code benchmark} ("cluster" gives cluster-2026-11-26.md) under {@code --results}. */
    Path reportFile(String benchmark) {
        return results.resolve(benchmark + "-" + LocalDate.now() + ".md");
    }
}
