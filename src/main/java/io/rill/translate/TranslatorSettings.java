package io.rill.translate;

import com.typesafe.config.Config;
import io.rill.nn.CellType;
import java.time.Duration;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An attention model's settings: the {@code rill.translate} section of the configuration with the model's own keys
 * of {@code rill.models} laid over it, read once; every key is documented in application.conf.
 */
public record TranslatorSettings(
        TranslatorConfig architecture,
        int batchPairs,
        Duration batchTimeout,
        int maxSentenceWords,
        int maxVocabulary,
        double learningRate,
        double gradientClip,
        int pullEverySteps,
        boolean freshParameters,
        int maxStaleness,
        int maxBufferedPairs,
        Duration stepTimeout,
        long seed,
        int heldOutEvery,
        int heldOutMaxPairs,
        int progressEverySteps,
        String progressSentence,
        int progressMaxPairs) {

    public static final String WORKER_DISPATCHER = "rill.translate.worker-dispatcher";

    /** One model's settings, {@code c} being its keys over {@code rill.translate}'s. */
    public static TranslatorSettings of(Config c) {
        TranslatorConfig architecture = new TranslatorConfig(c.getInt("embedding-size"), c.getInt("hidden-size"),
                c.getInt("attention-size"), CellType.parse(c.getString("cell")), DataType.FLOAT);
        TranslatorSettings settings = new TranslatorSettings(
                architecture,
                c.getInt("batch-pairs"),
                c.getDuration("batch-timeout"),
                c.getInt("max-sentence-words"),
                c.getInt("max-vocabulary"),
                c.getDouble("learning-rate"),
                c.getDouble("gradient-clip"),
                c.getInt("pull-every-steps"),
                c.getBoolean("fresh-parameters"),
                c.getInt("max-staleness"),
                c.getInt("max-buffered-pairs"),
                c.getDuration("step-timeout"),
                c.getLong("seed"),
                c.getInt("held-out.every"),
                c.getInt("held-out.max-pairs"),
                c.getInt("progress.every-steps"),
                c.getString("progress.sentence"),
                c.getInt("progress.max-pairs"));
        settings.validate();
        return settings;
    }

    private void validate() {
        require(batchPairs >= 1, "batch-pairs must be at least 1");
        require(maxSentenceWords >= 1, "max-sentence-words must be at least 1");
        require(maxVocabulary > WordVocabulary.SPECIALS, "max-vocabulary must be more than " + WordVocabulary.SPECIALS);
        require(learningRate > 0 && gradientClip > 0, "learning-rate and gradient-clip must be positive");
        require(pullEverySteps >= 1, "pull-every-steps must be at least 1");
        require(maxStaleness >= pullEverySteps, "max-staleness must be at least pull-every-steps");
        require(maxBufferedPairs >= batchPairs, "max-buffered-pairs must be at least batch-pairs");
        require(heldOutEvery >= 0 && heldOutMaxPairs >= 0, "held-out.every and held-out.max-pairs must not be negative");
        require(progressEverySteps >= 0 && progressMaxPairs >= 0, "progress keys must not be negative");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("rill.translate: " + message);
        }
    }

    /** Whether held-out pairs are drawn from the streams. */
    public boolean holdsOut() {
        return heldOutEvery > 0 && heldOutMaxPairs > 0;
    }

    /**
     * Whether the pair of {@code sourceTokens} is held out: one source sentence in {@code held-out.every} by a hash of
     * its tokens, so every pair of a sentence is on the same side. (String.hashCode is fixed by the Java spec, so the
     * split is stable across runs and nodes.)
     */
    public boolean isHeldOut(java.util.List<String> sourceTokens) {
        if (!holdsOut()) {
            return false;
        }
        int hash = String.join(" ", sourceTokens).hashCode() * 0x9E3779B9;
        return Integer.remainderUnsigned(hash ^ (hash >>> 16), heldOutEvery) == 0;
    }
}
