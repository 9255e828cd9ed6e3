package io.rill.loadtest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The harness every benchmark runs in. A benchmark says what it measures ({@link #measure}, into a result record of
 * its own) and how its report shows it ({@link #render}); the harness does the rest: the options they share, a fresh
 * work directory, the header of the report (the machine, the command, the label, the rill commit), and the report
 * itself, printed and appended to {@code <results>/<bench>-<date>.md}. The result goes through JSON (Jackson) into
 * {@code <work>/result.json} and is read back before it is rendered, so a report is a function of that file alone:
 * {@code --render FILE} renders a kept one again without measuring.
 */
abstract class Bench<R> implements Callable<Integer> {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The facts of one invocation that head its report. */
    record Header(String bench, String startedAt, String label, String command, String rill, Machine machine,
                  String loadAtStart, String loadAtEnd) {
    }

    /** What {@code result.json} holds. */
    record Run<R>(Header header, R result) {
    }

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "load-tests/results",
            description = "Where the report (<benchmark>-<date>.md) is appended to.")
    Path results;

    @Option(names = "--no-report", description = "Print the report only; append nothing (and write no charts).")
    boolean noReport;

    @Option(names = "--label", description = "A few words naming this run in the report.") String label;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Parent of the temporary directory.")
    Path workParent;

    @Option(names = "--keep-work", description = "Keep the temporary directory (logs, configs, data, result.json).")
    boolean keepWork;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A HOCON line laid over every rill node's configuration, last. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--rill-jar", description = "The fat jar nodes run as `java -jar` (the scripts pass it).")
    Path rillJar;

    @Option(names = "--command", hidden = true, description = "How the run was started, for the report.")
    String command;

    @Option(names = "--rill-version", hidden = true, description = "The commit rill was built from, for the report.")
    String rillVersion;

    @Option(names = "--render", hidden = true, paramLabel = "RESULT_JSON",
            description = "Render the report of a kept result.json again instead of measuring.")
    Path render;

    /** The work directory of this invocation. */
    Path work;

    private final String name;
    private final Class<R> type;
    private final String title;
    private final String preamble;

    Bench(String name, Class<R> type, String title, String preamble) {
        this.name = name;
        this.type = type;
        this.title = title;
        this.preamble = preamble;
    }

    /** Runs a benchmark's command line and exits with its code. */
    static void main(Bench<?> bench, String[] args) {
        // The harness's own Kafka clients would complain every second while a broker is down; nodes log to files.
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.getLogger("org.apache.kafka").setLevel(ch.qos.logback.classic.Level.ERROR);
            logback.getLogger("io.rill.kafka").setLevel(ch.qos.logback.classic.Level.WARN);
        }
        System.exit(new CommandLine(bench).execute(args));
    }

    /** Checks the options; throw a {@link CommandLine.ParameterException} through {@link #bad}. */
    void validate() throws Exception {
    }

    abstract R measure() throws Exception;

    abstract void render(Report md, R result);

    /** The exit code for a result: 0 unless a benchmark's checks failed. */
    int exitCode(R result) {
        return 0;
    }

    RuntimeException bad(String message) {
        return new CommandLine.ParameterException(new CommandLine(this), message);
    }

    void requireJar() {
        if (rillJar == null || !Files.isRegularFile(rillJar)) {
            throw bad("--rill-jar: no rill fat jar at " + rillJar);
        }
    }

    @Override
    public Integer call() throws Exception {
        Run<R> run;
        JavaType runType = JSON.getTypeFactory().constructParametricType(Run.class, type);
        if (render != null) {
            run = JSON.readValue(render.toFile(), runType);
        } else {
            validate();
            ConfigFactory.parseString(String.join("\n", overrides)); // fails early on a line that is not HOCON
            ZonedDateTime started = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
            Machine machine = Machine.collect();
            String loadAtStart = Machine.loadAverages();
            System.out.printf("machine: %d cores (%s), %.1f GiB; load average %s; rill %s%n", machine.cores(),
                    machine.cpu(), machine.memoryGiB(), loadAtStart, rillVersion);
            Path parent = workParent != null ? workParent : Path.of(System.getProperty("java.io.tmpdir"));
            work = Files.createTempDirectory(Files.createDirectories(parent), "rill-" + name + "-").toAbsolutePath();
            try {
                R result = measure();
                Header header = new Header(name, started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")),
                        label, command != null ? command : name + " (arguments not known)",
                        rillVersion != null ? rillVersion : "unknown", machine, loadAtStart, Machine.loadAverages());
                Path json = work.resolve("result.json");
                JSON.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), new Run<>(header, result));
                run = JSON.readValue(json.toFile(), runType);
            } finally {
                if (keepWork) {
                    System.out.println("work directory kept: " + work);
                } else {
                    deleteTree(work);
                }
            }
        }
        Report md = header(run.header());
        render(md, run.result());
        String text = work == null ? md.text() : md.text().replace(work.toString(), "<work>");
        System.out.println();
        System.out.println(text);
        if (!noReport) {
            Path file = results.resolve(name + "-" + LocalDate.now() + ".md");
            Report.append(file, title + ", " + LocalDate.now(), preamble, text);
            System.out.println("report appended to " + file);
        }
        return exitCode(run.result());
    }

    private static Report header(Header h) {
        Machine m = h.machine();
        return new Report().h2(h.startedAt() + (h.label() == null || h.label().isBlank() ? "" : " — " + h.label()))
                .bullet("Machine: %d cores (%s), %.1f GiB, %s; load average (1/5/15 min) %s at the start, %s at the "
                        + "end.", m.cores(), m.cpu(), m.memoryGiB(), m.os(), h.loadAtStart(), h.loadAtEnd())
                .bullet("JVM: %s; this harness: `%s`, max heap %.1f GiB, %s.", m.jvm(), String.join(" ", m.jvmFlags()),
                        m.maxHeapGiB(), m.collectors())
                .bullet("Command (from the repository root): `%s`", h.command())
                .bullet("rill: %s (a copy of the jars taken right after the build).", h.rill()).end();
    }

    /** A node's configuration as `rill run -c FILE` resolves it: {@code lines} over application.conf. */
    static Config nodeConfig(List<String> lines) {
        return ConfigFactory.parseString(String.join("\n", lines)).withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference()).resolve();
    }

    /** The settings in effect: every key under {@code sections} (dispatchers aside), then {@code keys}. */
    static Map<String, String> effective(Config config, List<String> sections, List<String> keys) {
        Map<String, String> shown = new TreeMap<>();
        for (String section : sections) {
            config.getConfig(section).entrySet().stream().filter(e -> !e.getKey().contains("dispatcher"))
                    .forEach(e -> shown.put(section + "." + e.getKey(), String.valueOf(e.getValue().unwrapped())));
        }
        keys.forEach(k -> shown.put(k, String.valueOf(config.getValue(k).unwrapped())));
        return shown;
    }

    /** A condition {@link #await} polls. */
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} every {@code pollMillis} until it holds; fails after {@code seconds}. */
    static void await(String what, double seconds, long pollMillis, Condition condition) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + Report.d(seconds, 0) + " s waiting until " + what);
            }
            Thread.sleep(pollMillis);
        }
    }

    static double since(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    static void deleteTree(Path root) throws java.io.IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
