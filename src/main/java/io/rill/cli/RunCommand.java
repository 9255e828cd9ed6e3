package io.rill.cli;

import io.rill.node.RillNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code rill run}: the service, on the embedded broker unless a cluster is configured. Stops on SIGINT/SIGTERM. */
@Command(name = "run", description = "Run a rill node until it is stopped (Ctrl-C or SIGTERM).")
final class RunCommand implements Callable<Integer> {

    @Mixin
    RillCli.ConfigOption options;

    @Override
    public Integer call() throws Exception {
        RillNode node = RillNode.start(options.settings());
        System.err.println("rill is running; Kafka at " + node.bootstrapServers() + ". Ctrl-C stops it.");
        node.awaitTermination();
        return 0;
    }
}
