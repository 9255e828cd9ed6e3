package io.rill.loadtest;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a reader of a result needs to know about the machine and this JVM, and what Linux's /proc tells about any
 * process of it: resident memory, CPU time, command line; the loopback interface's bytes and the load averages.
 */
record Machine(int cores, String cpu, double memoryGiB, String os, String jvm, List<String> jvmFlags,
               double maxHeapGiB, String collectors) {

    static final double MIB = 1024.0 * 1024.0;

    static Machine collect() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        double memory = os instanceof com.sun.management.OperatingSystemMXBean sun
                ? sun.getTotalMemorySize() / (MIB * 1024) : -1;
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return new Machine(Runtime.getRuntime().availableProcessors(), cpu, memory,
                os.getName() + " " + os.getVersion() + " " + os.getArch(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vendor") + ")",
                List.copyOf(ManagementFactory.getRuntimeMXBean().getInputArguments()),
                Runtime.getRuntime().maxMemory() / (MIB * 1024),
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                        .collect(Collectors.joining(", ")));
    }

    /** VmRSS (resident now) and VmHWM (the peak so far) of a process, in bytes. */
    record Memory(long rss, long peak) {
    }

    /** A live process's memory from /proc/PID/status; empty when it is gone (or a zombie). */
    static Optional<Memory> memory(long pid) {
        try {
            long rss = -1;
            long peak = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                    if (line.startsWith("VmRSS:")) {
                        rss = kb * 1024;
                    } else {
                        peak = kb * 1024;
                    }
                }
            }
            return rss < 0 || peak < 0 ? Optional.empty() : Optional.of(new Memory(rss, peak));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** CPU seconds (user + system, ticks of 10 ms) a live process has used, from /proc/PID/stat; -1 if gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name may hold spaces
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A process's arguments joined by spaces; empty if gone. */
    static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Bytes received on the loopback interface so far (each byte sent on it once), or -1: the whole machine's. */
    static long loopbackBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/dev"))) {
                if (line.trim().startsWith("lo:")) {
                    return Long.parseLong(line.trim().substring(3).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc
        }
        return -1;
    }

    /** The load averages over 1, 5 and 15 minutes, or "unknown". */
    static String loadAverages() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
