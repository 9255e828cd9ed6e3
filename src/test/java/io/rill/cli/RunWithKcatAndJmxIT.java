package io.rill.cli;

import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees: a real `rill run` (the shaded jar, in a child JVM) joins the test cluster, text produced
 * with kcat shows up in its JMX counters, read over a remote JMX connection bound to loopback.
 */
@ExtendWith(KafkaBrokerExtension.class)
class RunWithKcatAndJmxIT {

    @Test
    void textProducedWithKcatShowsUpInTheJmxCountersOfARunningNode(TestKafka kafka, @TempDir Path dir) throws Exception {
        assertThat(kcat()).as("kcat must be installed (.ci/run installs it)").isNotNull();
        Path jar = Path.of("target", "rill.jar");
        assertThat(jar).as("the shaded jar, built in the package phase").exists();
        TestNodes.Topics topics = TestNodes.topics("kcat");
        TestNodes.createTopics(kafka, topics);
        int jmxPort = freePort();
        Path config = TestNodes.writeConfig(dir.resolve("node.conf"), kafka, topics, """
                rill.node.data-dir = "%s"
                rill.jmx.remote { enabled = true, host = "127.0.0.1", port = %d }
                """.formatted(dir.resolve("data"), jmxPort));
        Process node = new ProcessBuilder(javaBinary(), "-Xmx512m", "-jar", jar.toString(), "run", "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("node.log").toFile())
                .start();
        try {
            kcatProduce(kafka, topics.names(), "Ishmael\nQueequeg\nStarbuck\nStubb\nFlask\n");
            kcatProduce(kafka, topics.corpus(), "call me ishmael\nthe white whale\nbad \u0001 line\n");

            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            try (JMXConnector connector = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> JMXConnectorFactory.connect(url), c -> c != null)) {
                MBeanServerConnection jmx = connector.getMBeanServerConnection();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(sum(jmx, topics.names(), "RecordsIn")).isEqualTo(5);
                    assertThat(sum(jmx, topics.names(), "TokensIn")).isEqualTo(7 + 8 + 8 + 5 + 5);
                    assertThat(sum(jmx, topics.corpus(), "RecordsIn")).isEqualTo(2);
                    assertThat(sum(jmx, topics.corpus(), "TokensIn")).isEqualTo(6);
                    assertThat(sum(jmx, topics.corpus(), "DeadLettered")).isEqualTo(1);
                    assertThat(jmx.getAttribute(new ObjectName("rill:type=DeadLetters"), "ControlCharacter")).isEqualTo(1L);
                    assertThat(sum(jmx, topics.names(), "ConsumerLag")).isZero();
                });
                ObjectName nodeName = new ObjectName("rill:type=Node");
                assertThat(jmx.getAttribute(nodeName, "BrokerMode")).isEqualTo("external");
                assertThat(jmx.getAttribute(nodeName, "BootstrapServers")).isEqualTo(kafka.bootstrapServers());
                // Two partitions each of corpus, names, labelled and parallel.
                assertThat((Integer) jmx.getAttribute(nodeName, "Streams")).isEqualTo(8);
            }

            // rill generate asks the running node over Kafka, as a user would.
            CliRun generated = cli(jar, dir, "generate", "-c", config.toString(), "--count", "3", "--prefix", "St",
                    "--temperature", "0.5", "--timeout", "60s");
            assertThat(generated.exitCode()).as(generated.output()).isZero();
            assertThat(generated.output().lines().filter(line -> line.startsWith("St")).count())
                    .as(generated.output()).isEqualTo(3);
            CliRun refused = cli(jar, dir, "generate", "-c", config.toString(), "--prefix", "Zq", "--timeout", "60s");
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("unknown-characters");
        } finally {
            node.destroy(); // SIGTERM: CoordinatedShutdown stops ingestion, then the clients
            boolean exited = node.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                node.destroyForcibly();
            }
            assertThat(exited).as("rill run stops on SIGTERM; log:%n%s", Files.readString(dir.resolve("node.log"))).isTrue();
        }
    }

    private record CliRun(int exitCode, String output) {
    }

    private static CliRun cli(Path jar, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "cli", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("rill %s finishes", args[0]).isTrue();
        return new CliRun(process.exitValue(), Files.readString(log));
    }

    private static long sum(MBeanServerConnection jmx, String topic, String attribute) throws Exception {
        long total = 0;
        for (ObjectName name : jmx.queryNames(new ObjectName("rill:type=Ingest,topic=" + topic + ",*"), null)) {
            total += ((Number) jmx.getAttribute(name, attribute)).longValue();
        }
        return total;
    }

    private static void kcatProduce(TestKafka kafka, String topic, String lines) throws Exception {
        Process kcat = new ProcessBuilder(kcat(), "-P", "-b", kafka.bootstrapServers(), "-t", topic)
                .redirectErrorStream(true).start();
        try (OutputStream in = kcat.getOutputStream()) {
            in.write(lines.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(kcat.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kcat.exitValue()).as(new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    private static String kcat() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : new String[] {"kcat", "kafkacat"}) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        return null;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
