package io.rill.loadtest;

import javax.management.MBeanServerConnection;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU of a JVM (this one, or a node's through its JMX connection) went during one phase: process CPU time,
 * GC time, and CPU time per thread group (a thread's name with its digits replaced by '#', so the broker's eight
 * request handlers are one line). Threads that end during the phase are missing from the per-thread figures, not
 * from the process total.
 */
final class CpuSnapshot {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long wallNanos;
    private final long processCpuNanos;
    private final long gcCount;
    private final long gcMillis;
    private final Map<Long, String> names;
    private final Map<Long, Long> cpuNanos;
    private final long javaThreadsUserNanos;
    private final long javaThreadsCpuNanos;

    private CpuSnapshot(long wallNanos, long processCpuNanos, long gcCount, long gcMillis, Map<Long, String> names,
                        Map<Long, Long> cpuNanos, long javaThreadsUserNanos, long javaThreadsCpuNanos) {
        this.wallNanos = wallNanos;
        this.processCpuNanos = processCpuNanos;
        this.gcCount = gcCount;
        this.gcMillis = gcMillis;
        this.names = names;
        this.cpuNanos = cpuNanos;
        this.javaThreadsUserNanos = javaThreadsUserNanos;
        this.javaThreadsCpuNanos = javaThreadsCpuNanos;
    }

    /** This JVM's threads and process. */
    static CpuSnapshot take() {
        return take(THREADS, ManagementFactory.getOperatingSystemMXBean(),
                ManagementFactory.getGarbageCollectorMXBeans());
    }

    /**
     * Another JVM's, through its JMX connection (the platform beans' proxies): a rill node the harness started.
     * The bulk calls keep it to a handful of round trips however many threads the node has.
     */
    static CpuSnapshot take(MBeanServerConnection jmx) throws IOException {
        return take(ManagementFactory.newPlatformMXBeanProxy(jmx, ManagementFactory.THREAD_MXBEAN_NAME,
                        com.sun.management.ThreadMXBean.class),
                ManagementFactory.newPlatformMXBeanProxy(jmx, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                        com.sun.management.OperatingSystemMXBean.class),
                ManagementFactory.getPlatformMXBeans(jmx, GarbageCollectorMXBean.class));
    }

    private static CpuSnapshot take(ThreadMXBean threads, OperatingSystemMXBean os,
                                    List<GarbageCollectorMXBean> collectors) {
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> cpu = new HashMap<>();
        long user = 0;
        long total = 0;
        long[] ids = threads.getAllThreadIds();
        long[] cpuNanos;
        long[] userNanos;
        if (threads instanceof com.sun.management.ThreadMXBean bulk) {
            cpuNanos = bulk.getThreadCpuTime(ids);
            userNanos = bulk.getThreadUserTime(ids);
        } else {
            cpuNanos = new long[ids.length];
            userNanos = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                cpuNanos[i] = threads.getThreadCpuTime(ids[i]);
                userNanos[i] = threads.getThreadUserTime(ids[i]);
            }
        }
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (cpuNanos[i] >= 0 && userNanos[i] >= 0 && infos[i] != null) {
                names.put(ids[i], infos[i].getThreadName());
                cpu.put(ids[i], cpuNanos[i]);
                user += userNanos[i];
                total += cpuNanos[i];
            }
        }
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        long processCpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        return new CpuSnapshot(System.nanoTime(), processCpu, count, millis, names, cpu, user, total);
    }

    /** The phase between {@code before} and this snapshot. */
    Phase since(CpuSnapshot before) {
        Map<String, Double> byGroup = new HashMap<>();
        Map<String, Integer> threadsPerGroup = new HashMap<>();
        cpuNanos.forEach((id, nanos) -> {
            threadsPerGroup.merge(group(names.get(id)), 1, Integer::sum);
            long start = before.cpuNanos.getOrDefault(id, 0L);
            double seconds = (nanos - start) / 1e9;
            if (seconds > 0) {
                byGroup.merge(group(names.get(id)), seconds, Double::sum);
            }
        });
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(byGroup.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        Map<String, Double> groups = new LinkedHashMap<>();
        sorted.forEach(e -> groups.put(e.getKey() + " (" + threadsPerGroup.get(e.getKey()) + ")", e.getValue()));
        // Threads that started during the phase have no "before"; their whole CPU time belongs to it. Threads that
        // ended are missing on both sides of this approximation.
        double javaCpu = (javaThreadsCpuNanos - before.javaThreadsCpuNanos) / 1e9;
        double javaUser = (javaThreadsUserNanos - before.javaThreadsUserNanos) / 1e9;
        return new Phase((wallNanos - before.wallNanos) / 1e9,
                processCpuNanos < 0 ? -1 : (processCpuNanos - before.processCpuNanos) / 1e9,
                gcCount - before.gcCount, (gcMillis - before.gcMillis) / 1e3, javaCpu, javaCpu - javaUser, groups);
    }

    /** A thread's group: its name with digit runs as '#', and Kafka's " | client-id" suffix dropped. */
    static String group(String threadName) {
        int client = threadName.indexOf(" | ");
        String name = client > 0 ? threadName.substring(0, client) : threadName;
        return name.replaceAll("[0-9]+", "#");
    }

    /**
     * The figures of one phase. {@code javaThreadsCpuSeconds} is the CPU time of the Java threads alive at both
     * ends (the rest of the process CPU is GC, JIT compilers and other JVM threads); {@code javaThreadsSystemSeconds}
     * the part of it spent in the kernel (parking, waking, sockets). {@code threadGroups} is sorted by CPU
     * seconds, highest first; each name ends with its thread count.
     */
    record Phase(double wallSeconds, double processCpuSeconds, long gcCount, double gcSeconds,
                 double javaThreadsCpuSeconds, double javaThreadsSystemSeconds, Map<String, Double> threadGroups) {

        /** Cores kept busy on average: process CPU seconds per wall second. */
        double coresBusy() {
            return processCpuSeconds / wallSeconds;
        }

        /** The {@code n} busiest thread groups, with what is left summed up as "other threads". */
        Map<String, Double> top(int n) {
            Map<String, Double> top = new LinkedHashMap<>();
            double rest = 0;
            int i = 0;
            for (Map.Entry<String, Double> e : threadGroups.entrySet()) {
                if (i++ < n) {
                    top.put(e.getKey(), e.getValue());
                } else {
                    rest += e.getValue();
                }
            }
            if (rest > 0) {
                top.put("(other threads)", rest);
            }
            return top;
        }
    }
}
