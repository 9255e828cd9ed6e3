package io.rill.loadtest;

import io.rill.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The benchmarks' broker, alone in a JVM, so the harness can take it away under a running node (SIGKILL or SIGTERM)
 * and bring it back on the same port and data directory, and so that no node's figures include it. It starts rill's
 * {@link EmbeddedKafkaBroker} on loopback and reports a {@link Serving} record as one JSON line after {@code serving },
 * then runs until it is signalled (SIGTERM closes the broker cleanly) or its stdin ends: the harness holds the other
 * end, so a broker never outlives it, even one killed with -9.
 *
 * <pre>java -cp CLASSPATH io.rill.loadtest.BrokerMain DATA_DIR PORT</pre>
 */
public final class BrokerMain {

    static final String SERVING = "serving ";
    /** The broker's largest record batch, as a rill node's embedded broker has it. */
    static final int MAX_MESSAGE_BYTES = 17_825_792;

    /** What the broker reports: where it serves, and how long it took to start. */
    record Serving(String bootstrap, long startMillis) {
    }

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), "127.0.0.1",
                Integer.parseInt(args[1]), MAX_MESSAGE_BYTES);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "close-broker"));
        System.out.println(SERVING + Bench.JSON.writeValueAsString(new Serving(broker.bootstrapServers(),
                (System.nanoTime() - started) / 1_000_000)));
        System.out.flush();
        try {
            while (System.in.read() >= 0) {
                // nothing is ever sent; reading only notices the end
            }
        } catch (IOException e) {
            // the harness is gone
        }
        System.exit(0);
    }
}
