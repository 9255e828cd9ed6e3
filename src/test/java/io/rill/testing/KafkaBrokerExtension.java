package io.rill.testing;

import io.rill.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real Kafka broker per test JVM, shared by every integration test: Testcontainers' apache/kafka when a Docker
 * engine answers, else rill's own embedded KRaft broker on a free loopback port in a temporary directory. Tests get
 * it as a {@link TestKafka} parameter and keep out of each other's way with their own topics and groups.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    private static final String KEY = "rill-test-kafka";

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context).kafka;
    }

    private static Broker broker(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, key -> Broker.start(), Broker.class);
    }

    /** Closed by JUnit when the root context closes, i.e. once, at the end of the test JVM. */
    static final class Broker implements ExtensionContext.Store.CloseableResource {
        final TestKafka kafka;
        private final AutoCloseable resource;

        private Broker(TestKafka kafka, AutoCloseable resource) {
            this.kafka = kafka;
            this.resource = resource;
        }

        static Broker start() {
            if (dockerAvailable()) {
                KafkaContainer container = new KafkaContainer("apache/kafka:3.9.1");
                container.start();
                return new Broker(new TestKafka(container.getBootstrapServers(), "testcontainers"), container::stop);
            }
            try {
                Path dir = Files.createTempDirectory("rill-test-kafka");
                EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, "127.0.0.1", 0, 17_825_792);
                return new Broker(new TestKafka(broker.bootstrapServers(), "embedded"), broker);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static boolean dockerAvailable() {
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            resource.close();
        }
    }
}
