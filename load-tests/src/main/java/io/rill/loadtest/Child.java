package io.rill.loadtest;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A child process of the harness: a broker JVM ({@link BrokerMain}), a rill node ({@code java -jar rill.jar run}) or a
 * peer script. Its output goes line by line into a log file (and to the terminal, for peers), lines starting with a
 * watched prefix can be waited for, and a shutdown hook kills every child still alive, with its own children, when
 * the harness ends (Ctrl-C and SIGTERM included). Its stdin stays a pipe from the harness: a broker notices its end.
 */
final class Child {

    private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(c -> {
            c.process.descendants().forEach(ProcessHandle::destroyForcibly);
            c.process.destroyForcibly();
        }), "kill-children"));
    }

    final String name;
    final Process process;
    final Path log;
    private final String watched;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> output = new ArrayList<>();
    private final Thread pump;

    /** Starts {@code command} with {@code env} added; lines starting with {@code watched} (or null) can be awaited. */
    Child(String name, List<String> command, Map<String, String> env, Path log, String watched, boolean echo)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        this.name = name;
        this.log = log;
        this.watched = watched;
        this.process = builder.start();
        LIVE.add(this);
        this.pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()));
                 BufferedWriter out = Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                for (String line; (line = in.readLine()) != null; out.flush()) {
                    out.write(line + System.lineSeparator());
                    if (echo) {
                        System.out.println("  | " + line);
                        synchronized (output) {
                            output.add(line);
                        }
                    }
                    if (watched != null && line.startsWith(watched)) {
                        lines.add(line.substring(watched.length()));
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "output-of-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /** The rest of the next watched line, waiting at most {@code timeout}; fails if the process ends first. */
    String awaitLine(Duration timeout) throws InterruptedException {
        for (long deadline = System.nanoTime() + timeout.toNanos(); System.nanoTime() < deadline; ) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                return line;
            }
            if (!process.isAlive()) {
                pump.join(2000);
                if ((line = lines.poll()) != null) {
                    return line;
                }
                throw new IllegalStateException(name + " ended (exit " + process.exitValue() + ") before it printed \""
                        + watched + "...\"; see " + log);
            }
        }
        throw new IllegalStateException(name + " printed no \"" + watched + "...\" within " + timeout.toSeconds()
                + " s; see " + log);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL (with its children) and wait until it is gone. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") still alive 30 s after SIGKILL");
        }
        ended();
    }

    /** SIGTERM, up to {@code grace} to end, then SIGKILL; whether it ended by itself. */
    boolean terminate(Duration grace) throws InterruptedException {
        process.destroy();
        boolean ended = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            kill();
        }
        ended();
        return ended;
    }

    private void ended() throws InterruptedException {
        pump.join(5000);
        LIVE.remove(this);
    }

    /** Lines of the log that match {@code pattern}. */
    List<String> grep(Pattern pattern) {
        try (var stream = Files.lines(log)) {
            return stream.filter(l -> pattern.matcher(l).find()).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    static List<String> words(String flags) {
        return flags.isBlank() ? List.of() : Arrays.asList(flags.trim().split("\\s+"));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A broker child and the address it reported. */
    record Broker(Child process, BrokerMain.Serving serving) {

        String bootstrap() {
            return serving.bootstrap();
        }

        void stop() throws InterruptedException {
            process.terminate(Duration.ofSeconds(30));
        }
    }

    /** Starts {@link BrokerMain} on {@code dir} and {@code port} (0: any) and waits until it serves. */
    static Broker broker(String jvmOpts, Path dir, int port, Path log, Duration timeout) throws Exception {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(words(jvmOpts));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(),
                dir.toString(), Integer.toString(port)));
        Child child = new Child("broker", command, Map.of(), log, BrokerMain.SERVING, false);
        try {
            return new Broker(child, Bench.JSON.readValue(child.awaitLine(timeout), BrokerMain.Serving.class));
        } catch (Exception e) {
            child.kill();
            throw e;
        }
    }

    /**
     * What a sampled run did: its output, its time, and per kind of process under it ({@code classify} names the
     * kind from a command line, or null to skip it) the peak resident size (VmHWM) and the CPU seconds, read from
     * /proc every 50 ms (up to 50 ms of a process's CPU before it ends are missed).
     */
    record Sampled(List<String> command, List<String> output, double seconds, Map<String, Long> peakRss,
                   Map<String, Double> cpu, String loadAtStart, String loadAtEnd) {
    }

    /** Runs a script to its end, echoing its output; fails on a timeout or a non-zero exit. */
    static Sampled sample(String name, List<String> command, Map<String, String> env, Path log, int timeoutSeconds,
                          Function<String, String> classify) throws Exception {
        System.out.printf("%s: %s%n", name, String.join(" ", command));
        String loadAtStart = Machine.loadAverages();
        long started = System.nanoTime();
        Child child = new Child(name, command, env, log, null, true);
        Map<String, Long> peaks = new ConcurrentHashMap<>();
        Map<Long, Double> cpuByPid = new ConcurrentHashMap<>();
        Map<Long, String> kindByPid = new ConcurrentHashMap<>();
        while (!child.process.waitFor(50, TimeUnit.MILLISECONDS)) {
            List<ProcessHandle> all = new ArrayList<>(child.process.descendants().toList());
            all.add(child.process.toHandle());
            for (ProcessHandle p : all) {
                String kind = kindByPid.computeIfAbsent(p.pid(), pid -> String.valueOf(classify.apply(
                        Machine.commandLine(pid))));
                if (!kind.equals("null")) {
                    Machine.memory(p.pid()).ifPresent(m -> peaks.merge(kind, m.peak(), Math::max));
                    cpuByPid.merge(p.pid(), Math.max(0, Machine.cpuSeconds(p.pid())), Math::max);
                }
            }
            if (Bench.since(started) > timeoutSeconds) {
                child.kill();
                throw new IllegalStateException(name + " did not finish within " + timeoutSeconds + " s");
            }
        }
        child.ended();
        if (child.process.exitValue() != 0) {
            throw new IllegalStateException(name + " exited with " + child.process.exitValue() + "; see " + log);
        }
        Map<String, Double> cpu = new ConcurrentHashMap<>();
        cpuByPid.forEach((pid, s) -> cpu.merge(kindByPid.get(pid), s, Double::sum));
        synchronized (child.output) {
            return new Sampled(command, List.copyOf(child.output), Bench.since(started), Map.copyOf(peaks),
                    Map.copyOf(cpu), loadAtStart, Machine.loadAverages());
        }
    }
}
