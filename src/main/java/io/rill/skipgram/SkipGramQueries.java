package io.rill.skipgram;

import io.rill.skipgram.SkipGramMetrics;
import io.rill.skipgram.query.EmbeddingSnapshot;
import io.rill.skipgram.query.Neighbor;
import io.rill.skipgram.query.QueryResult;
import io.rill.skipgram.query.Word2VecFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Answers the learner's queries (JMX operations, and through them the CLI) on a snapshot of the embeddings. A
 * snapshot is reused for a second, so a burst of queries costs one copy of the rows, and training never waits
 * for a query: the actors only copy rows into a message.
 */
public final class SkipGramQueries implements SkipGramMetrics.Queries {

    private static final long REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(30);

    private final SkipGramLearner learner;
    private EmbeddingSnapshot snapshot;
    private long takenAt;

    public SkipGramQueries(SkipGramLearner learner) {
        this.learner = learner;
    }

    /** The current snapshot, at most a second old. */
    public synchronized EmbeddingSnapshot snapshot() {
        long now = System.nanoTime();
        if (snapshot == null || now - takenAt > REUSE_NANOS) {
            SkipGramLearner.Embeddings e = learner.snapshot().toCompletableFuture()
                    .orTimeout(SNAPSHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
            snapshot = EmbeddingSnapshot.wrap(e.words(), e.vectors(), e.dim(), e.version(), e.tokensSeen());
            takenAt = now;
        }
        return snapshot;
    }

    @Override
    public String neighbours(String word, int k) {
        return format(snapshot().nearest(normalise(word), k));
    }

    @Override
    public String analogy(String a, String b, String c, int k) {
        return format(snapshot().analogy(normalise(a), normalise(b), normalise(c), k));
    }

    @Override
    public double similarity(String x, String y) {
        QueryResult<Double> result = snapshot().similarity(normalise(x), normalise(y));
        return result.isOk() ? result.value() : Double.NaN;
    }

    @Override
    public String exportVectors(String path, boolean binary) {
        EmbeddingSnapshot s = snapshot();
        try {
            Word2VecFormat.Written written = binary
                    ? Word2VecFormat.writeBinary(Path.of(path), s)
                    : Word2VecFormat.writeText(Path.of(path), s);
            return String.format(Locale.ROOT, "wrote %d vectors of dimension %d (%s, model version %d, %d tokens seen)"
                    + " to %s; %d words not representable", written.words(), s.dim(), binary ? "binary" : "text",
                    s.version(), s.tokens(), path, written.skipped());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** Words are stored as the tokenizer makes them: lower-cased. */
    private static String normalise(String word) {
        return word.strip().toLowerCase(Locale.ROOT);
    }

    private static String format(QueryResult<List<Neighbor>> result) {
        if (!result.isOk()) {
            return "error: " + result.error();
        }
        return result.value().stream()
                .map(n -> String.format(Locale.ROOT, "%s=%.4f", n.word(), n.cosine()))
                .collect(Collectors.joining("\n"));
    }
}
