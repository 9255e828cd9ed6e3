package io.rill.cli;

import io.rill.classify.ClassifierMetrics;
import io.rill.classify.ClassifierModel;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import com.typesafe.config.ConfigValueFactory;
import io.rill.lstm.CharModelMetrics;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.skipgram.SkipGramLearner;
import io.rill.skipgram.SkipGramQueries;
import io.rill.lstm.CharModel;
import io.rill.ingest.StreamSpec;
import io.rill.translate.AttentionPicture;
import io.rill.translate.TranslatedSentence;
import io.rill.translate.TranslationModel;
import io.rill.translate.TranslatorMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code rill demo}: a node, plus a feeder that streams the bundled names and Moby-Dick into its topics (and the MR
 * sentences into the labelled topic when {@code ../shared/data/mr/mr.tsv} is there, and the train side of the shared
 * English-French pairs into the parallel topic when that file is there), plus a live view of what the node does.
 * Runs until Ctrl-C, or with {@code --exit-when-done} until everything fed has been taken in and committed.
 */
@Command(name = "demo", description = "Run a node and feed it the bundled names and corpus (and MR's labelled sentences "
        + "and English-French pairs when ../shared has them), with a live view.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    RillCli.ConfigOption options;

    @Option(names = "--rate", defaultValue = "400", description = "Records per second to feed (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--passes", defaultValue = "20", description = "Times to feed the data (default ${DEFAULT-VALUE}); the node keeps running after.")
    int passes;

    @Option(names = "--exit-when-done", description = "Stop once everything fed is taken in and committed.")
    boolean exitWhenDone;

    @Option(names = "--refresh-ms", defaultValue = "1000", description = "Live view refresh (default ${DEFAULT-VALUE} ms).")
    long refreshMillis;

    @Option(names = "--no-jmx", description = "Do not open remote JMX (by default the demo opens it on loopback, so "
            + "that rill neighbours/analogy/... can ask it).")
    boolean noJmx;

    @Option(names = "--names-every-steps", defaultValue = "20", description = "Draw fresh names every this many "
            + "training steps of the names model (default ${DEFAULT-VALUE}; the service's default is rarer).")
    int progressEverySteps;

    @Option(names = "--labelled", paramLabel = "FILE", defaultValue = "../shared/data/mr/mr.tsv",
            description = "Labelled sentences for the classifier, label<TAB>sentence or label<TAB>fold<TAB>sentence "
                    + "per line (the fold is dropped), fed when the file exists (default ${DEFAULT-VALUE}).")
    Path labelled;
    @Option(names = "--parallel", paramLabel = "FILE", defaultValue = "../shared/data/translation/eng-fra.tsv",
            description = "Sentence pairs to feed the translator when the file exists: split<TAB>english<TAB>french"
                    + "<TAB>attribution, train rows only (default ${DEFAULT-VALUE}).")
    Path parallel;

    @Option(names = "--translations-every-steps", defaultValue = "40", description = "Translate the sample sentence "
            + "(with its map) every this many training steps of the translator (default ${DEFAULT-VALUE}).")
    int translationEverySteps;

    @Option(names = "--watch", split = ",", defaultValue = "whale,sea,ship,captain,ahab",
            description = "Words whose nearest neighbours the live view shows (default ${DEFAULT-VALUE}).")
    List<String> watched;

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || passes < 1) {
            System.err.println("--rate and --passes must be at least 1");
            return 2;
        }
        RillSettings settings = options.settings();
        if (progressEverySteps > 0) {
            settings = RillSettings.from(settings.config().withValue("rill.lstm.progress.every-steps",
                    ConfigValueFactory.fromAnyRef(progressEverySteps)));
        }
        if (translationEverySteps > 0) {
            settings = RillSettings.from(settings.config().withValue("rill.translate.progress.every-steps",
                    ConfigValueFactory.fromAnyRef(translationEverySteps)));
        }
        if (!noJmx) {
            settings = RillSettings.from(settings.config().withValue("rill.jmx.remote.enabled",
                    ConfigValueFactory.fromAnyRef(true)));
        }
        RillNode node = RillNode.start(settings);
        SkipGramLearner skipGram = node.models(SkipGramLearner.class).values().stream().findFirst().orElse(null);
        SkipGramQueries queries = skipGram == null ? null : new SkipGramQueries(skipGram);
        List<String> learnerLines = List.of();
        long learnerShownAt = 0;
        String names = topicFor(settings, "characters", "rill.text.names");
        String corpus = topicFor(settings, "words", "rill.text.corpus");
        String labelledTopic = topicOfKind(settings, "kim-cnn");
        String pairsTopic = topicOfKind(settings, "attention");
        List<String> pairs = pairsTopic != null && parallel != null && Files.isRegularFile(parallel)
                ? DemoFeeder.parallelPairs(Files.readAllLines(parallel, StandardCharsets.UTF_8)) : List.of();
        if (pairs.isEmpty()) {
            System.out.println("demo: no sentence pairs (" + parallel + " not found); the translator waits for pairs on "
                    + (pairsTopic == null ? "its topic" : pairsTopic));
        }
        DemoFeeder feeder = new DemoFeeder(settings.clientProperties(node.bootstrapServers()), names, corpus,
                labelledTopic, labelledTopic == null ? List.of() : labelledLines(labelled), pairsTopic, pairs, rate,
                passes);
        Thread feeding = new Thread(feeder, "rill-demo-feeder");
        feeding.setDaemon(true);
        feeding.start();
        // Ctrl-C: the feeder stops before the node does, so that it never produces to a broker that is going away.
        akka.actor.CoordinatedShutdown.get(node.system()).addTask(
                akka.actor.CoordinatedShutdown.PhaseBeforeServiceUnbind(), "stop-demo-feeder", () -> {
                    feeder.stop(java.time.Duration.ofSeconds(5));
                    return java.util.concurrent.CompletableFuture.completedFuture(akka.Done.getInstance());
                });
        LiveView view = new LiveView(System.out, System.console() != null);
        long lastSent = 0;
        long lastTime = System.nanoTime();
        while (!node.system().getWhenTerminated().toCompletableFuture().isDone()) {
            Thread.sleep(refreshMillis);
            long now = System.nanoTime();
            long sent = feeder.sent();
            double feedRate = (sent - lastSent) * 1e9 / Math.max(1, now - lastTime);
            lastSent = sent;
            lastTime = now;
            if (now - learnerShownAt > 5_000_000_000L) {
                learnerLines = learnerLines(node, skipGram, queries);
                learnerShownAt = now;
            }
            view.draw(feeder, node.status(), feedRate, learnerLines);
            if (exitWhenDone && feeder.finished() && allTakenIn(node, feeder)) {
                System.out.println("demo: all " + feeder.total() + " records fed, taken in and committed.");
                node.close();
                return 0;
            }
        }
        return 0;
    }

    /**
     * The character models' figures and latest generated names, then the skip-gram figures and the watched words'
     * nearest neighbours, as the models have them now.
     */
    private List<String> learnerLines(RillNode node, SkipGramLearner skipGram, SkipGramQueries queries) {
        List<String> lines = new ArrayList<>();
        node.models(ClassifierModel.class).forEach((name, model) -> {
            ClassifierMetrics m = model.metrics();
            lines.add(String.format(Locale.ROOT, "classifier %s: version %d, %d sentences trained, %.0f sentences/s,"
                            + " prequential accuracy %s (last %d), held-out %s, %d classes, %d words", name,
                    m.getVersion(), m.getSentencesTrained(), m.getSentencesPerSecond(),
                    figure(m.getPrequentialAccuracy()), model.settings().prequentialWindow(),
                    figure(m.getHeldOutAccuracy()), m.getClasses(), m.getVocabularySize()));
        });
        node.models(CharModel.class).forEach((name, model) -> {
            CharModelMetrics c = model.metrics();
            lines.add(String.format(Locale.ROOT, "char model %s: version %d, %d chars trained, %.0f chars/s, loss %.3f,"
                            + " held-out %s, %d characters, staleness p50/p99 %d/%d", name, c.getVersion(),
                    c.getCharactersTrained(), c.getCharactersPerSecond(), c.getTrainingLoss(),
                    Double.isNaN(c.getHeldOutLoss()) ? "-" : String.format(Locale.ROOT, "%.3f", c.getHeldOutLoss()),
                    c.getVocabularySize(), c.getStalenessP50(), c.getStalenessP99()));
            lines.add("  generated → " + (c.getLatestSamples().isEmpty() ? "(none yet)" : c.getLatestSamples()));
        });
        node.models(TranslationModel.class).forEach((name, model) -> {
            TranslatorMetrics t = model.metrics();
            lines.add(String.format(Locale.ROOT, "translator %s: version %d, %d pairs trained, %.0f pairs/s, loss %.3f,"
                            + " held-out %s, BLEU-4 %s, vocabularies %d/%d, staleness p50/p99 %d/%d", name,
                    t.getVersion(), t.getPairsTrained(), t.getPairsPerSecond(), t.getTrainingLoss(),
                    Double.isNaN(t.getHeldOutLoss()) ? "-" : String.format(Locale.ROOT, "%.3f", t.getHeldOutLoss()),
                    Double.isNaN(t.getHeldOutBleu()) ? "-" : String.format(Locale.ROOT, "%.1f", t.getHeldOutBleu()),
                    t.getSourceVocabularySize(), t.getTargetVocabularySize(), t.getStalenessP50(),
                    t.getStalenessP99()));
            TranslatedSentence sample = t.latestSample();
            if (sample == null) {
                lines.add("  translation → (none yet)");
            } else {
                lines.add("  " + String.join(" ", sample.sourceTokens()) + " → " + sample.text());
                AttentionPicture.grid(sample, false).lines().forEach(line -> lines.add("    " + line));
            }
        });
        if (queries == null) {
            return lines;
        }
        SkipGramMetrics m = skipGram.metrics();
        lines.add(String.format(Locale.ROOT, "skip-gram: %d words (%d trainable), %.0f tokens/s, %.0f pairs/s, loss %.3f,"
                        + " lr %.4f, ps version %d, staleness p50/p99 %d/%d", m.getVocabularySize(), m.getTrainableWords(),
                m.getTokensPerSecond(), m.getPairsPerSecond(), m.getLoss(), m.getLearningRate(),
                m.getParameterServerVersion(), m.getStalenessP50(), m.getStalenessP99()));
        for (String word : watched) {
            String answer = queries.neighbours(word, 6);
            lines.add(String.format(Locale.ROOT, "  %-8s → %s", word,
                    answer.startsWith("error:") ? "(not learned yet)" : answer.replace('\n', ' ')));
        }
        return lines;
    }

    /**
     * The labelled lines of {@code file} as label<TAB>sentence (a middle fold column, as MR's file has, dropped);
     * none when there is no such file: the demo runs without it.
     */
    static List<String> labelledLines(Path file) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] fields = line.split("\t", -1);
            if (fields.length == 3 && fields[1].strip().matches("\\d+")) {
                lines.add(fields[0] + "\t" + fields[2]);
            } else if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The first topic of the first model of {@code kind} in {@code rill.models}; null when there is none. */
    private static String topicOfKind(RillSettings settings, String kind) {
        com.typesafe.config.Config models = settings.config().getConfig("rill.models");
        for (String name : models.root().keySet()) {
            com.typesafe.config.Config model = models.getConfig(com.typesafe.config.ConfigUtil.joinPath(name));
            if (model.hasPath("kind") && model.getString("kind").equals(kind) && model.hasPath("topics")
                    && !model.getStringList("topics").isEmpty()) {
                return model.getStringList("topics").get(0);
            }
        }
        return null;
    }

    private static String topicFor(RillSettings settings, String tokenizer, String fallback) {
        return settings.streams().stream()
                .filter(s -> s.tokenizer().name().equalsIgnoreCase(tokenizer))
                .map(StreamSpec::topic)
                .findFirst().orElse(fallback);
    }

    private static String figure(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static boolean allTakenIn(RillNode node, DemoFeeder feeder) {
        long in = node.status().streams().stream()
                .mapToLong(s -> s.getRecordsIn() + s.getDeadLettered()).sum();
        boolean committed = node.status().streams().stream()
                .allMatch(s -> s.getConsumerLag() == 0);
        return in >= feeder.total() && committed;
    }
}
