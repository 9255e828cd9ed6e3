package io.rill.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the training curves: every interval, for every bean of the node's {@link Jmx} whose name has a
 * {@code model} key ({@code rill:type=SkipGram,model=corpus}, {@code rill:type=CharModel,model=names}, and whatever
 * kind of model comes later), one row of its numeric attributes ({@link MeterBridge#attributes}: the getters JMX and
 * {@code /metrics} read) to {@code <directory>/<Type>-<model>.csv} ({@link ProgressCsv}). Rows are appended, so the
 * curve of a model runs on across restarts of the node; a file whose header differs from the bean's attributes (a
 * newer rill) is moved aside as {@code <Type>-<model>.<yyyyMMdd-HHmmss>.csv} and a new one begun. One thread of its
 * own, since it touches the disk. A last row is written when it closes.
 */
public final class ProgressRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProgressRecorder.class);
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");
    private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** A curve file: the bean's type and model, and where it is. */
    public record Curve(String type, String model, Path file) {
    }

    private final Jmx jmx;
    private final Path directory;
    private final Map<Path, String> headers = new HashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rill-progress");
        thread.setDaemon(true);
        return thread;
    });
    private final java.util.Set<Path> failing = new java.util.HashSet<>();

    public ProgressRecorder(Jmx jmx, ProgressSettings settings) {
        this.jmx = jmx;
        this.directory = settings.directory();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the training-curve directory " + directory
                    + " (rill.progress.directory)", e);
        }
        long millis = settings.interval().toMillis();
        executor.scheduleWithFixedDelay(this::recordQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    public Path directory() {
        return directory;
    }

    /** The curve files in the directory now (also those of models that no longer run), sorted by name. */
    public List<Curve> curves() {
        List<Curve> curves = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.filter(f -> f.getFileName().toString().matches("[A-Za-z0-9_-]+-[A-Za-z0-9._-]+\\.csv")
                            && !f.getFileName().toString().matches(".*\\.\\d{8}-\\d{6}\\.csv"))
                    .sorted()
                    .forEach(f -> {
                        String name = f.getFileName().toString();
                        int dash = name.indexOf('-');
                        curves.add(new Curve(name.substring(0, dash), name.substring(dash + 1, name.length() - 4), f));
                    });
        } catch (IOException e) {
            log.warn("cannot list {}: {}", directory, e.toString());
        }
        return curves;
    }

    /** The file of {@code model}'s curve (of bean type {@code type}, or of any type when null), if there is one. */
    public Optional<Curve> curve(String type, String model) {
        return curves().stream().filter(c -> c.model().equals(model) && (type == null || c.type().equals(type)))
                .findFirst();
    }

    private void recordQuietly() {
        try {
            record(Instant.now());
        } catch (RuntimeException e) {
            log.warn("writing the training curves failed: {}", e.toString());
        }
    }

    /** Writes one row per model bean, stamped {@code time}. */
    public synchronized void record(Instant time) {
        for (Jmx.Registered bean : jmx.registered()) {
            Optional<String> model = bean.key("model");
            String type = bean.name().getKeyProperty("type");
            if (model.isEmpty() || type == null || !SAFE.matcher(model.get()).matches() || !SAFE.matcher(type).matches()) {
                continue;
            }
            List<MeterBridge.Attribute> attributes = MeterBridge.attributes(bean.view());
            if (attributes.isEmpty()) {
                continue;
            }
            Path file = directory.resolve(type + "-" + model.get() + ".csv");
            try {
                append(file, ProgressCsv.header(attributes), ProgressCsv.row(time, bean.bean(), attributes), time);
                failing.remove(file);
            } catch (IOException e) {
                if (failing.add(file)) { // once per failing file, not every interval
                    log.warn("cannot write the training curve {}: {}", file, e.toString());
                }
            }
        }
    }

    private void append(Path file, String header, String row, Instant time) throws IOException {
        if (!header.equals(headers.get(file))) {
            if (Files.exists(file)) {
                String existing;
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    existing = in.readLine();
                }
                if (!header.equals(existing)) {
                    String name = file.getFileName().toString();
                    Path aside = file.resolveSibling(name.substring(0, name.length() - 4) + "." + ASIDE.format(time) + ".csv");
                    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                    log.info("training curve {} had other columns; moved aside to {}", file, aside.getFileName());
                }
            }
            if (!Files.exists(file)) {
                Files.writeString(file, header + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            }
            headers.put(file, header);
        }
        Files.writeString(file, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recordQuietly();
    }
}
