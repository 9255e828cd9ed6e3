package io.rill.loadtest;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Flight Recorder recording of one phase of the benchmark (JFR's "profile" settings, with Java stacks sampled every
 * 5 ms instead of 10, and allocation samples), written to a file for JDK Mission Control or {@code jfr print}, and summarised
 * here: the hottest methods by own samples, the hottest by samples anywhere on the stack, CPU samples by thread
 * group, and the classes allocated most.
 */
final class JfrProfile implements AutoCloseable {

    private final Recording recording;
    private final Path file;

    private JfrProfile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    static JfrProfile start(Path file) throws IOException, ParseException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        Map<String, String> settings = new HashMap<>(Configuration.getConfiguration("profile").getSettings());
        // Twice as many stack samples as the "profile" preset takes (every 10 ms): a rill phase lasts seconds.
        settings.put("jdk.ExecutionSample#period", "5 ms");
        Recording recording = new Recording(settings);
        recording.setToDisk(true);
        recording.setName("rill-ingest-bench");
        recording.start();
        return new JfrProfile(recording, file);
    }

    /** Stops the recording, writes it to the file, and summarises the events from {@code since} on. */
    Summary stopAndSummarise(int top, Instant since) throws IOException {
        recording.stop();
        recording.dump(file);
        recording.close();
        return summarise(file, top, since);
    }

    @Override
    public void close() {
        recording.close();
    }

    /** What the recording says, each map sorted by count, highest first. */
    record Summary(Path file, long samples, Map<String, Long> selfTop, Map<String, Long> stackTop,
                   Map<String, Long> threadGroups, Map<String, Long> allocationTop, long allocationWeight,
                   Map<String, Long> rillTop) {
    }

    /** Summarises the samples of a recording taken at or after {@code since} (null: all of them). */
    static Summary summarise(Path file, int top, Instant since) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> anywhere = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> allocations = new HashMap<>();
        Map<String, Long> rill = new HashMap<>();
        long samples = 0;
        long allocationWeight = 0;
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent event = in.readEvent();
                if (since != null && event.getStartTime().isBefore(since)) {
                    continue;
                }
                String type = event.getEventType().getName();
                if (type.equals("jdk.ExecutionSample")) {
                    samples++;
                    RecordedThread thread = event.getThread("sampledThread");
                    threads.merge(thread == null ? "?" : CpuSnapshot.group(String.valueOf(thread.getJavaName())),
                            1L, Long::sum);
                    RecordedStackTrace stack = event.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) {
                        continue;
                    }
                    List<RecordedFrame> frames = stack.getFrames();
                    self.merge(name(frames.get(0)), 1L, Long::sum);
                    rill.merge(rillPlace(frames), 1L, Long::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame frame : frames) {
                        String method = name(frame);
                        if (seen.add(method)) {
                            anywhere.merge(method, 1L, Long::sum);
                        }
                    }
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    long weight = event.getLong("weight");
                    allocationWeight += weight;
                    var objectClass = event.getClass("objectClass");
                    allocations.merge(objectClass == null ? "?" : objectClass.getName(), weight, Long::sum);
                }
            }
        }
        return new Summary(file, samples, top(self, top), top(anywhere, top), top(threads, top),
                top(allocations, top), allocationWeight, top(rill, top));
    }

    /**
     * Summarises an existing recording: {@code JfrProfile FILE [TOP [SKIP_SECONDS]]}, leaving out the first
     * SKIP_SECONDS of it (e.g. a node's start-up).
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JfrProfile RECORDING.jfr [TOP [SKIP_SECONDS]]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Instant since = null;
        if (args.length > 2) {
            Instant first = null;
            try (RecordingFile in = new RecordingFile(file)) {
                while (in.hasMoreEvents()) {
                    Instant t = in.readEvent().getStartTime();
                    if (first == null || t.isBefore(first)) {
                        first = t;
                    }
                }
            }
            since = first == null ? null : first.plusMillis((long) (Double.parseDouble(args[2]) * 1000));
        }
        Summary s = summarise(file, args.length > 1 ? Integer.parseInt(args[1]) : 25, since);
        System.out.printf("%,d execution samples%n", s.samples());
        print("samples by thread", s.threadGroups(), s.samples());
        print("hottest methods, own samples", s.selfTop(), s.samples());
        print("hottest methods, anywhere on the stack", s.stackTop(), s.samples());
        print("place in rill's code (innermost rill frame, in the outermost)", s.rillTop(), s.samples());
        print("allocation (sampled weight) by class", s.allocationTop(), s.allocationWeight());
    }

    private static void print(String title, Map<String, Long> counts, long whole) {
        System.out.println(title + ":");
        counts.forEach((k, v) -> System.out.printf("  %5.1f%%  %s%n", 100.0 * v / Math.max(1, whole), k));
    }

    /**
     * Where a sample is in rill's own code: the innermost io.rill frame (library code it calls, such as a JDK copy
     * or Akka's tell, counts for it) and, after "in", the outermost one (the message handler it runs under; lambdas
     * and the benchmark's own frames are skipped).
     */
    private static String rillPlace(List<RecordedFrame> frames) {
        String innermost = null;
        String outermost = null;
        for (RecordedFrame frame : frames) {
            String method = name(frame);
            if (method.startsWith("io.rill.") && !method.startsWith("io.rill.loadtest.") && !method.contains("$$Lambda")) {
                if (innermost == null) {
                    innermost = method;
                }
                outermost = method;
            }
        }
        if (innermost == null) {
            return "(no rill frame: Kafka, Akka, JDK)";
        }
        return innermost.equals(outermost) ? innermost : innermost + " in " + outermost;
    }

    private static String name(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        if (method == null) {
            return "?";
        }
        return method.getType().getName() + "." + method.getName();
    }

    private static Map<String, Long> top(Map<String, Long> counts, int n) {
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        Map<String, Long> top = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(n, sorted.size()); i++) {
            top.put(sorted.get(i).getKey(), sorted.get(i).getValue());
        }
        return top;
    }
}
