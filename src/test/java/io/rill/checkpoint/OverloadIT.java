package io.rill.checkpoint;

import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Overload, short form (the full one is in load-tests/): a node in a child JVM with a 384 MiB heap, and text
 * produced several times faster than its skip-gram learner trains. Backpressure must hold: the heap stays
 * within its limit (no OutOfMemoryError, the process lives), the lag grows while the producer runs and then drains
 * to zero, and every record is counted. (Short: the producer runs flat out for at most 6 s or 120,000 records.)
 */
@ExtendWith(KafkaBrokerExtension.class)
class OverloadIT {

    @Test
    void lagGrowsAndDrainsWhileTheHeapStaysBounded(TestKafka kafka, @TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "rill.jar");
        assertThat(jar).as("the shaded jar, built in the package phase").exists();
        TestNodes.Topics topics = TestNodes.topics("overload");
        TestNodes.createTopics(kafka, topics);
        int jmxPort = freePort();
        Path config = TestNodes.writeConfig(dir.resolve("node.conf"), kafka, topics, """
                rill.node.data-dir = "%s"
                rill.jmx.remote { enabled = true, host = "127.0.0.1", port = %d }
                """.formatted(dir.resolve("data"), jmxPort));
        Path log = dir.resolve("node.log");
        long maxHeap = 384L << 20;
        Process node = new ProcessBuilder(javaBinary(), "-Xmx384m", "-jar", jar.toString(), "run", "-c",
                config.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        JMXConnector connector = null;
        try {
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            connector = await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> JMXConnectorFactory.connect(url), c -> c != null);
            MBeanServerConnection jmx = connector.getMBeanServerConnection();
            await().atMost(Duration.ofSeconds(90)).until(() -> jmx.isRegistered(new ObjectName("rill:type=Generation")));

            long produced = 0;
            long heapPeak = 0;
            long lagPeak = 0;
            Random random = new Random(3);
            String[] words = "the sea whale ship captain harpoon boat white deep wind sail mast crew ahab".split(" ");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            long nextSample = 0;
            try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
                while (System.nanoTime() < end && produced < 120_000) {
                    StringBuilder line = new StringBuilder();
                    for (int w = 0; w < 20; w++) {
                        line.append(words[random.nextInt(words.length)]).append(' ');
                    }
                    producer.send(new ProducerRecord<>(topics.corpus(), line.toString().getBytes(StandardCharsets.UTF_8)));
                    produced++;
                    if (System.nanoTime() > nextSample) {
                        nextSample = System.nanoTime() + 500_000_000L;
                        heapPeak = Math.max(heapPeak, heapUsed(jmx));
                        lagPeak = Math.max(lagPeak, lag(jmx, topics.corpus()));
                    }
                }
                producer.flush();
            }
            long total = produced;
            long[] peaks = {heapPeak, lagPeak};
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                peaks[0] = Math.max(peaks[0], heapUsed(jmx));
                long lag = lag(jmx, topics.corpus());
                peaks[1] = Math.max(peaks[1], lag);
                assertThat(sum(jmx, topics.corpus(), "RecordsIn")).isEqualTo(total);
                assertThat(lag).isZero();
            });
            assertThat(node.isAlive()).isTrue();
            assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
            assertThat(peaks[0]).as("heap peak").isLessThan(maxHeap);
            assertThat(peaks[1]).as("lag peak: the producer outran the learner").isGreaterThan(total / 10);
        } catch (Throwable failure) {
            throw new AssertionError("overload failed; the node's log:\n" + Files.readString(log), failure);
        } finally {
            if (connector != null) {
                try {
                    connector.close();
                } catch (IOException ignored) {
                    // the node is going away
                }
            }
            node.destroy();
            if (!node.waitFor(60, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
    }

    private static long heapUsed(MBeanServerConnection jmx) throws Exception {
        CompositeData heap = (CompositeData) jmx.getAttribute(new ObjectName("java.lang:type=Memory"), "HeapMemoryUsage");
        return (Long) heap.get("used");
    }

    private static long lag(MBeanServerConnection jmx, String topic) throws Exception {
        return sum(jmx, topic, "ConsumerLag");
    }

    private static long sum(MBeanServerConnection jmx, String topic, String attribute) throws Exception {
        long total = 0;
        for (ObjectName name : jmx.queryNames(new ObjectName("rill:type=Ingest,topic=" + topic + ",*"), null)) {
            total += Math.max(0, ((Number) jmx.getAttribute(name, attribute)).longValue());
        }
        return total;
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
