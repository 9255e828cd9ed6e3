package io.rill.lstm;

import com.typesafe.config.Config;
import io.rill.nn.CellType;
import java.time.Duration;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A character model's settings: the {@code rill.lstm} section of the configuration with the model's own keys of
 * {@code rill.models} laid over it, read once; every key is documented in application.conf.
 */
public record LstmSettings(
    LstmConfig architecture,
    int bpttSteps,
    int lanesPerStream,
    double learningRate,
    double gradientClip,
    int pullEverySteps,
    int maxStaleness,
    Duration gatherWindow,
    int maxVocabulary,
    int maxBufferedCharacters,
    Duration stepTimeout,
    long seed,
    int heldOutEvery,
    int heldOutMaxLines,
    int progressEverySteps,
    int progressSamples,
    double progressTemperature,
    int computeThreads) {

  public static final String WORKER_DISPATCHER = "rill.lstm.worker-dispatcher";

  /**
   * One model: its name, its topics, and whether one line is one sequence ({@code linePerSequence}) or newline is an
   * ordinary character of running text.
   */
  public record Model(String name, List<String> topics, boolean linePerSequence) {
  }

  /** The defaults of every character model: {@code rill.lstm} of the whole configuration {@code config}. */
  public static LstmSettings from(Config config) {
    return of(config.getConfig("rill.lstm"));
  }

  /** One model's settings, {@code section} being its keys over {@code rill.lstm}'s. */
  public static LstmSettings of(Config c) {
    LstmConfig architecture = new LstmConfig(CellType.parse(c.getString("cell")), c.getInt("embedding-size"),
        c.getInt("hidden-size"), c.getInt("layers"), c.getDouble("dropout"), DataType.FLOAT);
    LstmSettings settings = new LstmSettings(
        architecture,
        c.getInt("bptt-steps"),
        c.getInt("lanes-per-stream"),
        c.getDouble("learning-rate"),
        c.getDouble("gradient-clip"),
        c.getInt("pull-every-steps"),
        c.getInt("max-staleness"),
        c.getDuration("gather-window"),
        c.getInt("max-vocabulary"),
        c.getInt("max-buffered-characters"),
        c.getDuration("step-timeout"),
        c.getLong("seed"),
        c.getInt("held-out.every"),
        c.getInt("held-out.max-lines"),
        c.getInt("progress.every-steps"),
        c.getInt("progress.samples"),
        c.getDouble("progress.temperature"),
        computeThreads(c.getInt("compute-threads")));
    settings.validate();
    return settings;
  }

  /** {@code compute-threads}: 0 is one per core. */
  private static int computeThreads(int configured) {
    if (configured < 0) {
      throw new IllegalArgumentException("rill.lstm: compute-threads must not be negative");
    }
    return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
  }

  private void validate() {
    require(bpttSteps >= 1, "bptt-steps must be at least 1");
    require(lanesPerStream >= 1, "lanes-per-stream must be at least 1");
    require(pullEverySteps >= 1, "pull-every-steps must be at least 1");
    require(maxStaleness >= pullEverySteps, "max-staleness must be at least pull-every-steps");
    require(maxVocabulary >= 2, "max-vocabulary must be at least 2");
    require(maxBufferedCharacters >= 0, "max-buffered-characters must not be negative");
    require(learningRate > 0 && gradientClip > 0, "learning-rate and gradient-clip must be positive");
    require(progressTemperature > 0, "progress.temperature must be positive");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("rill.lstm: " + message);
    }
  }

  /** Whether one line is one sequence ({@code sequences = "line"}) or lines are running text ({@code "text"}). */
  public static boolean linePerSequence(String sequences) {
    return switch (sequences) {
      case "line" -> true;
      case "text" -> false;
      default -> throw new IllegalArgumentException(
          "a char-lstm model's sequences must be \"line\" or \"text\", not \"" + sequences + "\"");
    };
  }

  /** Whether held-out lines are drawn from the streams. */
  public boolean holdsOut() {
    return heldOutEvery > 0 && heldOutMaxLines > 0;
  }
}
