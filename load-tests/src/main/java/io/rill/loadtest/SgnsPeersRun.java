package io.rill.loadtest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the shared reference script, {@code sgns-peers.sh} (word2vec.c and gensim with the comparison's
 * hyper-parameters), echoes its output, and reads its figures: each implementation's words/s and the evaluation
 * line of its vectors. While it runs, the peak resident memory (VmHWM) of every process under it is sampled and
 * attributed by command line: the word2vec binary, the gensim training (python reading the script from stdin),
 * and the evaluations.
 */
final class SgnsPeersRun {

    /** One implementation's figures: words/s as the script measures it, and its vectors' evaluation line. */
    record Peer(String name, double wordsPerSec, String speedLine, Evaluation evaluation, long peakRssBytes,
                double cpuSeconds) {
    }

    record Result(List<String> command, String workDir, List<Peer> peers, List<String> output, double seconds,
                  String loadAtStart, String loadAtEnd, long evalPeakRssBytes) {

        Optional<Peer> peer(String name) {
            return peers.stream().filter(p -> p.name().equals(name)).findFirst();
        }
    }

    static final String WORD2VEC = "word2vec.c";
    static final String GENSIM = "gensim";
    private static final Pattern SPEED = Pattern.compile("^(word2vec\\.c|gensim): ([0-9.]+) words/s");

    private SgnsPeersRun() {
    }

    static Result run(Path script, Path corpus, int threads, int epochs, Path workDir, int timeoutSeconds)
            throws Exception {
        List<String> command = List.of("bash", script.toString(), corpus.toString(), Integer.toString(threads),
                Integer.toString(epochs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("WORK", workDir.toString());
        System.out.printf("peers: WORK=%s %s%n", workDir, String.join(" ", command));
        String loadAtStart = ProcMemory.loadAverages();
        long started = System.nanoTime();
        Process process = builder.start();
        // If this harness is stopped, the script and what it started go with it.
        Thread reaper = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }, "stop-peers");
        Runtime.getRuntime().addShutdownHook(reaper);
        Map<String, Long> peaks = new ConcurrentHashMap<>();
        Map<Long, Double> cpuByPid = new ConcurrentHashMap<>();
        Map<Long, String> kindByPid = new ConcurrentHashMap<>();
        Thread sampler = new Thread(() -> sample(process, peaks, cpuByPid, kindByPid), "peers-sampler");
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
                System.out.println("peers: output ended: " + e);
            }
        }, "peers-output");
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("sgns-peers.sh did not finish within " + timeoutSeconds + " s");
        }
        Runtime.getRuntime().removeShutdownHook(reaper);
        reader.join(TimeUnit.SECONDS.toMillis(10));
        sampler.interrupt();
        double seconds = (System.nanoTime() - started) / 1e9;
        if (process.exitValue() != 0) {
            throw new IllegalStateException("sgns-peers.sh exited with " + process.exitValue());
        }
        List<String> lines;
        synchronized (output) {
            lines = List.copyOf(output);
        }
        // The script prints each implementation's speed line, then the evaluation of its vectors.
        Map<String, Peer> peers = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = SPEED.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            String name = m.group(1);
            Evaluation evaluation = null;
            for (int j = i + 1; j < lines.size() && evaluation == null; j++) {
                evaluation = Evaluation.parse(lines.get(j)).orElse(null);
            }
            if (evaluation == null) {
                throw new IllegalStateException("no evaluation line after: " + lines.get(i));
            }
            double cpu = kindByPid.entrySet().stream().filter(e -> e.getValue().equals(name))
                    .mapToDouble(e -> cpuByPid.getOrDefault(e.getKey(), 0.0)).sum();
            peers.put(name, new Peer(name, Double.parseDouble(m.group(2)), lines.get(i), evaluation,
                    peaks.getOrDefault(name, -1L), cpu > 0 ? cpu : -1));
        }
        if (!peers.containsKey(WORD2VEC) || !peers.containsKey(GENSIM)) {
            throw new IllegalStateException("sgns-peers.sh printed no figures for " + (peers.containsKey(WORD2VEC)
                    ? GENSIM : WORD2VEC));
        }
        return new Result(command, workDir.toString(), List.copyOf(peers.values()), lines, seconds, loadAtStart,
                ProcMemory.loadAverages(), peaks.getOrDefault("eval", -1L));
    }

    /**
     * Every 50 ms, the peak RSS of each process under the script, by what it is, and the CPU time of each (the
     * last sample before a process ends: up to 50 ms of its CPU time are missed).
     */
    private static void sample(Process process, Map<String, Long> peaks, Map<Long, Double> cpuByPid,
                               Map<Long, String> kindByPid) {
        while (process.isAlive()) {
            process.descendants().forEach(child -> {
                String cmd = ProcMemory.commandLine(child.pid());
                String what = classify(cmd);
                if (what != null) {
                    kindByPid.putIfAbsent(child.pid(), what);
                    ProcMemory.of(child.pid()).ifPresent(m -> peaks.merge(what, m.peakRssBytes(), Math::max));
                    double cpu = ProcMemory.cpuSeconds(child.pid());
                    if (cpu >= 0) {
                        cpuByPid.merge(child.pid(), cpu, Math::max);
                    }
                }
            });
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String classify(String cmd) {
        String[] args = cmd.split(" ");
        if (args.length == 0 || args[0].isEmpty()) {
            return null;
        }
        if (args[0].endsWith("/word2vec") || args[0].equals("word2vec")) {
            return WORD2VEC;
        }
        if (args[0].contains("python3")) {
            if (cmd.contains("eval-vectors.py")) {
                return "eval";
            }
            if (args.length > 1 && args[1].equals("-")) {
                return GENSIM; // the training, its program on stdin
            }
        }
        return null;
    }

    /** One line of eval-vectors.py: analogy accuracy, WordSim-353 Spearman, OOV share, vocabulary size. */
    record Evaluation(String line, int words, double analogy, double ws353Spearman, double ws353Oov) {

        private static final Pattern LINE = Pattern.compile(
                "words=(\\d+) dim=\\d+ analogy=([0-9.]+) ws353_spearman=(-?[0-9.]+) ws353_oov=([0-9.]+)%");

        static Optional<Evaluation> parse(String line) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                return Optional.empty();
            }
            return Optional.of(new Evaluation(line.trim(), Integer.parseInt(m.group(1)),
                    Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))));
        }
    }
}
