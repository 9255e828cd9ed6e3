package io.rill.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A process's memory as Linux's {@code /proc/<pid>/status} tells it: VmRSS (resident now) and VmHWM (the peak
 * resident size so far), in bytes. Empty where there is no /proc or the process is gone.
 */
record ProcMemory(long rssBytes, long peakRssBytes) {

    static final double MIB = 1024.0 * 1024.0;

    static ProcMemory self() {
        return of("self").orElseThrow(() -> new IllegalStateException("cannot read /proc/self/status"));
    }

    static java.util.Optional<ProcMemory> of(long pid) {
        return of(Long.toString(pid));
    }

    private static java.util.Optional<ProcMemory> of(String pid) {
        try {
            String status = Files.readString(Path.of("/proc", pid, "status"), StandardCharsets.UTF_8);
            OptionalLong rss = field(status, "VmRSS:");
            OptionalLong hwm = field(status, "VmHWM:");
            if (rss.isEmpty() || hwm.isEmpty()) {
                return java.util.Optional.empty(); // a zombie or a kernel thread
            }
            return java.util.Optional.of(new ProcMemory(rss.getAsLong(), hwm.getAsLong()));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** A "Name:   123 kB" line of /proc/PID/status, in bytes. */
    private static OptionalLong field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return OptionalLong.of(parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value);
            }
        }
        return OptionalLong.empty();
    }

    /**
     * CPU time (user + system) a live process has used so far, from /proc/PID/stat, in seconds; -1 if gone. Counted
     * in clock ticks of 10 ms (USER_HZ 100, as on every Linux this runs on).
     */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return ticks / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The command line of a process, its arguments joined by spaces; empty if gone. */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Bytes sent on the loopback interface so far, from /proc/net/dev (its "lo" line, transmit bytes; on loopback
     * every byte sent is also received, so this counts each once), or -1. Everything on the machine's loopback counts,
     * not only one process's.
     */
    static long loopbackBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/dev"), StandardCharsets.US_ASCII)) {
                String trimmed = line.trim();
                if (trimmed.startsWith("lo:")) {
                    String[] fields = trimmed.substring(3).trim().split("\\s+");
                    return Long.parseLong(fields[8]); // receive: bytes packets errs drop fifo frame compressed multicast
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: unknown
        }
        return -1;
    }

    /** The system load averages over 1, 5 and 15 minutes, as /proc/loadavg has them, or "unknown". */
    static String loadAverages() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
