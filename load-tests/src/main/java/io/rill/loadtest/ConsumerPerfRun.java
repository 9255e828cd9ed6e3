package io.rill.loadtest;

import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.ConsumerPerformance;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs Kafka's own consumer benchmark, {@link ConsumerPerformance}, inside this JVM and reads its figures.
 *
 * <p>In process is safe: in kafka-tools 3.9.1 its {@code main} returns normally when it has consumed the records,
 * and calls {@code Exit.exit(1)} only on failure (and {@code printUsageAndExit} only on bad arguments). Both go
 * through Kafka's {@link Exit}, whose procedure is replaced here by one that throws, so a failure ends the
 * benchmark with an exception instead of ending the JVM. Its report goes to {@code System.out}, which is copied
 * for the duration of the call.
 */
final class ConsumerPerfRun {

    /** ConsumerPerformance's summary line, by its own column names ({@code MB} there is 2^20 bytes). */
    record Result(List<String> args, Map<String, String> columns, double wallSeconds) {

        double mb() {
            return number("data.consumed.in.MB");
        }

        double mbPerSec() {
            return number("MB.sec");
        }

        long messages() {
            return (long) number("data.consumed.in.nMsg");
        }

        double messagesPerSec() {
            return number("nMsg.sec");
        }

        long rebalanceMs() {
            return (long) number("rebalance.time.ms");
        }

        long fetchMs() {
            return (long) number("fetch.time.ms");
        }

        double fetchMbPerSec() {
            return number("fetch.MB.sec");
        }

        double fetchMessagesPerSec() {
            return number("fetch.nMsg.sec");
        }

        private double number(String column) {
            String value = columns.get(column);
            if (value == null) {
                throw new IllegalStateException("ConsumerPerformance printed no column " + column + ": " + columns);
            }
            return Double.parseDouble(value);
        }
    }

    private ConsumerPerfRun() {
    }

    static Result run(String bootstrap, String topic, long messages, String group, long timeoutMs) {
        List<String> args = List.of(
                "--bootstrap-server", bootstrap,
                "--topic", topic,
                "--messages", String.valueOf(messages),
                "--group", group,
                "--timeout", String.valueOf(timeoutMs));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("ConsumerPerformance failed (exit " + status + ")"
                    + (message == null ? "" : ": " + message));
        });
        long started = System.nanoTime();
        try {
            System.setOut(new PrintStream(new Tee(stdout, captured), true, StandardCharsets.UTF_8));
            ConsumerPerformance.main(args.toArray(String[]::new));
        } finally {
            System.out.flush();
            System.setOut(stdout);
            Exit.resetExitProcedure();
        }
        double wall = (System.nanoTime() - started) / 1e9;
        return new Result(args, parse(captured.toString(StandardCharsets.UTF_8)), wall);
    }

    /** Finds the header line (it starts with start.time) and the line after it, both comma-separated. */
    static Map<String, String> parse(String output) {
        String[] lines = output.split("\\R");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("start.time")) {
                String[] names = lines[i].split(",");
                String[] values = lines[i + 1].split(",");
                if (names.length != values.length) {
                    break;
                }
                Map<String, String> columns = new HashMap<>();
                for (int c = 0; c < names.length; c++) {
                    columns.put(names[c].trim(), values[c].trim());
                }
                return columns;
            }
        }
        throw new IllegalStateException("no summary in ConsumerPerformance's output:\n" + output);
    }

    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final ByteArrayOutputStream second;

        Tee(OutputStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            try {
                first.write(b, off, len);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            second.write(b, off, len);
        }

        @Override
        public void flush() {
            try {
                first.flush();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
