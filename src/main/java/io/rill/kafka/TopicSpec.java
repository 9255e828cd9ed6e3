package io.rill.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One topic as declared in a file of {@code topics/}: its name, partitions, replication factor and topic configs.
 * The files are HOCON; every value in {@code configs} is a Kafka topic config, passed to the broker as written.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    public TopicSpec {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("illegal Kafka topic name: '" + name + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(
                    "topic " + name + ": replication-factor must be at least 1, got " + replicationFactor);
        }
        configs = Map.copyOf(configs);
    }

    /** Parses one spec; {@code origin} names the file in error messages. */
    public static TopicSpec parse(Reader reader, String origin) {
        Config config = ConfigFactory.parseReader(reader,
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription(origin)).resolve();
        Map<String, String> configs = new TreeMap<>();
        if (config.hasPath("configs")) {
            // Quoted keys such as "retention.ms" stay single keys; entrySet() would split them at the dots.
            config.getObject("configs").forEach((key, value) -> configs.put(key, String.valueOf(value.unwrapped())));
        }
        try {
            return new TopicSpec(config.getString("name"), config.getInt("partitions"),
                    (short) config.getInt("replication-factor"), configs);
        } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
            throw new IllegalArgumentException("bad topic spec " + origin + ": " + e.getMessage(), e);
        }
    }

    /** The same topic with another replication factor, for clusters where the file's value does not fit. */
    public TopicSpec withReplicationFactor(short factor) {
        return new TopicSpec(name, partitions, factor, configs);
    }

    /**
     * Loads every {@code *.conf} spec of a directory, or, when {@code directory} is null, the specs bundled in
     * rill's jar (copied there from the repository's {@code topics/} folder by the build).
     */
    public static List<TopicSpec> loadAll(Path directory) {
        try {
            if (directory != null) {
                return loadDirectory(directory);
            }
            URL bundled = TopicSpec.class.getResource("/topics");
            if (bundled == null) {
                throw new IllegalStateException("no topics/ specs on the classpath");
            }
            URI uri = bundled.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return loadDirectory(Path.of(uri));
            }
            FileSystem jar;
            try {
                jar = FileSystems.getFileSystem(uri);
            } catch (FileSystemNotFoundException e) {
                jar = FileSystems.newFileSystem(uri, Map.of());
            }
            return loadDirectory(jar.getPath("/topics"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read topic specs", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<TopicSpec> loadDirectory(Path directory) throws IOException {
        List<TopicSpec> specs = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".conf")).sorted(Comparator.comparing(Path::toString)).toList()) {
                try (InputStream in = Files.newInputStream(file);
                     Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                    specs.add(parse(reader, file.getFileName().toString()));
                }
            }
        }
        return specs;
    }
}
