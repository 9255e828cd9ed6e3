package io.rill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.skipgram.query.EmbeddingSnapshot;
import io.rill.skipgram.query.Word2VecFormat;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rill export-vectors} brings a running node's vectors to the directory the command runs in, which is not the
 * node's: downloaded over HTTP by a client in a JVM and a directory of its own (as from a container's host, or
 * another machine), written by the node itself when the client proves it shares the node's disk and JMX is on, and
 * downloaded again when that proof fails (a node whose disk the client does not see).
 */
@ExtendWith(KafkaBrokerExtension.class)
class ExportVectorsIT {

    @Test
    void vectorsReachTheClientsDirectoryWhereverTheNodeWritesItsOwn(TestKafka kafka, @TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "rill.jar");
        assertThat(jar).as("the shaded jar, built in the package phase").exists();
        TestNodes.Topics topics = TestNodes.topics("export");
        TestNodes.createTopics(kafka, topics);
        int jmxPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            jmxPort = socket.getLocalPort();
        }
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of("rill.skipgram.min-count", 1,
                "rill.skipgram.dimension", 12, "rill.jmx.remote.enabled", true, "rill.jmx.remote.port", jmxPort));
        try (RillNode node = RillNode.start(settings)) {
            try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topics.corpus(), ("call me ishmael some years ago never mind "
                            + "how long precisely " + i % 5).getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            ObjectName skipGram = new ObjectName("rill:type=SkipGram,model=corpus");
            await().atMost(Duration.ofSeconds(120)).until(() -> ((Number) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(skipGram, "TrainableWords")).intValue() >= 15);
            String http = node.httpAddress().orElseThrow();

            // 1. A client in its own JVM and its own directory, a relative FILE: downloaded over HTTP, to its directory.
            Path client = Files.createDirectories(dir.resolve("client"));
            Path config = TestNodes.writeConfig(dir.resolve("client.conf"), kafka, topics, """
                    rill.node.data-dir = "%s"
                    """.formatted(dir.resolve("client-data"))); // the client's config: not the node's data directory
            Process export = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "export-vectors", "vectors.bin", "--binary",
                    "-c", config.toString(), "--http", http)
                    .directory(client.toFile()).redirectErrorStream(true).start();
            String output = new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(export.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(export.exitValue()).as(output).isZero();
            assertThat(output).contains("downloaded ").contains(" vectors of dimension 12 (binary, model corpus")
                    .contains(" to vectors.bin, "); // the path as the user gave it, relative to where they ran it
            EmbeddingSnapshot downloaded = Word2VecFormat.readBinary(client.resolve("vectors.bin"));
            assertThat(downloaded.dim()).isEqualTo(12);
            assertThat(downloaded.size()).isGreaterThanOrEqualTo(15);
            assertThat(downloaded.contains("ishmael")).isTrue();
            try (var files = Files.list(client)) {
                assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("vectors.bin");
            }
            assertThat(client.startsWith(settings.dataDir().toAbsolutePath())).isFalse();

            // 2. The client shares the node's disk and JMX is on: the node writes the file itself.
            Path text = dir.resolve("elsewhere").resolve("vectors.txt");
            Files.createDirectories(text.getParent());
            String jmx = "127.0.0.1:" + jmxPort;
            Run local = run("export-vectors", text.toString(), "--http", http, "--jmx", jmx);
            assertThat(local.exit()).as(local.output()).isZero();
            assertThat(local.output()).contains("the node wrote it: it shares this disk").contains("(text,");
            assertThat(Word2VecFormat.readText(text).size()).isGreaterThanOrEqualTo(15);

            // ... unless told to download.
            Run forced = run("export-vectors", text.toString(), "--http", http, "--jmx", jmx, "--download");
            assertThat(forced.output()).as(forced.output()).contains("downloaded ");

            // 3. A node whose disk the client does not see (its instance id is not where the node says): downloaded.
            Path id = settings.dataDir().resolve("instance-id");
            String written = Files.readString(id);
            Files.writeString(id, "another node's disk\n");
            try {
                Run remote = run("export-vectors", dir.resolve("remote.bin").toString(), "--binary", "--http", http,
                        "--jmx", jmx);
                assertThat(remote.exit()).as(remote.output()).isZero();
                assertThat(remote.output()).contains("downloaded ");
                assertThat(Word2VecFormat.readBinary(dir.resolve("remote.bin")).size()).isEqualTo(downloaded.size());

                // without the HTTP endpoint, such a node cannot bring the file here, and says why
                Run noHttp = run("export-vectors", dir.resolve("nothing.bin").toString(), "--http", "127.0.0.1:1",
                        "--jmx", jmx);
                assertThat(noHttp.exit()).isEqualTo(1);
                assertThat(noHttp.output()).contains("does not share this machine's disk");
                assertThat(dir.resolve("nothing.bin")).doesNotExist();
            } finally {
                Files.writeString(id, written);
            }

            // plot-embeddings takes the same way
            Path svg = dir.resolve("plot.svg");
            Run plot = run("plot-embeddings", "--words", "ishmael,years,mind,long", "-o", svg.toString(), "--http", http,
                    "--jmx", "127.0.0.1:1");
            assertThat(plot.exit()).as(plot.output()).isZero();
            assertThat(Files.readString(svg)).contains("<svg").contains("ishmael");
        }
    }

    private record Run(int exit, String output) {
    }

    /** The command in this JVM, its output captured. */
    private static Run run(String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            int exit = new CommandLine(new RillCli()).execute(args);
            return new Run(exit, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
