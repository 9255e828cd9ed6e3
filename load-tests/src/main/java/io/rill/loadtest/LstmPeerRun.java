package io.rill.loadtest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the shared PyTorch reference, {@code lstm-peer.py}, with the comparison's hyper-parameters and one thread
 * count, echoes its output and reads its figures: every "pass N: X chars/s, test NLL Y nats/char" line (every fifth
 * pass and the last). X is the script's own figure, characters trained so far over the time since its training
 * started, so the last line's X is the whole run's rate. While it runs, its peak resident memory (VmHWM) and CPU time
 * are read from /proc every 50 ms.
 */
final class LstmPeerRun {

    /** One progress line of the script. */
    record Pass(int pass, double charsPerSec, double testNll) {
    }

    record Result(int threads, List<String> command, List<Pass> passes, List<String> output, double seconds,
                  long peakRssBytes, double cpuSeconds, String loadAtStart, String loadAtEnd) {

        Pass last() {
            return passes.get(passes.size() - 1);
        }

        Optional<Pass> pass(int n) {
            return passes.stream().filter(p -> p.pass() == n).findFirst();
        }
    }

    /** The hyper-parameters, as the script's options. */
    record Settings(int hidden, int embedding, int batch, int bptt, int passes, double learningRate) {
    }

    private static final Pattern PASS = Pattern.compile(
            "^pass (\\d+): ([0-9.]+) chars/s, test NLL ([0-9.]+|nan|inf) nats/char");

    private LstmPeerRun() {
    }

    static Result run(String python, Path script, Settings s, int threads, int timeoutSeconds) throws Exception {
        List<String> command = List.of(python, script.toString(), "--hidden", Integer.toString(s.hidden()),
                "--emb", Integer.toString(s.embedding()), "--batch", Integer.toString(s.batch()),
                "--bptt", Integer.toString(s.bptt()), "--passes", Integer.toString(s.passes()),
                "--lr", Double.toString(s.learningRate()), "--threads", Integer.toString(threads));
        System.out.printf("%npeer, %d thread(s): %s%n", threads, String.join(" ", command));
        String loadAtStart = ProcMemory.loadAverages();
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // If this harness is stopped, the script goes with it.
        Thread reaper = new Thread(process::destroy, "stop-lstm-peer");
        Runtime.getRuntime().addShutdownHook(reaper);
        AtomicLong peak = new AtomicLong(-1);
        AtomicReference<Double> cpu = new AtomicReference<>(-1.0);
        Thread sampler = new Thread(() -> {
            while (process.isAlive()) {
                ProcMemory.of(process.pid()).ifPresent(m -> peak.accumulateAndGet(m.peakRssBytes(), Math::max));
                double seconds = ProcMemory.cpuSeconds(process.pid());
                if (seconds >= 0) {
                    cpu.accumulateAndGet(seconds, Math::max);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "lstm-peer-sampler");
        sampler.setDaemon(true);
        sampler.start();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("  | " + line);
                    synchronized (output) {
                        output.add(line);
                    }
                }
            } catch (java.io.IOException e) {
                System.out.println("peer: output ended: " + e);
            }
        }, "lstm-peer-output");
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("lstm-peer.py did not finish within " + timeoutSeconds + " s");
        }
        Runtime.getRuntime().removeShutdownHook(reaper);
        reader.join(TimeUnit.SECONDS.toMillis(10));
        sampler.interrupt();
        double seconds = (System.nanoTime() - started) / 1e9;
        List<String> lines;
        synchronized (output) {
            lines = List.copyOf(output);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("lstm-peer.py exited with " + process.exitValue() + "; last lines: "
                    + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
        List<Pass> passes = new ArrayList<>();
        for (String line : lines) {
            Matcher m = PASS.matcher(line.trim());
            if (m.find()) {
                passes.add(new Pass(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)),
                        parseNumber(m.group(3))));
            }
        }
        if (passes.isEmpty() || passes.get(passes.size() - 1).pass() != s.passes()) {
            throw new IllegalStateException("lstm-peer.py printed no line for pass " + s.passes() + ": " + lines);
        }
        return new Result(threads, command, List.copyOf(passes), lines, seconds, peak.get(), cpu.get(), loadAtStart,
                ProcMemory.loadAverages());
    }

    private static double parseNumber(String text) {
        return switch (text) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
