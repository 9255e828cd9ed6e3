package io.rill.loadtest;

import io.rill.text.Decoded;
import io.rill.text.RecordDecoder;
import io.rill.text.TokenizedText;
import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * rill's per-record work with no Kafka and no Akka around it: strict decoding with rill's {@link RecordDecoder},
 * word tokenization with rill's {@link Tokenizer}, and counting every token in a frequency map the way a stream
 * actor does, all on one thread. It tells how fast the ingest path could go if the framework cost nothing, and so
 * how much of the gap to the raw consumer is the work itself. An untimed pass over the first records comes first,
 * so that the figure is the compiled loop's, not the interpreter's.
 */
final class WorkBaseline {

    record Result(long records, long tokens, long bytes, long distinct, double seconds, double cpuSeconds) {

        double recordsPerSec() {
            return records / seconds;
        }

        double tokensPerSec() {
            return tokens / seconds;
        }
    }

    private WorkBaseline() {
    }

    /** Records of the untimed first pass that lets the JIT compile the loop before it is measured. */
    static final long WARM_UP_RECORDS = 200_000;

    static Result run(CorpusRecords data, long records, int maxRecordBytes, int maxDistinctTokens) {
        pass(data, Math.min(records, WARM_UP_RECORDS), maxRecordBytes, maxDistinctTokens);
        return pass(data, records, maxRecordBytes, maxDistinctTokens);
    }

    private static Result pass(CorpusRecords data, long records, int maxRecordBytes, int maxDistinctTokens) {
        RecordDecoder decoder = new RecordDecoder(maxRecordBytes);
        Tokenizer tokenizer = Tokenizer.of(TokenizerKind.WORDS);
        Map<String, long[]> frequencies = new HashMap<>();
        long tokens = 0;
        long bytes = 0;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        for (long i = 0; i < records; i++) {
            if (!(decoder.decode(data.value(i)) instanceof Decoded.Text text)) {
                throw new IllegalStateException("record " + i + " does not decode");
            }
            TokenizedText tokenized = tokenizer.tokenize(text.text());
            for (List<String> line : tokenized.lines()) {
                for (String token : line) {
                    long[] count = frequencies.get(token);
                    if (count != null) {
                        count[0]++;
                    } else if (frequencies.size() < maxDistinctTokens) {
                        frequencies.put(token, new long[] {1});
                    }
                }
            }
            tokens += tokenized.tokenCount();
            bytes += data.value(i).length;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStarted) / 1e9;
        return new Result(records, tokens, bytes, frequencies.size(), seconds, cpu);
    }
}
