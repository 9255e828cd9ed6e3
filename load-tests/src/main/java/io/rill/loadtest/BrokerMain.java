package io.rill.loadtest;

import io.rill.kafka.EmbeddedKafkaBroker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The broker of the fault scenarios, alone in a JVM of its own, so that the harness can take it away (SIGKILL or
 * SIGTERM) under a running rill node and bring it back on the same port and data directory. It starts rill's
 * {@link EmbeddedKafkaBroker}, prints {@code serving <host:port>} on stdout once it serves, and runs until it is
 * signalled (SIGTERM closes the broker cleanly through a shutdown hook) or until its stdin ends: the harness holds
 * the other end of that pipe, so a broker never outlives the harness that started it, even one killed with -9.
 *
 * <pre>java -cp CLASSPATH io.rill.loadtest.BrokerMain DATA_DIR PORT [MAX_MESSAGE_BYTES]</pre>
 */
public final class BrokerMain {

    /** The line the harness waits for; the bootstrap address follows it. */
    static final String SERVING = "serving ";

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: BrokerMain DATA_DIR PORT [MAX_MESSAGE_BYTES]");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        int maxMessageBytes = args.length > 2 ? Integer.parseInt(args[2]) : BenchSupport.BROKER_MAX_MESSAGE_BYTES;
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, BenchSupport.HOST, port, maxMessageBytes);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "close-broker"));
        System.out.println(SERVING + broker.bootstrapServers());
        System.out.flush();
        // Block until the harness goes away (end of stdin), then leave; a signal ends the JVM before that.
        InputStream in = System.in;
        try {
            while (in.read() >= 0) {
                // nothing is ever sent; reading only notices the end
            }
        } catch (IOException e) {
            // the pipe broke: the harness is gone
        }
        System.exit(0);
    }
}
