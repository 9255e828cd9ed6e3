package io.rill.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.rill.generate.GenerationSettings;
import io.rill.kafka.EmbeddedKafkaBroker;
import io.rill.kafka.TopicProvisioner;
import io.rill.kafka.TopicSpec;
import io.rill.lstm.CharModel;
import io.rill.lstm.HeldOutLoss;
import io.rill.lstm.LstmSettings;
import io.rill.lstm.Sampler;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.ops.CharModelMetrics;
import io.rill.ops.IngestStreamMetrics;
import io.rill.ps.CharModelServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One rill run of the character-model benchmark, in this JVM (a child of {@link LstmBench}, so that its CPU and
 * memory figures are its own). Two phases on one embedded broker and one node:
 * <ol>
 *   <li><b>Training.</b> Every pass over the training names, shuffled with a seeded generator, is produced one name
 *       per record <em>before</em> the node starts, so what is timed is the learner, not the producer. The node
 *       learns them; the harness polls the model's metrics and takes the time from the first training step seen to
 *       the last, until the model has trained every character the lanes can make whole chunks of (computed from the
 *       records as produced, {@link #expectedTrained}), or, when that cannot be known, until the count has stood
 *       still for {@code settle} seconds with everything committed. Snapshots taken when the count crosses every
 *       {@code nll-every} passes, and one at the end, are scored on the test names afterwards
 *       ({@link HeldOutLoss}), and names are sampled from the last one.</li>
 *   <li><b>Generation under training.</b> More passes are produced so that the learner keeps training, then
 *       {@link GenerationLoad} sends requests at each rate in turn and measures the replies, while rill's own view
 *       ({@code rill:type=Generation}) is read from this JVM's MBean server before and after each scenario.</li>
 * </ol>
 * Everything it found goes to {@code result.properties} and {@code details.md} in its output directory, for the
 * parent to report.
 */
final class LstmRillRun {

    /** What the parent asks for. {@code overrides} are HOCON lines laid over the bench's node configuration. */
    record Params(Path train, Path test, int passes, String topic, int partitions, boolean roundRobin, int embedding,
                  int hidden, int bptt, int lanes, double learningRate, long seed, List<String> overrides,
                  int nllEvery, int sampleCount, double sampleTemperature, List<Integer> genRates, int genSeconds,
                  int genWarmupSeconds, int genDrainSeconds, int genCount, double genTemperature, int settleSeconds,
                  int timeoutSeconds, Path out) {
    }

    static final String MODEL = "names";

    private static final ObjectName GENERATION_BEAN = name("rill:type=Generation");

    private LstmRillRun() {
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The names as records, one pass after another, and where each went. */
    record Produced(long records, long characters, long[] recordsPerPartition, long expectedTrained, double seconds) {
    }

    static void run(Params p) throws Exception {
        Files.createDirectories(p.out());
        Properties result = new Properties();
        StringBuilder details = new StringBuilder();
        result.setProperty("loadavg.start", ProcMemory.loadAverages());

        List<String> names = Files.readAllLines(p.train(), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isEmpty()).toList();
        Set<String> trainingNames = new HashSet<>(names);
        String testText = Files.readString(p.test(), StandardCharsets.UTF_8);
        long charactersPerPass = names.stream().mapToLong(n -> n.codePointCount(0, n.length()) + 1).sum();
        result.setProperty("data.names", Integer.toString(names.size()));
        result.setProperty("data.distinctNames", Integer.toString(trainingNames.size()));
        result.setProperty("data.charactersPerPass", Long.toString(charactersPerPass));
        result.setProperty("data.testCharacters", Integer.toString(testText.codePointCount(0, testText.length())));

        Path work = p.out().resolve("work");
        Path topicsDir = Files.createDirectories(work.resolve("topics"));
        String deadletterTopic = p.topic() + ".deadletter";
        BenchSupport.writeTopicSpecs(topicsDir, p.topic(), p.partitions(), deadletterTopic);
        String group = "bench-lstm-" + UUID.randomUUID();
        Config probe = nodeConfig(p, work, topicsDir, deadletterTopic, group, "127.0.0.1:1");
        GenerationSettings generation = GenerationSettings.from(probe);
        BenchSupport.writeGenerationTopicSpecs(topicsDir, generation);
        LstmSettings lstm = LstmSettings.from(probe);

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("broker"), BenchSupport.HOST, 0,
                BenchSupport.BROKER_MAX_MESSAGE_BYTES)) {
            String bootstrap = broker.bootstrapServers();
            Properties adminProps = new Properties();
            adminProps.put("bootstrap.servers", bootstrap);
            try (Admin admin = Admin.create(adminProps)) {
                TopicProvisioner.ensure(admin, TopicSpec.loadAll(topicsDir));
                Random shuffle = new Random(p.seed());
                System.out.printf("[rill] producing %,d names x %d passes to %s (%d partitions, %s)%n", names.size(),
                        p.passes(), p.topic(), p.partitions(), p.roundRobin() ? "round robin" : "Kafka's partitioner");
                Produced produced = produce(bootstrap, p, names, p.passes(), shuffle, lstm);
                Map<TopicPartition, Long> ends = BenchSupport.endOffsets(admin, p.topic(), p.partitions());
                long total = ends.values().stream().mapToLong(Long::longValue).sum();
                if (total != produced.records()) {
                    throw new IllegalStateException("topic holds " + total + " records, expected " + produced.records());
                }
                result.setProperty("produce.records", Long.toString(produced.records()));
                result.setProperty("produce.characters", Long.toString(produced.characters()));
                result.setProperty("produce.seconds", fmt(produced.seconds()));
                List<String> split = new ArrayList<>();
                for (int i = 0; i < p.partitions(); i++) {
                    split.add(String.format(Locale.ROOT, "%d: %,d", i, produced.recordsPerPartition()[i]));
                }
                result.setProperty("produce.partitions", String.join(", ", split));
                result.setProperty("train.expected", Long.toString(produced.expectedTrained()));

                System.gc();
                Config config = nodeConfig(p, work, topicsDir, deadletterTopic, group, bootstrap);
                effectiveSettings(config).forEach((k, v) -> result.setProperty("setting." + k, v));
                System.out.printf("[rill] starting the rill node (group %s)%n", group);
                long starting = System.nanoTime();
                RillNode node = RillNode.start(RillSettings.from(config));
                result.setProperty("time.nodeStart", fmt((System.nanoTime() - starting) / 1e9));
                try {
                    train(p, node, ends, produced, charactersPerPass, testText, trainingNames, result, details);
                    if (!p.genRates().isEmpty()) {
                        generate(p, node, bootstrap, generation, names, shuffle, lstm, charactersPerPass, result,
                                details);
                    }
                } finally {
                    node.close();
                }
            }
        }
        result.setProperty("loadavg.end", ProcMemory.loadAverages());
        try (OutputStream out = Files.newOutputStream(p.out().resolve("result.properties"))) {
            result.store(out, "one rill run of the character-model benchmark");
        }
        Files.writeString(p.out().resolve("details.md"), details.toString(), StandardCharsets.UTF_8);
        BenchSupport.deleteTree(work);
    }

    // ---- phase 1: training ----------------------------------------------------------------------------------------

    private static void train(Params p, RillNode node, Map<TopicPartition, Long> ends, Produced produced,
                              long charactersPerPass, String testText, Set<String> trainingNames, Properties result,
                              StringBuilder details) throws Exception {
        long t0 = System.nanoTime();
        long up = t0; // RillNode.start has returned by the time this runs
        CpuSnapshot before = CpuSnapshot.take();
        CharModel model = node.charModels().get(MODEL);
        if (model == null) {
            throw new IllegalStateException("the node has no character model \"" + MODEL + "\"");
        }
        CharModelMetrics metrics = model.metrics();
        long expected = produced.expectedTrained();
        // Snapshots on the way, scored after training so that scoring takes no CPU from it.
        List<Long> thresholds = new ArrayList<>();
        if (expected > 0 && p.nllEvery() > 0) {
            for (int pass = p.nllEvery(); pass < p.passes(); pass += p.nllEvery()) {
                thresholds.add(expected * pass / p.passes());
            }
        }
        List<Integer> checkpointPasses = new ArrayList<>();
        List<CompletableFuture<CharModelServer.Snapshot>> checkpoints = new ArrayList<>();

        long firstIn = -1;
        long firstStep = -1;
        long charsAtFirstStep = 0;
        long stepsAtFirstStep = 0;
        long lastChange = -1;
        long lastChars = 0;
        String ending;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(p.timeoutSeconds());
        long lastPrint = t0;
        while (true) {
            long now = System.nanoTime();
            long chars = metrics.getCharactersTrained();
            long steps = metrics.getSteps();
            List<IngestStreamMetrics> streams = node.status().streams().stream()
                    .filter(s -> s.topic().equals(p.topic())).toList();
            if (firstIn < 0 && streams.stream().mapToLong(IngestStreamMetrics::getRecordsIn).sum() > 0) {
                firstIn = now;
            }
            if (firstStep < 0 && steps > 0) {
                firstStep = now;
                charsAtFirstStep = chars;
                stepsAtFirstStep = steps;
            }
            if (chars != lastChars) {
                lastChars = chars;
                lastChange = now;
            }
            while (checkpoints.size() < thresholds.size() && chars >= thresholds.get(checkpoints.size())) {
                checkpointPasses.add((checkpoints.size() + 1) * p.nllEvery());
                checkpoints.add(model.snapshot(Duration.ofSeconds(60)).toCompletableFuture());
            }
            boolean committed = BenchSupport.allCommitted(streams, ends);
            if (expected > 0 && chars >= expected && committed) {
                ending = chars == expected ? "every trainable character trained (" + String.format(Locale.ROOT,
                        "%,d", expected) + ", computed from the records as produced)"
                        : String.format(Locale.ROOT, "%,d characters trained, more than the %,d expected", chars,
                        expected);
                break;
            }
            if (committed && lastChange > 0 && now - lastChange > TimeUnit.SECONDS.toNanos(p.settleSeconds())) {
                ending = String.format(Locale.ROOT, "the count stood still for %d s with every partition committed "
                        + "(%,d trained, %s expected)", p.settleSeconds(), chars,
                        expected > 0 ? String.format(Locale.ROOT, "%,d", expected) : "not known");
                break;
            }
            if (now > deadline) {
                throw new IllegalStateException(String.format(Locale.ROOT, "after %d s rill had trained %,d of %,d "
                        + "characters; committed: %s", p.timeoutSeconds(), chars, expected, streams.stream()
                        .map(s -> s.partition() + "@" + s.getLastCommittedOffset()).toList()));
            }
            if (now - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
                System.out.printf(Locale.ROOT, "[rill] %.0f s: %,d of %,d characters trained (pass %.2f), steps %,d, "
                                + "%.1f ms/step, training loss %.3f, staleness p99 %d, committed %s%n", (now - t0) / 1e9,
                        chars, expected, chars / (double) charactersPerPass, steps, metrics.getStepMillis(),
                        metrics.getTrainingLoss(), metrics.getStalenessP99(), streams.stream()
                                .map(s -> s.partition() + "@" + s.getLastCommittedOffset()).toList());
                lastPrint = now;
            }
            Thread.sleep(firstStep < 0 ? 5 : 50);
        }
        CpuSnapshot.Phase cpu = CpuSnapshot.take().since(before);
        ProcMemory memory = ProcMemory.self();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long chars = metrics.getCharactersTrained();
        long steps = metrics.getSteps();
        double seconds = (lastChange - firstStep) / 1e9;
        double charsPerSec = (chars - charsAtFirstStep) / seconds;
        double fromFirstIn = (lastChange - firstIn) / 1e9;
        result.setProperty("train.ending", ending);
        result.setProperty("train.characters", Long.toString(chars));
        result.setProperty("train.seconds", fmt(seconds));
        result.setProperty("train.charsPerSec", fmt(charsPerSec));
        result.setProperty("train.charsAtFirstStep", Long.toString(charsAtFirstStep));
        result.setProperty("train.secondsFromFirstRecord", fmt(fromFirstIn));
        result.setProperty("train.charsPerSecFromFirstRecord", fmt(chars / fromFirstIn));
        result.setProperty("train.passesTrained", fmt(chars / (double) charactersPerPass));
        result.setProperty("time.firstRecord", fmt((firstIn - up) / 1e9));
        result.setProperty("time.firstStep", fmt((firstStep - up) / 1e9));
        result.setProperty("time.lastStep", fmt((lastChange - up) / 1e9));
        result.setProperty("lstm.steps", Long.toString(steps));
        result.setProperty("lstm.stepsTimed", Long.toString(steps - stepsAtFirstStep));
        result.setProperty("lstm.stepMillis", fmt(metrics.getStepMillis()));
        result.setProperty("lstm.batchLanes", Integer.toString(metrics.getBatchLanes()));
        result.setProperty("lstm.stalenessP50", Long.toString(metrics.getStalenessP50()));
        result.setProperty("lstm.stalenessP99", Long.toString(metrics.getStalenessP99()));
        result.setProperty("lstm.stalenessMax", Long.toString(metrics.getStalenessMax()));
        result.setProperty("lstm.staleRefused", Long.toString(metrics.getStaleGradientsRefused()));
        result.setProperty("lstm.pulls", Long.toString(metrics.getPulls()));
        result.setProperty("lstm.version", Long.toString(metrics.getVersion()));
        result.setProperty("lstm.trainingLoss", fmt(metrics.getTrainingLoss()));
        result.setProperty("lstm.vocabulary", Integer.toString(metrics.getVocabularySize()));
        result.setProperty("lstm.dropped", Long.toString(metrics.getCharactersDropped()));
        result.setProperty("lstm.sequencesSeen", Long.toString(metrics.getSequencesSeen()));
        result.setProperty("lstm.sequencesHeldOut", Long.toString(metrics.getSequencesHeldOut()));
        result.setProperty("mem.rss", Long.toString(memory.rssBytes()));
        result.setProperty("mem.peakRss", Long.toString(memory.peakRssBytes()));
        result.setProperty("mem.heapUsed", Long.toString(heap.getUsed()));
        result.setProperty("cpu.wall", fmt(cpu.wallSeconds()));
        result.setProperty("cpu.process", fmt(cpu.processCpuSeconds()));
        result.setProperty("cpu.gcSeconds", fmt(cpu.gcSeconds()));
        System.out.printf(Locale.ROOT, "[rill] trained: %,d characters (%s); %,.0f chars/s over %.1f s (first step "
                        + "seen -> last); %,d steps, %.1f ms/step, staleness p50 %d p99 %d max %d; CPU %.1f s; RSS %.0f "
                        + "MiB (peak %.0f MiB)%n", chars, ending, charsPerSec, seconds, steps, metrics.getStepMillis(),
                metrics.getStalenessP50(), metrics.getStalenessP99(), metrics.getStalenessMax(),
                cpu.processCpuSeconds(), memory.rssBytes() / ProcMemory.MIB, memory.peakRssBytes() / ProcMemory.MIB);

        // Scoring, now that training is over: the final snapshot, then the ones taken on the way.
        CharModelServer.Snapshot last = model.snapshot(Duration.ofSeconds(60)).toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        long scoring = System.nanoTime();
        double finalNll = nll(last, testText);
        result.setProperty("nll.final", fmt(finalNll));
        result.setProperty("nll.final.characters", Long.toString(last.charactersTrained()));
        result.setProperty("nll.seconds", fmt((System.nanoTime() - scoring) / 1e9));
        for (int i = 0; i < checkpoints.size(); i++) {
            CharModelServer.Snapshot snapshot = checkpoints.get(i).get(60, TimeUnit.SECONDS);
            result.setProperty("nll.checkpoint." + (i + 1) + ".pass", Integer.toString(checkpointPasses.get(i)));
            result.setProperty("nll.checkpoint." + (i + 1) + ".characters",
                    Long.toString(snapshot.charactersTrained()));
            result.setProperty("nll.checkpoint." + (i + 1), fmt(nll(snapshot, testText)));
        }
        result.setProperty("nll.checkpoints", Integer.toString(checkpoints.size()));
        System.out.printf(Locale.ROOT, "[rill] test NLL %.4f nats/char after %,d characters (%.2f passes)%n",
                finalNll, last.charactersTrained(), last.charactersTrained() / (double) charactersPerPass);

        // Names from the final model, and which of them are not training names.
        int maxLength = node.settings().config().getInt("rill.generate.default-max-length");
        Sampler sampler = new Sampler(last.params(), last.vocabulary());
        List<Sampler.Sample> drawn = p.sampleCount() > 0
                ? sampler.sample("", p.sampleCount(), p.sampleTemperature(), 0, maxLength, new Random(p.seed() + 1))
                : List.of();
        int fresh = 0;
        for (int i = 0; i < drawn.size(); i++) {
            Sampler.Sample s = drawn.get(i);
            boolean isNew = !trainingNames.contains(s.text());
            fresh += isNew ? 1 : 0;
            result.setProperty("sample." + (i + 1), s.text());
            result.setProperty("sample." + (i + 1) + ".new", Boolean.toString(isNew));
            result.setProperty("sample." + (i + 1) + ".ended", Boolean.toString(s.ended()));
        }
        result.setProperty("samples", Integer.toString(drawn.size()));
        result.setProperty("sample.temperature", Double.toString(p.sampleTemperature()));
        result.setProperty("samples.new", Integer.toString(fresh));
        result.setProperty("samples.maxLength", Integer.toString(maxLength));

        details.append(String.format(Locale.ROOT, "- Timeline, seconds after `RillNode.start` returned: first record "
                        + "taken in %.2f, first training step seen %.2f, last step seen %.2f. Ended: %s.%n",
                (firstIn - up) / 1e9, (firstStep - up) / 1e9, (lastChange - up) / 1e9, ending));
        details.append(String.format(Locale.ROOT, "- From the first record taken in to the last step: %,.0f chars/s "
                + "(%,d characters in %.1f s).%n", chars / fromFirstIn, chars, fromFirstIn));
        details.append(String.format(Locale.ROOT, "- Scoring the final snapshot on the test names took %.1f s (after "
                + "training; the snapshots on the way were scored after it too).%n", num(result, "nll.seconds")));
        details.append(String.format(Locale.ROOT, "- Model at the end of training: version %,d, %,d pulls, training "
                        + "loss (smoothed) %.4f, vocabulary %d, characters dropped %,d, sequences %,d (held out %,d), "
                        + "stale gradients refused %,d, batch lanes %d.%n", metrics.getVersion(), metrics.getPulls(),
                metrics.getTrainingLoss(), metrics.getVocabularySize(), metrics.getCharactersDropped(),
                metrics.getSequencesSeen(), metrics.getSequencesHeldOut(), metrics.getStaleGradientsRefused(),
                metrics.getBatchLanes()));
        details.append(String.format(Locale.ROOT, "- Memory at the end of training: RSS %.0f MiB (peak %.0f MiB), heap "
                        + "used %.0f MiB; the JVM also holds the broker.%n", memory.rssBytes() / ProcMemory.MIB,
                memory.peakRssBytes() / ProcMemory.MIB, heap.getUsed() / ProcMemory.MIB));
        appendCpu(details, "CPU from node up to training done", cpu);
    }

    private static double nll(CharModelServer.Snapshot snapshot, String testText) {
        try {
            return HeldOutLoss.natsPerCharacter(snapshot.params(), snapshot.vocabulary(), testText);
        } catch (IllegalArgumentException e) {
            System.out.println("[rill] cannot score the test names: " + e.getMessage());
            return Double.NaN;
        }
    }

    // ---- phase 2: generation under training -----------------------------------------------------------------------

    private static void generate(Params p, RillNode node, String bootstrap, GenerationSettings generation,
                                 List<String> names, Random shuffle, LstmSettings lstm, long charactersPerPass,
                                 Properties result, StringBuilder details) throws Exception {
        CharModelMetrics metrics = node.charModels().get(MODEL).metrics();
        double trainRate = Double.parseDouble(result.getProperty("train.charsPerSec"));
        // Enough passes that the learner is still busy when the last scenario has drained: the whole phase at the
        // training rate measured above, with half as much again for good measure. Produced before the load starts.
        int seconds = p.genWarmupSeconds() + 5 + p.genRates().size() * (p.genSeconds() + p.genDrainSeconds());
        int passes = (int) Math.min(500, Math.max(2, Math.ceil(1.5 * trainRate * seconds / charactersPerPass)));
        System.out.printf("[rill] generation phase: producing %d more passes so that training goes on%n", passes);
        Produced more = produce(bootstrap, p, names, passes, shuffle, lstm);
        result.setProperty("gen.backlogPasses", Integer.toString(passes));
        result.setProperty("gen.count", Integer.toString(p.genCount()));
        result.setProperty("gen.temperature", Double.toString(p.genTemperature()));
        result.setProperty("gen.backlogSeconds", fmt(more.seconds()));
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long startChars = metrics.getCharactersTrained();
        while (metrics.getCharactersTrained() == startChars && System.nanoTime() < waitUntil) {
            Thread.sleep(20);
        }
        if (metrics.getCharactersTrained() == startChars) {
            throw new IllegalStateException("the model did not start training on the new passes within 30 s");
        }

        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        int scenarios = p.genRates().size();
        Duration lifetime = Duration.ofSeconds(60L + p.genWarmupSeconds() + p.genDrainSeconds()
                + (long) scenarios * (3L * p.genSeconds() + p.genDrainSeconds()));
        try (GenerationLoad load = new GenerationLoad(bootstrap, generation.requestsTopic(),
                generation.repliesTopic(), MODEL, p.genCount(), p.genTemperature(), lifetime)) {
            if (p.genWarmupSeconds() > 0) {
                int rate = p.genRates().get(0);
                System.out.printf("[rill] warm-up: %d requests/s for %d s%n", rate, p.genWarmupSeconds());
                GenerationLoad.Result warm = load.run("warmup", rate, p.genWarmupSeconds(), p.genDrainSeconds());
                result.setProperty("gen.warmup", String.format(Locale.ROOT, "%d requests/s for %d s: %,d sent, %,d "
                                + "answered, client p50 %.1f ms, p99 %.1f ms", rate, p.genWarmupSeconds(), warm.sent(),
                        warm.sent() - warm.unanswered(), warm.client().p50(), warm.client().p99()));
            }
            for (int i = 0; i < scenarios; i++) {
                int rate = p.genRates().get(i);
                String key = "gen." + (i + 1) + ".";
                jmx.invoke(GENERATION_BEAN, "resetLatencies", null, null); // percentiles per scenario
                Map<String, Object> jmxBefore = readBean(jmx);
                long charsBefore = metrics.getCharactersTrained();
                long stepsBefore = metrics.getSteps();
                double stepMillisBefore = metrics.getStepMillis();
                CpuSnapshot cpuBefore = CpuSnapshot.take();
                String loadBefore = ProcMemory.loadAverages();
                System.out.printf("[rill] scenario %d: %d requests/s for %d s (count %d, temperature %s)%n", i + 1,
                        rate, p.genSeconds(), p.genCount(), p.genTemperature());
                long started = System.nanoTime();
                GenerationLoad.Result r = load.run("r" + rate + "x" + (i + 1), rate, p.genSeconds(),
                        p.genDrainSeconds());
                double wall = (System.nanoTime() - started) / 1e9;
                CpuSnapshot.Phase cpu = CpuSnapshot.take().since(cpuBefore);
                long charsAfter = metrics.getCharactersTrained();
                long stepsAfter = metrics.getSteps();
                double stepMillisAfter = metrics.getStepMillis();
                Map<String, Object> jmxAfter = readBean(jmx);
                result.setProperty(key + "rate", Integer.toString(rate));
                result.setProperty(key + "seconds", Integer.toString(p.genSeconds()));
                result.setProperty(key + "planned", Long.toString(r.planned()));
                result.setProperty(key + "sent", Long.toString(r.sent()));
                result.setProperty(key + "sendFailures", Long.toString(r.sendFailures()));
                result.setProperty(key + "replies", Long.toString(r.replies()));
                result.setProperty(key + "errors", Long.toString(r.errors()));
                result.setProperty(key + "errorCodes", r.errorCodes().toString());
                result.setProperty(key + "unanswered", Long.toString(r.unanswered()));
                result.setProperty(key + "achievedRate", fmt(r.achievedRate()));
                result.setProperty(key + "maxBehindMillis", fmt(r.maxBehindMillis()));
                result.setProperty(key + "drainSeconds", fmt(r.drainSeconds()));
                putLatencies(result, key + "client.", r.client());
                putLatencies(result, key + "stamped.", r.timestamps());
                result.setProperty(key + "samples", Long.toString(r.samples()));
                result.setProperty(key + "meanSampleLength", fmt(r.meanSampleLength()));
                long stepsDuring = stepsAfter - stepsBefore;
                result.setProperty(key + "trainCharsPerSec", fmt((charsAfter - charsBefore) / wall));
                result.setProperty(key + "trainSteps", Long.toString(stepsDuring));
                result.setProperty(key + "trainStepMillis", fmt(stepsDuring == 0 ? Double.NaN
                        : (stepMillisAfter * stepsAfter - (stepsBefore == 0 ? 0 : stepMillisBefore * stepsBefore))
                        / stepsDuring));
                result.setProperty(key + "cpuCores", fmt(cpu.coresBusy()));
                result.setProperty(key + "loadavg", loadBefore + " -> " + ProcMemory.loadAverages());
                for (String attribute : List.of("Requests", "Replies", "ErrorReplies")) {
                    result.setProperty(key + "jmx." + attribute, Long.toString(
                            ((Number) jmxAfter.get(attribute)).longValue()
                                    - ((Number) jmxBefore.get(attribute)).longValue()));
                }
                for (String attribute : List.of("SamplingLatencyP50Millis", "SamplingLatencyP99Millis",
                        "RequestLatencyP50Millis", "RequestLatencyP99Millis", "ErrorsByCode")) {
                    result.setProperty(key + "jmx." + attribute, String.valueOf(jmxAfter.get(attribute)));
                }
                System.out.printf(Locale.ROOT, "[rill] scenario %d: %,d sent (%.0f/s), %,d replies, %,d errors, %,d "
                                + "unanswered; client latency p50 %.1f p90 %.1f p99 %.1f max %.1f ms; training went on "
                                + "at %,.0f chars/s%n", i + 1, r.sent(), r.achievedRate(), r.replies(), r.errors(),
                        r.unanswered(), r.client().p50(), r.client().p90(), r.client().p99(), r.client().max(),
                        (charsAfter - charsBefore) / wall);
            }
            result.setProperty("gen.scenarios", Integer.toString(scenarios));
            result.setProperty("gen.ignoredReplies", Long.toString(load.ignored()));
        }
        ProcMemory memory = ProcMemory.self();
        result.setProperty("gen.peakRss", Long.toString(memory.peakRssBytes()));
        details.append(String.format(Locale.ROOT, "- Generation phase: %d more passes produced first (%.1f s) so that "
                        + "training went on under the load; peak RSS at its end %.0f MiB.%n", passes, more.seconds(),
                memory.peakRssBytes() / ProcMemory.MIB));
    }

    private static void putLatencies(Properties result, String key, GenerationLoad.Latencies l) {
        result.setProperty(key + "count", Long.toString(l.count()));
        result.setProperty(key + "p50", fmt(l.p50()));
        result.setProperty(key + "p90", fmt(l.p90()));
        result.setProperty(key + "p99", fmt(l.p99()));
        result.setProperty(key + "max", fmt(l.max()));
        result.setProperty(key + "mean", fmt(l.mean()));
    }

    private static Map<String, Object> readBean(MBeanServer jmx) throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String attribute : List.of("Requests", "Replies", "ErrorReplies", "ErrorsByCode",
                "SamplingLatencyP50Millis", "SamplingLatencyP99Millis", "RequestLatencyP50Millis",
                "RequestLatencyP99Millis")) {
            values.put(attribute, jmx.getAttribute(GENERATION_BEAN, attribute));
        }
        return values;
    }

    // ---- data -----------------------------------------------------------------------------------------------------

    /**
     * Produces {@code passes} passes over {@code names} ({@link NameRecords}) and works out how many characters the
     * model can train on them.
     */
    private static Produced produce(String bootstrap, Params p, List<String> names, int passes, Random shuffle,
                                    LstmSettings lstm) throws Exception {
        NameRecords.Sent sent = NameRecords.produce(bootstrap, p.topic(), p.partitions(), p.roundRobin(), names,
                passes, shuffle);
        long expected = lstm.holdsOut() ? -1 : expectedTrained(sent.partitionOf(), sent.unitLength(), p.partitions(),
                lstm.lanesPerStream(), lstm.bpttSteps());
        return new Produced(sent.records(), sent.characters(), sent.recordsPerPartition(p.partitions()), expected,
                sent.seconds());
    }

    /**
     * How many characters the model trains on these records, with nothing held out: each partition's stream deals
     * every unit (a name and its end-of-sequence) to its lane with the fewest ids waiting, the first on a tie, as
     * {@code io.rill.lstm.StreamLanes} does; a lane starts with one end-of-sequence input. A chunk needs T + 1 ids in
     * every lane and moves every lane on by T, which leaves the lanes' differences as they were, so the number of
     * chunks a stream trains does not depend on how feeding and training interleave: (shortest lane - 1) / T, each
     * lanes x T characters.
     */
    static long expectedTrained(int[] partitionOf, int[] unitLength, int partitions, int lanes, int steps) {
        long[][] lengths = new long[partitions][lanes];
        for (long[] lane : lengths) {
            java.util.Arrays.fill(lane, 1);
        }
        for (int i = 0; i < partitionOf.length; i++) {
            long[] lane = lengths[partitionOf[i]];
            int shortest = 0;
            for (int l = 1; l < lanes; l++) {
                if (lane[l] < lane[shortest]) {
                    shortest = l;
                }
            }
            lane[shortest] += unitLength[i];
        }
        long total = 0;
        for (long[] lane : lengths) {
            long shortest = java.util.Arrays.stream(lane).min().orElse(1);
            total += (shortest - 1) / steps * lanes * steps;
        }
        return total;
    }

    // ---- configuration --------------------------------------------------------------------------------------------

    /** The node: one character stream, one model on it, held-out off, skip-gram off, the comparison's sizes. */
    private static Config nodeConfig(Params p, Path work, Path topicsDir, String deadletterTopic, String group,
                                     String bootstrap) {
        Config bench = ConfigFactory.empty()
                .withValue("rill.node.data-dir", ConfigValueFactory.fromAnyRef(work.resolve("node").toString()))
                .withValue("rill.kafka.bootstrap-servers", ConfigValueFactory.fromAnyRef(bootstrap))
                .withValue("rill.kafka.group-id", ConfigValueFactory.fromAnyRef(group))
                .withValue("rill.kafka.topics-dir", ConfigValueFactory.fromAnyRef(topicsDir.toString()))
                .withValue("rill.ingest.streams", ConfigValueFactory.fromAnyRef(List.of(Map.of(
                        "topic", p.topic(), "tokenizer", "characters", "batch-bytes", 65536))))
                .withValue("rill.ingest.deadletter-topic", ConfigValueFactory.fromAnyRef(deadletterTopic))
                .withValue("rill.jmx.remote.enabled", ConfigValueFactory.fromAnyRef(false))
                .withValue("rill.lstm.models", ConfigValueFactory.fromAnyRef(List.of(Map.of(
                        "name", MODEL, "topics", List.of(p.topic()), "sequences", "line"))));
        for (Map.Entry<String, Object> e : benchSettings(p).entrySet()) {
            bench = bench.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
        }
        return BenchSupport.overrides(p.overrides()).withFallback(bench).withFallback(ConfigFactory.load()).resolve();
    }

    /** The settings this bench sets besides the topics, as the report lists them. */
    static Map<String, Object> benchSettings(Params p) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rill.skipgram.enabled", false);
        s.put("rill.lstm.enabled", true);
        s.put("rill.lstm.held-out.every", 0);
        s.put("rill.lstm.embedding-size", p.embedding());
        s.put("rill.lstm.hidden-size", p.hidden());
        s.put("rill.lstm.bptt-steps", p.bptt());
        s.put("rill.lstm.lanes-per-stream", p.lanes());
        s.put("rill.lstm.learning-rate", p.learningRate());
        s.put("rill.generate.enabled", true);
        return s;
    }

    /** The settings that shape the comparison and the throughput, as this run had them. */
    private static Map<String, String> effectiveSettings(Config config) {
        Map<String, String> shown = new TreeMap<>();
        config.getConfig("rill.lstm").entrySet().forEach(e -> {
            if (!e.getKey().startsWith("worker-dispatcher")) {
                shown.put("rill.lstm." + e.getKey(), String.valueOf(e.getValue().unwrapped()));
            }
        });
        config.getConfig("rill.generate").entrySet().forEach(e -> {
            if (!e.getKey().startsWith("dispatcher")) {
                shown.put("rill.generate." + e.getKey(), String.valueOf(e.getValue().unwrapped()));
            }
        });
        for (String key : List.of("rill.lstm.worker-dispatcher.thread-pool-executor.fixed-pool-size",
                "rill.generate.dispatcher.thread-pool-executor.fixed-pool-size", "rill.ingest.streams",
                "rill.ingest.batch-size", "rill.ingest.batch-window", "rill.skipgram.enabled")) {
            shown.put(key, String.valueOf(config.getValue(key).unwrapped()));
        }
        return shown;
    }

    private static void appendCpu(StringBuilder md, String phase, CpuSnapshot.Phase cpu) {
        // ND4J's OpenMP and BLAS threads are native threads the JVM does not list: their CPU time is in the process
        // total, not in the Java threads'.
        md.append(String.format(Locale.ROOT, "- %s: %.1f s wall, %.1f CPU s (%.2f cores busy), of which Java threads "
                        + "%.1f s (in the kernel %.1f s), native threads the JVM does not list (ND4J's OpenMP/BLAS "
                        + "threads, GC, JIT) %.1f s; GC pauses %d, %.2f s. CPU s by Java thread group (threads): ", phase, cpu.wallSeconds(), cpu.processCpuSeconds(), cpu.coresBusy(),
                cpu.javaThreadsCpuSeconds(), cpu.javaThreadsSystemSeconds(),
                cpu.processCpuSeconds() - cpu.javaThreadsCpuSeconds(), cpu.gcCount(), cpu.gcSeconds()));
        List<String> groups = new ArrayList<>();
        cpu.top(10).forEach((g, s) -> groups.add(String.format(Locale.ROOT, "`%s` %.1f", g, s)));
        md.append(String.join(", ", groups)).append(".\n");
    }

    private static double num(Properties result, String key) {
        return Double.parseDouble(result.getProperty(key));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
