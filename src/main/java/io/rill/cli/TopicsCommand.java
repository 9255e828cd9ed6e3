package io.rill.cli;

import io.rill.kafka.PartitionOffsets;
import io.rill.kafka.TopicSpec;
import io.rill.node.RillSettings;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code rill topics}: rill's topics with, per partition, first and end offsets, the group's commit and its lag. */
@Command(name = "topics", description = "Show rill's topics: partitions, end offsets, committed offsets, lag.")
final class TopicsCommand implements Callable<Integer> {

    @Mixin
    RillCli.ConfigOption options;

    @Option(names = {"-b", "--bootstrap"}, description = "Kafka bootstrap servers (default: as for produce).")
    String bootstrap;

    @Override
    public Integer call() throws Exception {
        RillSettings settings = options.settings();
        String servers = bootstrap != null ? bootstrap : settings.clientBootstrap();
        List<String> topics = TopicSpec.loadAll(settings.topicsDir().orElse(null)).stream().map(TopicSpec::name).toList();
        try (Admin admin = Admin.create(settings.clientProperties(servers))) {
            List<PartitionOffsets> offsets = PartitionOffsets.read(admin, settings.groupId(), topics,
                    settings.adminTimeout().toMillis());
            System.out.printf("%-26s %9s %12s %12s %12s %10s%n", "TOPIC", "PARTITION", "START", "END",
                    "COMMITTED", "LAG");
            for (PartitionOffsets p : offsets) {
                System.out.printf("%-26s %9d %12d %12d %12s %10d%n", p.topic(), p.partition(), p.startOffset(),
                        p.endOffset(), p.committedOffset() < 0 ? "-" : String.valueOf(p.committedOffset()), p.lag());
            }
            System.out.println("(group " + settings.groupId() + " at " + servers + ")");
        }
        return 0;
    }
}
