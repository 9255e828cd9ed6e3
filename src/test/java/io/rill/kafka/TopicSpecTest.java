package io.rill.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicSpecTest {

    @Test
    void parsesNamePartitionsReplicationAndDottedConfigKeys() {
        TopicSpec spec = TopicSpec.parse(new StringReader("""
                name = "rill.text.corpus"
                partitions = 3
                replication-factor = 2
                configs { "retention.ms" = "-1", "cleanup.policy" = "delete", "max.message.bytes" = 1048576 }
                """), "test");
        assertThat(spec.name()).isEqualTo("rill.text.corpus");
        assertThat(spec.partitions()).isEqualTo(3);
        assertThat(spec.replicationFactor()).isEqualTo((short) 2);
        assertThat(spec.configs()).containsEntry("retention.ms", "-1")
                .containsEntry("cleanup.policy", "delete")
                .containsEntry("max.message.bytes", "1048576")
                .hasSize(3);
    }

    @Test
    void refusesIllegalSpecsWithTheFileName() {
        assertThatThrownBy(() -> TopicSpec.parse(new StringReader("name = \"a b\"\npartitions = 1\nreplication-factor = 1"), "bad.conf"))
                .hasMessageContaining("bad.conf").hasMessageContaining("illegal Kafka topic name");
        assertThatThrownBy(() -> TopicSpec.parse(new StringReader("name = t\npartitions = 0\nreplication-factor = 1"), "zero.conf"))
                .hasMessageContaining("partitions must be at least 1");
        assertThatThrownBy(() -> TopicSpec.parse(new StringReader("name = t\npartitions = 1"), "missing.conf"))
                .hasMessageContaining("missing.conf").hasMessageContaining("replication-factor");
    }

    @Test
    void theBundledSpecsDeclareEveryTopicRillNeeds() {
        List<TopicSpec> specs = TopicSpec.loadAll(null);
        assertThat(specs).extracting(TopicSpec::name).contains(
                "rill.text.names", "rill.text.corpus", "rill.generate.requests", "rill.generated", "rill.deadletter",
                "rill.text.parallel", "rill.translate.requests", "rill.translated");
        TopicSpec deadletter = specs.stream().filter(s -> s.name().equals("rill.deadletter")).findFirst().orElseThrow();
        TopicSpec corpus = specs.stream().filter(s -> s.name().equals("rill.text.corpus")).findFirst().orElseThrow();
        // The dead-letter topic must hold any record a source topic accepts.
        assertThat(Integer.parseInt(deadletter.configs().get("max.message.bytes")))
                .isGreaterThanOrEqualTo(Integer.parseInt(corpus.configs().get("max.message.bytes")));
    }

    @Test
    void loadsEveryConfFileOfADirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.conf"), "name = b\npartitions = 1\nreplication-factor = 1\n");
        Files.writeString(dir.resolve("a.conf"), "name = a\npartitions = 2\nreplication-factor = 1\n");
        Files.writeString(dir.resolve("notes.txt"), "not a spec");
        assertThat(TopicSpec.loadAll(dir)).extracting(TopicSpec::name).containsExactly("a", "b");
    }
}
