package io.rill.loadtest;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Starting the child JVMs the harnesses run beside themselves: the broker ({@link BrokerMain}, on this harness's
 * classpath) and rill nodes as they are deployed ({@code java -jar rill.jar run -c FILE}). Each is a
 * {@link ChildProcess}, so it is killed if the harness ends first.
 */
final class ChildJvms {

    private ChildJvms() {
    }

    /** The java this harness runs on: the children get the same one. */
    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A broker child and the bootstrap address it printed. */
    record Broker(ChildProcess process, String bootstrap) {
    }

    /**
     * Starts {@link BrokerMain} on {@code dataDir} and {@code port} and waits (at most {@code timeout}) until it serves;
     * a broker that does not is killed.
     */
    static Broker startBroker(String jvmOpts, Path dataDir, int port, Path log, Duration timeout) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(Arrays.asList(jvmOpts.trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(),
                dataDir.toString(), Integer.toString(port)));
        ChildProcess broker = ChildProcess.start("broker", command, Map.of(), log, BrokerMain.SERVING);
        try {
            return new Broker(broker, broker.awaitLine(timeout).trim());
        } catch (RuntimeException | InterruptedException e) {
            broker.kill();
            throw e;
        }
    }

    /** Starts {@code java JVM_OPTS -jar rillJar run -c config}, its output going to {@code log}; does not wait. */
    static ChildProcess startNode(String label, String jvmOpts, Path rillJar, Path config, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(Arrays.asList(jvmOpts.trim().split("\\s+")));
        command.addAll(List.of("-jar", rillJar.toString(), "run", "-c", config.toString()));
        return ChildProcess.start(label, command, Map.of(), log, null);
    }
}
