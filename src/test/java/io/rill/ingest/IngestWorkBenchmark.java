package io.rill.ingest;

import io.rill.text.Decoded;
import io.rill.text.RecordDecoder;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * rill's per-record ingest work alone on one thread, no Kafka and no Akka: what a stream actor does with a word
 * record (strict decoding checks, tokenizing and counting from the bytes), over the benchmark's records; a program to
 * run by hand. Prints the thread's CPU nanoseconds per record for each pass (the first ones include compilation).
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) io.rill.ingest.IngestWorkBenchmark \
 *     [records per pass] [passes]
 * </pre>
 */
public final class IngestWorkBenchmark {

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<byte[]> pieces = IngestBenchmark.pieces(Files.readAllLines(
                Path.of("../shared/data/corpus/sotu-moby.tokens.txt"), StandardCharsets.UTF_8), 200);
        var threads = ManagementFactory.getThreadMXBean();
        long offset = 0;
        for (int pass = 0; pass < passes; pass++) {
            StreamCounts counts = new StreamCounts(1_000_000);
            RecordDecoder decoder = new RecordDecoder(1 << 20);
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            for (int i = 0; i < records; i++) {
                byte[] value = pieces.get(i % pieces.size());
                Decoded decoded = decoder.decodeUnlessAscii(value);
                if (decoded != null) {
                    throw new IllegalStateException("record " + i + " is not plain ASCII: " + decoded);
                }
                counts.countAscii(offset++, value);
            }
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpu;
            System.out.printf("pass %d: %,d records, %,d tokens, %,d distinct: %.0f ns CPU/record, %.0f ns wall/record%n",
                    pass, counts.records(), counts.tokens(), counts.distinctTokens(), (double) cpuNanos / records,
                    (double) (System.nanoTime() - wall) / records);
        }
    }
}
