package io.rill.loadtest;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What a reader of a result needs to know about the machine and the JVM that produced it. */
record MachineFacts(int cores, String cpuModel, double memoryGiB, String os, double loadAverage, String jvm,
                    List<String> jvmFlags, double maxHeapGiB, String collectors) {

    static MachineFacts collect() {
        var runtime = ManagementFactory.getRuntimeMXBean();
        var osBean = ManagementFactory.getOperatingSystemMXBean();
        double memory = osBean instanceof com.sun.management.OperatingSystemMXBean sun
                ? sun.getTotalMemorySize() / (1024.0 * 1024 * 1024) : -1;
        String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")";
        String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        return new MachineFacts(Runtime.getRuntime().availableProcessors(), readCpuModel(), memory,
                osBean.getName() + " " + osBean.getVersion() + " " + osBean.getArch(), osBean.getSystemLoadAverage(),
                jvm, List.copyOf(runtime.getInputArguments()), Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024),
                collectors);
    }

    /** The CPU model from Linux's /proc/cpuinfo; "unknown" elsewhere. */
    private static String readCpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "unknown";
        }
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | java.io.UncheckedIOException e) {
            return "unknown";
        }
    }
}
