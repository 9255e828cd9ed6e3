package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import io.rill.nn.MatrixThreads;
import io.rill.request.RequestHandler;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generation at fixed request rates in one JVM, without Kafka: generators of the default model's size (emb 64,
 * hidden 256, the names' characters) asked as the request path asks them, while a thread trains the same model size
 * with the worker's engine (2 parts of 16 lanes, T 64) on random characters, so the figures include the contention
 * with training. Prints per rate the latency from ask to answer (p50/p90/p99/max), answers and failures, the
 * training rate meanwhile and the process's CPU. Asserts nothing; for the figures through Kafka use
 * load-tests/lstm-bench.sh.
 *
 * <p>Usage: {@code GenerationLoad [--names FILE] [--rates 100,1000,3000] [--seconds 10] [--generators 2]
 * [--batch-samples 256] [--train true] [--count 1]}.
 */
public final class GenerationLoad {

  private GenerationLoad() {
  }

  public static void main(String[] args) throws Exception {
    java.util.Map<String, String> o = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].substring(2), args[i + 1]);
    }
    String names = Files.readString(Path.of(o.getOrDefault("names", "../shared/data/names/train.txt")),
        StandardCharsets.UTF_8);
    int[] rates = Arrays.stream(o.getOrDefault("rates", "100,1000,3000").split(",")).mapToInt(Integer::parseInt)
        .toArray();
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "10"));
    int generatorCount = Integer.parseInt(o.getOrDefault("generators", "2"));
    int batchSamples = Integer.parseInt(o.getOrDefault("batch-samples", "256"));
    boolean train = Boolean.parseBoolean(o.getOrDefault("train", "true"));
    int count = Integer.parseInt(o.getOrDefault("count", "1"));
    MatrixThreads.set(1);

    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters(names.replace("\n", ""));
    LstmConfig config = LstmConfig.lstm(64, 256);
    LstmParams params = LstmParams.initialize(config, vocabulary.size(), 1);
    SeenSequences seen = new SeenSequences(1_000_000, 0.01);
    names.lines().forEach(seen::add);
    CharModelView view = new CharModelView("names", params, vocabulary, 1, 0, seen, List.of());

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "load");
    GenerationMetrics metrics = new GenerationMetrics();
    List<ActorRef<Generator.Command>> generators = new ArrayList<>();
    for (int g = 0; g < generatorCount; g++) {
      generators.add(system.systemActorOf(Generator.create(withSeen -> java.util.concurrent.CompletableFuture
              .completedFuture(view), Duration.ofMillis(500), Duration.ofSeconds(10), 10, batchSamples, 11 + g,
          metrics), "generator-" + g, DispatcherSelector.blocking()));
    }

    AtomicBoolean training = new AtomicBoolean(train);
    AtomicLong trained = new AtomicLong();
    Thread trainer = new Thread(() -> {
      CharLstm engine = new CharLstm(config, 2, 2);
      Random random = new Random(3);
      int[][] inputs = new int[32][64];
      int[][] targets = new int[32][64];
      LstmState state = LstmState.zeros(config, 32);
      LstmGradients gradients = LstmGradients.zerosLike(params);
      while (training.get()) {
        for (int[] lane : inputs) {
          for (int t = 0; t < lane.length; t++) {
            lane[t] = random.nextInt(vocabulary.size());
          }
        }
        for (int[] lane : targets) {
          for (int t = 0; t < lane.length; t++) {
            lane[t] = random.nextInt(vocabulary.size());
          }
        }
        state = engine.trainChunk(params.copy(), inputs, targets, state, gradients).finalState();
        trained.addAndGet(32 * 64);
      }
    }, "trainer");
    trainer.setDaemon(true);
    trainer.start();

    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    AtomicInteger next = new AtomicInteger();
    for (int warm = 0; warm < 2; warm++) { // the first rate once untimed: JIT
      for (int rate : warm == 0 ? new int[] {rates[0]} : rates) {
        int total = rate * (warm == 0 ? 3 : seconds);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(total);
        long trainedBefore = trained.get();
        long cpuBefore = os.getProcessCpuTime();
        long passesBefore = metrics.getSamplingPasses();
        long start = System.nanoTime();
        for (int r = 0; r < total; r++) {
          long due = start + (long) (r * 1e9 / rate);
          long now;
          while ((now = System.nanoTime()) < due) {
            if (due - now > 200_000) {
              Thread.sleep(0, 100_000);
            }
          }
          long sent = System.nanoTime();
          GenerationRequest request = new GenerationRequest("r" + r, "names", count, 0.8, 0, "", 32, false);
          CompletionStage<RequestHandler.Answer> answer = AskPattern.ask(
              generators.get(Math.floorMod(next.getAndIncrement(), generators.size())),
              replyTo -> new Generator.Generate(request, replyTo), Duration.ofSeconds(10), system.scheduler());
          answer.whenComplete((a, e) -> {
            if (e != null || !(a instanceof RequestHandler.Reply)) {
              failures.incrementAndGet();
            } else {
              latencies.add(System.nanoTime() - sent);
            }
            done.countDown();
          });
        }
        done.await();
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        if (warm == 1) {
          System.out.printf("%5d req/s: %d answered, %d failed; latency p50 %.2f ms, p90 %.2f, p99 %.2f, max %.2f; "
                  + "%.1f requests per pass; training %.0f chars/s meanwhile; %.2f cores busy, CPU %.0f us per "
                  + "request (training included)%n", rate, sorted.length, failures.get(), ms(sorted, 0.50),
              ms(sorted, 0.90), ms(sorted, 0.99), ms(sorted, 1.0),
              (double) sorted.length / Math.max(1, metrics.getSamplingPasses() - passesBefore),
              (trained.get() - trainedBefore) / wall, cpu / wall, 1e6 * cpu / total);
        }
      }
    }
    training.set(false);
    system.terminate();
  }

  private static double ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
