package io.rill.loadtest;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.MBeanServerConnection;

/**
 * Where the CPU of a JVM went during a phase (this JVM, or a node's through its JMX connection): process CPU, GC, and
 * CPU per thread group (a thread's name with its digits as '#', so the broker's request handlers are one line).
 * Take a snapshot before and one after; {@link #since} gives the phase.
 */
final class Cpu {

    private final long wall;
    private final long process;
    private final long gcCount;
    private final long gcMillis;
    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> nanos = new HashMap<>();
    private long javaUser;
    private long javaTotal;

    private Cpu(com.sun.management.ThreadMXBean threads, java.lang.management.OperatingSystemMXBean os,
                List<GarbageCollectorMXBean> collectors) {
        long[] ids = threads.getAllThreadIds();
        long[] cpu = threads.getThreadCpuTime(ids);
        long[] user = threads.getThreadUserTime(ids);
        var infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] >= 0 && user[i] >= 0 && infos[i] != null) {
                names.put(ids[i], infos[i].getThreadName());
                nanos.put(ids[i], cpu[i]);
                javaUser += user[i];
                javaTotal += cpu[i];
            }
        }
        gcCount = collectors.stream().mapToLong(gc -> Math.max(0, gc.getCollectionCount())).sum();
        gcMillis = collectors.stream().mapToLong(gc -> Math.max(0, gc.getCollectionTime())).sum();
        process = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        wall = System.nanoTime();
    }

    /** This JVM. */
    static Cpu take() {
        return new Cpu((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean(),
                ManagementFactory.getOperatingSystemMXBean(), ManagementFactory.getGarbageCollectorMXBeans());
    }

    /** Another JVM, through its JMX connection; the bulk calls keep it to a few round trips. */
    static Cpu take(MBeanServerConnection jmx) throws IOException {
        return new Cpu(ManagementFactory.newPlatformMXBeanProxy(jmx, ManagementFactory.THREAD_MXBEAN_NAME,
                com.sun.management.ThreadMXBean.class),
                ManagementFactory.newPlatformMXBeanProxy(jmx, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                        com.sun.management.OperatingSystemMXBean.class),
                ManagementFactory.getPlatformMXBeans(jmx, GarbageCollectorMXBean.class));
    }

    /** A thread's group: digit runs as '#', Kafka's " | client-id" suffix dropped. */
    static String group(String thread) {
        int client = thread.indexOf(" | ");
        return (client > 0 ? thread.substring(0, client) : thread).replaceAll("[0-9]+", "#");
    }

    /**
     * One phase. {@code javaCpu} is the CPU of the Java threads alive at its end (the rest of the process's is GC, JIT
     * and native threads such as ND4J's), {@code javaSystem} the part of it in the kernel; {@code groups} by CPU
     * seconds, highest first, each name with its thread count.
     */
    record Phase(double wall, double process, long gcCount, double gcSeconds, double javaCpu, double javaSystem,
                 Map<String, Double> groups) {

        double cores() {
            return process / wall;
        }

        /**
         * "W s wall, C CPU s (K cores busy): Java threads J s (in the kernel S s), other threads (GC, JIT, native) O s;
         * GC pauses N, G s. CPU s by thread group (threads): ..." with the {@code top} busiest groups.
         */
        String describe(int top) {
            List<String> parts = new ArrayList<>();
            double rest = 0;
            for (Map.Entry<String, Double> e : groups.entrySet()) {
                if (parts.size() < top) {
                    parts.add(String.format(Locale.ROOT, "`%s` %.2f", e.getKey(), e.getValue()));
                } else {
                    rest += e.getValue();
                }
            }
            if (rest > 0) {
                parts.add(String.format(Locale.ROOT, "`(other threads)` %.2f", rest));
            }
            return String.format(Locale.ROOT, "%.2f s wall, %.2f CPU s (%.2f cores busy): Java threads %.2f s (in the "
                    + "kernel %.2f s), other threads (GC, JIT, native such as ND4J's) %.2f s; GC pauses %d, %.2f s. "
                    + "CPU s by thread group (threads): %s.", wall, process, cores(), javaCpu, javaSystem,
                    process - javaCpu, gcCount, gcSeconds, String.join(", ", parts));
        }
    }

    /** The phase from {@code before} to this snapshot; threads started in it count whole, ended ones not at all. */
    Phase since(Cpu before) {
        Map<String, Double> byGroup = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        nanos.forEach((id, n) -> {
            String g = group(names.get(id));
            count.merge(g, 1, Integer::sum);
            double s = (n - before.nanos.getOrDefault(id, 0L)) / 1e9;
            if (s > 0) {
                byGroup.merge(g, s, Double::sum);
            }
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey() + " (" + count.get(e.getKey()) + ")", e.getValue()));
        double java = (javaTotal - before.javaTotal) / 1e9;
        return new Phase((wall - before.wall) / 1e9, process < 0 ? -1 : (process - before.process) / 1e9,
                gcCount - before.gcCount, (gcMillis - before.gcMillis) / 1e3, java,
                java - (javaUser - before.javaUser) / 1e9, sorted);
    }
}
