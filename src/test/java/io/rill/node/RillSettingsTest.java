package io.rill.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.rill.ingest.StreamSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RillSettingsTest {

    @Test
    void defaultsThatReferToOtherKeysFollowTheOperatorsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, """
                rill.node.data-dir = "/srv/rill-test"
                rill.kafka.group-id = "g2"
                """);
        RillSettings settings = RillSettings.load(Optional.of(file));
        assertThat(settings.dataDir()).isEqualTo(Path.of("/srv/rill-test"));
        assertThat(settings.embeddedDataDir()).isEqualTo(Path.of("/srv/rill-test/kafka"));
        assertThat(settings.groupId()).isEqualTo("g2");
        assertThat(settings.config().getString("rill.generate.group-id")).isEqualTo("g2-generate");
    }

    @Test
    void withoutAFileTheBundledDefaultsApply() {
        RillSettings settings = RillSettings.load(Optional.empty());
        assertThat(settings.streams()).extracting(StreamSpec::topic)
                .containsExactly("rill.text.corpus", "rill.text.names", "rill.text.labelled", "rill.text.parallel");
    }
}
