package io.rill.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import jdk.management.jfr.FlightRecorderMXBean;

/**
 * Flight Recorder over one phase: JFR's "profile" settings with Java stacks sampled every 5 ms, in this JVM or in a
 * node's through its JMX connection ({@code jdk.management.jfr}), dumped to a file for JDK Mission Control or
 * {@code jfr print}, and summarised: samples by thread group, hottest methods (own samples, anywhere on the stack),
 * the place in rill's code, allocation by class. {@code Jfr FILE [TOP [SKIP_SECONDS]]} prints the summary of any
 * recording.
 */
public final class Jfr {

    private final Recording local;
    private final FlightRecorderMXBean remote;
    private final long id;
    private final Path file;
    private final Instant since = Instant.now();

    private Jfr(Recording local, FlightRecorderMXBean remote, long id, Path file) {
        this.local = local;
        this.remote = remote;
        this.id = id;
        this.file = file.toAbsolutePath();
    }

    private static Map<String, String> settings() throws Exception {
        Map<String, String> settings = new HashMap<>(Configuration.getConfiguration("profile").getSettings());
        settings.put("jdk.ExecutionSample#period", "5 ms");
        return settings;
    }

    /** Starts recording this JVM into {@code file}. */
    static Jfr start(Path file) throws Exception {
        Recording recording = new Recording(settings());
        recording.setToDisk(true);
        recording.start();
        return new Jfr(recording, null, 0, file);
    }

    /** Starts recording a node's JVM; the node writes {@code file} (same machine). */
    static Jfr start(Node node, Path file) throws Exception {
        FlightRecorderMXBean bean = ManagementFactory.newPlatformMXBeanProxy(node.server(),
                "jdk.management.jfr:type=FlightRecorder", FlightRecorderMXBean.class);
        long id = bean.newRecording();
        bean.setRecordingSettings(id, settings());
        bean.startRecording(id);
        return new Jfr(null, bean, id, file);
    }

    /** Stops, writes the file, and summarises what was recorded since the start. */
    Summary stop(int top) throws Exception {
        Files.createDirectories(file.getParent());
        if (local != null) {
            local.stop();
            local.dump(file);
            local.close();
        } else {
            remote.stopRecording(id);
            remote.copyTo(id, file.toString());
            remote.closeRecording(id);
        }
        return summarise(file, top, since);
    }

    /** What a recording says, each map by count, highest first. */
    record Summary(String file, long samples, Map<String, Long> threads, Map<String, Long> self,
                   Map<String, Long> stack, Map<String, Long> rill, Map<String, Long> allocation,
                   long allocationWeight) {

        void render(Report md, String what) {
            md.bullet("Flight Recorder, %s: %,d execution samples (file `%s`).", what, samples, file)
                    .bullet("Samples by thread: %s.", pct(threads, samples))
                    .bullet("Hottest methods, own samples: %s.", pct(self, samples))
                    .bullet("Hottest methods, anywhere on the stack: %s.", pct(stack, samples))
                    .bullet("Place in rill's code (innermost rill frame, library code it calls counted for it; \"in\" "
                            + "the outermost, the message handler): %s.", pct(rill, samples))
                    .bullet("Allocation by class (JFR's sampled weight): %s.", pct(allocation, allocationWeight)).end();
        }

        private static String pct(Map<String, Long> counts, long whole) {
            List<String> parts = new ArrayList<>();
            counts.forEach((k, v) -> parts.add(Report.f("`%s` %.1f%%", k, 100.0 * v / Math.max(1, whole))));
            return String.join(", ", parts);
        }
    }

    /** The events of {@code file} at or after {@code since} (null: all). */
    static Summary summarise(Path file, int top, Instant since) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> stack = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> rill = new HashMap<>();
        Map<String, Long> allocation = new HashMap<>();
        long samples = 0;
        long weight = 0;
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent event = in.readEvent();
                if (since != null && event.getStartTime().isBefore(since)) {
                    continue;
                }
                String type = event.getEventType().getName();
                if (type.equals("jdk.ExecutionSample")) {
                    samples++;
                    var thread = event.getThread("sampledThread");
                    threads.merge(thread == null ? "?" : Cpu.group(String.valueOf(thread.getJavaName())), 1L,
                            Long::sum);
                    if (event.getStackTrace() == null || event.getStackTrace().getFrames().isEmpty()) {
                        continue;
                    }
                    List<RecordedFrame> frames = event.getStackTrace().getFrames();
                    self.merge(name(frames.get(0)), 1L, Long::sum);
                    String innermost = null;
                    String outermost = null;
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame frame : frames) {
                        String m = name(frame);
                        if (seen.add(m)) {
                            stack.merge(m, 1L, Long::sum);
                        }
                        if (m.startsWith("io.rill.") && !m.startsWith("io.rill.loadtest.") && !m.contains("$$Lambda")) {
                            innermost = innermost == null ? m : innermost;
                            outermost = m;
                        }
                    }
                    rill.merge(innermost == null ? "(no rill frame: Kafka, Akka, JDK)" : innermost.equals(outermost)
                            ? innermost : innermost + " in " + outermost, 1L, Long::sum);
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    weight += event.getLong("weight");
                    var cls = event.getClass("objectClass");
                    allocation.merge(cls == null ? "?" : cls.getName(), event.getLong("weight"), Long::sum);
                }
            }
        }
        return new Summary(file.toString().replace(Path.of("").toAbsolutePath() + "/", ""), samples,
                top(threads, top), top(self, top), top(stack, top), top(rill, top), top(allocation, 10), weight);
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod() == null ? "?" : frame.getMethod().getType().getName() + "." + frame.getMethod()
                .getName();
    }

    private static Map<String, Long> top(Map<String, Long> counts, int n) {
        Map<String, Long> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    /** {@code Jfr FILE [TOP [SKIP_SECONDS]]}: the summary of a recording, leaving out its first seconds. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Instant since = null;
        if (args.length > 2) {
            try (RecordingFile in = new RecordingFile(file)) {
                Instant first = in.hasMoreEvents() ? in.readEvent().getStartTime() : Instant.now();
                while (in.hasMoreEvents()) {
                    Instant t = in.readEvent().getStartTime();
                    first = t.isBefore(first) ? t : first;
                }
                since = first.plusMillis((long) (Double.parseDouble(args[2]) * 1000));
            }
        }
        Report md = new Report();
        summarise(file, args.length > 1 ? Integer.parseInt(args[1]) : 25, since).render(md, "the whole recording");
        System.out.print(md.text());
    }
}
