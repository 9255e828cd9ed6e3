package io.rill.lstm;

import io.rill.nn.Adam;
import io.rill.nn.GradientClipping;
import io.rill.nn.MatrixThreads;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Training throughput and held-out loss of the character LSTM on a names file, set up like the PyTorch reference
 * the project compares against: the names joined by newlines (order shuffled every pass) read as one stream after a
 * leading newline, cut into B parallel streams with the state carried from chunk to chunk and reset each pass,
 * truncated BPTT over T steps, Adam, global gradient-norm clipping at 5. The vocabulary is every character of the
 * training and test files, as there.
 *
 * <p>Prints figures, asserts nothing. Usage:
 * {@code LstmBenchmark --train FILE [--test FILE] [--passes 1] [--emb 64] [--hidden 256] [--batch 32] [--bptt 64]
 * [--lr 2e-3] [--layers 1] [--dropout 0] [--seed 0] [--threads N] [--compute-threads N] [--samples 5]};
 * {@code --threads} caps the threads of the matrix products (ND4J's default is one per core), {@code
 * --compute-threads} the parts a chunk's lanes are trained in at once (1: on the main thread alone, as before;
 * with more, pass {@code --threads 1} as the node does); {@code --samples} names are drawn at the end. Besides
 * chars/s (wall clock) it prints the process's CPU time per character trained, which a machine shared with other
 * work changes less.
 */
public final class LstmBenchmark {

  private LstmBenchmark() {
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> options = parse(args);
    Path trainFile = Path.of(required(options, "train"));
    String testFile = options.get("test");
    int passes = Integer.parseInt(options.getOrDefault("passes", "1"));
    int emb = Integer.parseInt(options.getOrDefault("emb", "64"));
    int hidden = Integer.parseInt(options.getOrDefault("hidden", "256"));
    int batch = Integer.parseInt(options.getOrDefault("batch", "32"));
    int bptt = Integer.parseInt(options.getOrDefault("bptt", "64"));
    double lr = Double.parseDouble(options.getOrDefault("lr", "2e-3"));
    int layers = Integer.parseInt(options.getOrDefault("layers", "1"));
    double dropout = Double.parseDouble(options.getOrDefault("dropout", "0"));
    long seed = Long.parseLong(options.getOrDefault("seed", "0"));
    if (options.containsKey("threads")) {
      MatrixThreads.set(Integer.parseInt(options.get("threads")));
    }
    int computeThreads = Integer.parseInt(options.getOrDefault("compute-threads", "1"));
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    String train = Files.readString(trainFile, StandardCharsets.UTF_8);
    String test = testFile == null ? "" : Files.readString(Path.of(testFile), StandardCharsets.UTF_8);
    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters(train + test);
    LstmConfig config = LstmConfig.lstm(emb, hidden).withLayers(layers).withDropout(dropout);
    LstmParams params = LstmParams.initialize(config, vocabulary.size(), seed);
    Adam adam = new Adam(params.tensors(), lr, 0.9, 0.999, 1e-8);
    CharLstm engine = new CharLstm(config, seed + 1, computeThreads);
    LstmGradients gradients = LstmGradients.zerosLike(params);
    List<String> names = new ArrayList<>(Arrays.asList(train.replaceAll("^\n+|\n+$", "").split("\n")));
    Random shuffle = new Random(seed);
    System.out.printf("vocabulary %d, %d names, %d parameters, emb %d, hidden %d, layers %d, batch %d, bptt %d, "
            + "BLAS threads %d, parts per chunk %d%n", vocabulary.size(), names.size(), params.size(), emb, hidden,
        layers, batch, bptt, MatrixThreads.blasThreads(), engine.parts(batch));

    long characters = 0;
    double trainingSeconds = 0;
    double adamSeconds = 0;
    double cpuSeconds = 0;
    for (int pass = 1; pass <= passes; pass++) {
      Collections.shuffle(names, shuffle);
      ParallelStreams streams = new ParallelStreams(
          vocabulary.encode("\n" + String.join("\n", names) + "\n"), batch, bptt);
      LstmState state = LstmState.zeros(config, batch);
      double lossSum = 0;
      long start = System.nanoTime();
      long cpuStart = os.getProcessCpuTime();
      for (int k = 0; k < streams.chunks(); k++) {
        CharLstm.ChunkResult result = engine.trainChunk(params, streams.inputs(k), streams.targets(k), state,
            gradients);
        long optimizerStart = System.nanoTime();
        GradientClipping.clipGlobalNorm(gradients.tensors(), GradientClipping.DEFAULT_MAX_NORM);
        adam.step(params.tensors(), gradients.tensors());
        adamSeconds += (System.nanoTime() - optimizerStart) / 1e9;
        state = result.finalState();
        lossSum += result.loss();
        characters += streams.charactersPerChunk();
      }
      trainingSeconds += (System.nanoTime() - start) / 1e9;
      cpuSeconds += (os.getProcessCpuTime() - cpuStart) / 1e9;
      System.out.printf("pass %d: train loss %.4f, %.0f chars/s, CPU %.2f us/char (%.2f cores busy)%n", pass,
          lossSum / streams.chunks(), characters / trainingSeconds, 1e6 * cpuSeconds / characters,
          cpuSeconds / trainingSeconds);
      if (!test.isEmpty() && (pass % 5 == 0 || pass == passes)) {
        System.out.printf("pass %d: test NLL %.4f nats/char%n", pass,
            HeldOutLoss.natsPerCharacter(params, vocabulary, test));
      }
    }

    int samples = Integer.parseInt(options.getOrDefault("samples", "5"));
    Sampler sampler = new Sampler(params, vocabulary);
    Random sampling = new Random(seed);
    for (int k = 0; k < samples; k++) {
      Sampler.Sample sample = sampler.sample("", 0.8, 0, 24, sampling);
      System.out.printf("sample (temperature 0.8): %-24s log p %.2f%n", sample.text(), sample.logProbability());
    }

    double total = trainingSeconds;
    System.out.printf("time per phase over %.2f s of training:%n", total);
    engine.phaseTimes().seconds().forEach((phase, seconds) ->
        System.out.printf("  %-12s %6.2f s  %5.1f %%%n", phase, seconds, 100 * seconds / total));
    System.out.printf("  %-12s %6.2f s  %5.1f %%%n", "CLIP_ADAM", adamSeconds, 100 * adamSeconds / total);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }
}
