package io.rill.kafka;

import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(KafkaBrokerExtension.class)
class TopicProvisionerIT {

    @Test
    void createsMissingTopicsOnceAndWarnsAboutButNeverAltersTopicsThatDiffer(TestKafka kafka) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        TopicSpec fresh = new TopicSpec("prov-fresh-" + suffix, 2, (short) 1, Map.of("retention.ms", "-1"));
        TopicSpec drifted = new TopicSpec("prov-drifted-" + suffix, 3, (short) 1,
                Map.of("retention.ms", "-1", "cleanup.policy", "delete"));
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            // Someone made the second topic by hand, with 1 partition and compaction.
            admin.createTopics(List.of(new NewTopic(drifted.name(), 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();

            TopicProvisioner.Outcome first = TopicProvisioner.ensure(admin, List.of(fresh, drifted));
            assertThat(first.created()).containsExactly(fresh.name());
            assertThat(first.warnings()).hasSize(3).anySatisfy(w -> assertThat(w).contains("1 partitions, spec says 3"))
                    .anySatisfy(w -> assertThat(w).contains("cleanup.policy is compact, spec says delete"))
                    .anySatisfy(w -> assertThat(w).contains("retention.ms"));

            TopicProvisioner.Outcome second = TopicProvisioner.ensure(admin, List.of(fresh, drifted));
            assertThat(second.created()).isEmpty();
            assertThat(second.warnings()).hasSize(3); // still different: nothing was altered

            Map<String, TopicDescription> described = admin.describeTopics(List.of(fresh.name(), drifted.name()))
                    .allTopicNames().get();
            assertThat(described.get(fresh.name()).partitions()).hasSize(2);
            assertThat(described.get(drifted.name()).partitions()).hasSize(1);
        }
    }
}
