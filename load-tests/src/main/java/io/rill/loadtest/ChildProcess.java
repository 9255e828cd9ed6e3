package io.rill.loadtest;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A child process of the fault harness (a broker JVM or a rill node): its stdout and stderr go, merged, line by line
 * into a log file of its own, and lines that start with a watched prefix are also handed to whoever waits for them.
 * Its stdin stays a pipe from this JVM, so a child that reads it ({@link BrokerMain}) notices when the harness is
 * gone. Every child is registered until it has ended; a shutdown hook kills those still alive (with their own
 * children), so a harness stopped by Ctrl-C or SIGTERM leaves nothing behind.
 */
final class ChildProcess {

    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::killAll, "kill-fault-children"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final String watchedPrefix;
    private final BlockingQueue<String> watched = new LinkedBlockingQueue<>();
    private final Thread pump;

    private ChildProcess(String name, Process process, Path log, String watchedPrefix) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.watchedPrefix = watchedPrefix;
        this.pump = new Thread(this::pump, "output-of-" + name);
        this.pump.setDaemon(true);
    }

    /**
     * Starts {@code command} with {@code env} added to this JVM's environment, appending its output to {@code log}.
     * Lines starting with {@code watchedPrefix} (may be null) can be waited for with {@link #awaitLine}.
     */
    static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log,
                              String watchedPrefix) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        ChildProcess child = new ChildProcess(name, builder.start(), log, watchedPrefix);
        LIVE.add(child);
        child.pump.start();
        return child;
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                if (watchedPrefix != null && line.startsWith(watchedPrefix)) {
                    watched.add(line.substring(watchedPrefix.length()));
                }
            }
        } catch (IOException e) {
            // the process is gone, or the log cannot be written: nothing more to pump
        }
    }

    /** The rest of the next watched line, waiting at most {@code timeout}; fails if the process ends first. */
    String awaitLine(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = watched.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                return line;
            }
            if (!process.isAlive() && watched.isEmpty()) {
                pump.join(2000);
                line = watched.poll();
                if (line != null) {
                    return line;
                }
                throw new IllegalStateException(name + " ended (exit " + process.exitValue() + ") before it printed \""
                        + watchedPrefix + "...\"; see " + log);
            }
        }
        throw new IllegalStateException(name + " printed no \"" + watchedPrefix + "...\" line within "
                + timeout.toSeconds() + " s; see " + log);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The exit code, or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    Path log() {
        return log;
    }

    /** SIGKILL, and wait (at most 30 s) until it is gone. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") still alive 30 s after SIGKILL");
        }
        ended();
    }

    /** SIGTERM without waiting: to stop several children at once, then {@link #terminate} each. */
    void requestStop() {
        process.destroy();
    }

    /**
     * SIGTERM, and wait up to {@code grace} for the process to end; if it has not, SIGKILL. Returns whether it ended
     * by itself within the grace period.
     */
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

    /** Lines of the log file that match {@code pattern} (found anywhere in the line). */
    List<String> grep(Pattern pattern) {
        if (!Files.exists(log)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            List<String> found = new ArrayList<>();
            lines.filter(l -> pattern.matcher(l).find()).forEach(found::add);
            return found;
        } catch (IOException | UncheckedIOException e) {
            return List.of("(cannot read " + log + ": " + e + ")");
        }
    }

    private static void killAll() {
        for (ChildProcess child : LIVE) {
            child.process.descendants().forEach(ProcessHandle::destroyForcibly);
            child.process.destroyForcibly();
        }
    }
}
