package io.rill.cli;

import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.IngestStreamMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code rill demo}: a node, plus a feeder that streams the bundled names and Moby-Dick into its topics, plus a
 * live view of what the node does. Runs until Ctrl-C, or with {@code --exit-when-done} until everything fed has
 * been taken in and committed.
 */
@Command(name = "demo", description = "Run a node and feed it the bundled names and corpus, with a live view.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    RillCli.ConfigOption options;

    @Option(names = "--rate", defaultValue = "400", description = "Records per second to feed (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--passes", defaultValue = "1", description = "Times to feed the data (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--exit-when-done", description = "Stop once everything fed is taken in and committed.")
    boolean exitWhenDone;

    @Option(names = "--refresh-ms", defaultValue = "1000", description = "Live view refresh (default ${DEFAULT-VALUE} ms).")
    long refreshMillis;

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || passes < 1) {
            System.err.println("--rate and --passes must be at least 1");
            return 2;
        }
        RillSettings settings = options.settings();
        RillNode node = RillNode.start(settings);
        String names = topicFor(settings, "characters", "rill.text.names");
        String corpus = topicFor(settings, "words", "rill.text.corpus");
        DemoFeeder feeder = new DemoFeeder(settings.clientProperties(node.bootstrapServers()), names, corpus, rate, passes);
        Thread feeding = new Thread(feeder, "rill-demo-feeder");
        feeding.setDaemon(true);
        feeding.start();
        LiveView view = new LiveView(System.out, System.console() != null);
        long lastSent = 0;
        long lastTime = System.nanoTime();
        while (!node.system().getWhenTerminated().toCompletableFuture().isDone()) {
            Thread.sleep(refreshMillis);
            long now = System.nanoTime();
            long sent = feeder.sent();
            double feedRate = (sent - lastSent) * 1e9 / Math.max(1, now - lastTime);
            lastSent = sent;
            lastTime = now;
            view.draw(feeder, node.status(), feedRate);
            if (exitWhenDone && feeder.finished() && allTakenIn(node, feeder)) {
                System.out.println("demo: all " + feeder.total() + " records fed, taken in and committed.");
                node.close();
                return 0;
            }
        }
        return 0;
    }

    private static String topicFor(RillSettings settings, String tokenizer, String fallback) {
        return settings.streams().stream()
                .filter(s -> s.tokenizer().name().equalsIgnoreCase(tokenizer))
                .map(RillSettings.StreamSpec::topic)
                .findFirst().orElse(fallback);
    }

    private static boolean allTakenIn(RillNode node, DemoFeeder feeder) {
        long in = node.status().streams().stream()
                .mapToLong(s -> s.getRecordsIn() + s.getDeadLettered()).sum();
        boolean committed = node.status().streams().stream()
                .allMatch(s -> s.getConsumerLag() == 0);
        return in >= feeder.total() && committed;
    }
}
