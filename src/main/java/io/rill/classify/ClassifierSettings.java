package io.rill.classify;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The settings of one kim-cnn model: its block of {@code rill.models} over {@code rill.classify} (every key is
 * documented in application.conf).
 *
 * @param vectors where pre-trained vectors come from: "" (none), {@code model:<name>} (a skip-gram model of the
 *                node) or {@code file:<path>} (a word2vec file, binary when {@code vectorsBinary})
 */
public record ClassifierSettings(
        Variant variant,
        String vectors,
        boolean vectorsBinary,
        int dimension,
        double randRange,
        int[] widths,
        int maps,
        int padding,
        double dropout,
        double maxNorm,
        double learningRate,
        double rho,
        double epsilon,
        int batchSize,
        int maxClasses,
        int maxWords,
        int maxLineLength,
        int maxLabelLength,
        int staticRefreshSteps,
        int pullEverySteps,
        int maxStaleness,
        int maxBufferedSentences,
        Duration batchLinger,
        Duration stepTimeout,
        long seed,
        int heldOutEvery,
        int heldOutMaxLines,
        Duration progressInterval,
        String progressTopic,
        int prequentialWindow) {

    public static final String WORKER_DISPATCHER = "rill.classify.worker-dispatcher";

    public static ClassifierSettings of(Config c) {
        List<Integer> widths = c.getIntList("widths");
        ClassifierSettings settings = new ClassifierSettings(
                Variant.parse(c.getString("variant")),
                c.getString("vectors").trim(),
                c.getBoolean("vectors-binary"),
                c.getInt("dimension"),
                c.getDouble("rand-range"),
                widths.stream().mapToInt(Integer::intValue).toArray(),
                c.getInt("feature-maps"),
                c.getInt("padding"),
                c.getDouble("dropout"),
                c.getDouble("max-norm"),
                c.getDouble("adadelta.learning-rate"),
                c.getDouble("adadelta.rho"),
                c.getDouble("adadelta.epsilon"),
                c.getInt("batch-size"),
                c.getInt("max-classes"),
                c.getInt("max-words"),
                c.getInt("max-line-length"),
                c.getInt("max-label-length"),
                c.getInt("static-refresh-steps"),
                c.getInt("pull-every-steps"),
                c.getInt("max-staleness"),
                c.getInt("max-buffered-sentences"),
                c.getDuration("batch-linger"),
                c.getDuration("step-timeout"),
                c.getLong("seed"),
                c.getInt("held-out.every"),
                c.getInt("held-out.max-lines"),
                c.getDuration("progress.interval"),
                c.getString("progress.topic"),
                c.getInt("prequential-window"));
        settings.check();
        return settings;
    }

    private void check() {
        require(batchSize >= 1, "batch-size must be at least 1");
        require(maxClasses >= 1, "max-classes must be at least 1");
        require(maxWords >= 1, "max-words must be at least 1");
        require(maxLineLength >= 3, "max-line-length must be at least 3");
        require(maxLabelLength >= 1, "max-label-length must be at least 1");
        require(pullEverySteps >= 1, "pull-every-steps must be at least 1");
        require(maxStaleness >= 0, "max-staleness must be at least 0");
        require(maxBufferedSentences >= batchSize, "max-buffered-sentences must be at least batch-size");
        require(heldOutEvery >= 0 && heldOutMaxLines >= 0, "held-out.every and max-lines must be at least 0");
        require(staticRefreshSteps >= 1, "static-refresh-steps must be at least 1");
        require(maxNorm > 0, "max-norm must be positive");
        require(randRange > 0, "rand-range must be positive");
        require(prequentialWindow >= 1, "prequential-window must be at least 1");
        require(vectors.isEmpty() || vectors.startsWith("model:") || vectors.startsWith("file:"),
                "vectors must be \"\", \"model:<skip-gram model>\" or \"file:<word2vec file>\", not \"" + vectors
                        + "\"");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("rill.classify: " + message);
        }
    }

    /** The network's shape, for vectors of {@code k} dimensions. */
    public CnnConfig cnn(int k) {
        return new CnnConfig(variant, k, widths, maps, padding, dropout, DataType.FLOAT);
    }

    public boolean holdsOut() {
        return heldOutEvery > 0 && heldOutMaxLines > 0;
    }

    /** Whether a sentence (its tokens joined by single spaces) is held out: by a hash, so a repeat stays put. */
    public boolean isHeldOut(String sentence) {
        if (!holdsOut()) {
            return false;
        }
        int hash = sentence.hashCode() * 0x9E3779B9; // String.hashCode is fixed by the Java spec: a stable split
        return Integer.remainderUnsigned(hash ^ (hash >>> 16), heldOutEvery) == 0;
    }
}
