package io.rill.cli;

import io.rill.ops.DeadLetterCounters;
import io.rill.ops.IngestStreamMetrics;
import io.rill.ops.NodeStatus;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * What {@code rill demo} shows on the terminal: the feeder's progress bar and the node's streams. On a terminal it
 * redraws in place; piped to a file it appends a compact block every few seconds instead.
 */
final class LiveView {

    private static final int BAR_WIDTH = 40;

    private final PrintStream out;
    private final boolean terminal;
    private int linesDrawn;

    LiveView(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void draw(DemoFeeder feeder, NodeStatus status, double feedRate, List<String> learnerLines) {
        StringBuilder frame = new StringBuilder();
        frame.append(progressBar(feeder.sent(), feeder.total(), feedRate)).append('\n');
        frame.append(String.format(Locale.ROOT, "%-20s %4s %10s %11s %9s %8s %6s  %s%n",
                "stream", "part", "records", "tokens", "rec/s", "lag", "dead", "top tokens"));
        for (IngestStreamMetrics s : status.streams()) {
            frame.append(String.format(Locale.ROOT, "%-20s %4d %10d %11d %9.0f %8s %6d  %s%n",
                    s.topic(), s.partition(), s.getRecordsIn(), s.getTokensIn(), s.getRecordsPerSecond(),
                    s.getConsumerLag() < 0 ? "-" : String.valueOf(s.getConsumerLag()), s.getDeadLettered(),
                    abbreviate(s.getTopTokens(), 60)));
        }
        DeadLetterCounters dead = status.deadLetters();
        frame.append(String.format(Locale.ROOT, "node: up %ds, broker %s (%s), dead-lettered %d, source restarts %d%n",
                status.getUptimeSeconds(), status.getBootstrapServers(), status.getBrokerMode(), dead.getTotal(),
                status.getIngestRestarts()));
        learnerLines.forEach(line -> frame.append(line).append('\n'));
        if (terminal) {
            if (linesDrawn > 0) {
                out.print("\033[" + linesDrawn + "F\033[J"); // back to the frame's first line, clear below
            }
            linesDrawn = (int) frame.chars().filter(c -> c == '\n').count();
        }
        out.print(frame);
        out.flush();
    }

    static String progressBar(long done, long total, double rate) {
        double fraction = total == 0 ? 1 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        return String.format(Locale.ROOT, "feeding [%s%s] %3.0f%%  %d/%d records  %.0f rec/s",
                "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), fraction * 100, done, total, rate);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
