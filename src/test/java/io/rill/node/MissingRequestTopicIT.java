package io.rill.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A node configured with a request topic that does not exist (no spec in topics/, or creation failed on an external
 * cluster) says so in one line, not the Kafka consumer's warning every second, and answers once the topic appears.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MissingRequestTopicIT {

    @Test
    void aMissingRequestTopicIsSaidOnceAndServedWhenItAppears(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("missing");
        TestNodes.createTopics(kafka, topics);
        String missing = topics.requests() + "-missing";
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try (RillNode node = RillNode.start(TestNodes.settings(kafka, topics,
                Map.of("rill.generate.requests-topic", missing)))) {
            Thread.sleep(6_000); // the baseline logged a warning about the topic about once a second
            List<String> mentions = messages(logs, missing);
            assertThat(mentions).as("%s", mentions).hasSize(1);
            assertThat(mentions.get(0)).contains("topic " + missing + " does not exist")
                    .contains("generation requests are not answered until it is created");

            Files.writeString(topics.specs().resolve(missing + ".conf"), """
                    name = "%s"
                    partitions = 1
                    replication-factor = 1
                    """.formatted(missing));
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                TopicProvisioner.ensure(admin, TopicSpec.loadAll(topics.specs()));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> messages(logs, "answering generation requests from "
                    + missing).size() == 1);
            assertThat(messages(logs, missing).stream().filter(m -> m.contains("UNKNOWN_TOPIC_OR_PARTITION")))
                    .isEmpty();
        } finally {
            root.detachAppender(logs);
        }
    }

    private static List<String> messages(ListAppender<ILoggingEvent> logs, String containing) {
        synchronized (logs) { // logback appends holding the appender's lock
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing))
                    .filter(m -> !m.contains("creating topic") && !m.contains("created topic")).toList();
        }
    }
}
