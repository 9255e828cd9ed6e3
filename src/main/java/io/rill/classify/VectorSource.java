package io.rill.classify;

import io.rill.learn.WordVectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a classifier's pre-trained vectors come from: none (the rand variant), a word2vec file read once at start,
 * or a skip-gram model of the same node, which keeps learning: then the classifier's base rows follow its vectors,
 * copied every {@code static-refresh-steps} steps (and never in between).
 */
public interface VectorSource {

    /** A copy of the vectors now. */
    CompletionStage<Pretrained> vectors();

    /** Whether the vectors change as time goes on (a model that keeps learning). */
    boolean changes();

    /** What it is, for logs and messages. */
    String description();

    /** No vectors: every base row random in U[−range, range]. */
    static VectorSource none(int dimension, double range) {
        Pretrained none = Pretrained.none(dimension, range);
        return fixed(none, "none (random rows in U[-" + range + ", " + range + "])");
    }

    /** Vectors that never change (a file's). */
    static VectorSource fixed(Pretrained vectors, String description) {
        return new VectorSource() {
            @Override
            public CompletionStage<Pretrained> vectors() {
                return CompletableFuture.completedFuture(vectors);
            }

            @Override
            public boolean changes() {
                return false;
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    /** The vectors of model {@code name}, as it has them whenever they are asked for. */
    static VectorSource model(String name, WordVectors model) {
        return new VectorSource() {
            @Override
            public CompletionStage<Pretrained> vectors() {
                return model.wordVectors().thenApply(Pretrained::of);
            }

            @Override
            public boolean changes() {
                return true;
            }

            @Override
            public String description() {
                return "the vectors of model " + name;
            }
        };
    }
}
