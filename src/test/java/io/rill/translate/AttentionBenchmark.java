package io.rill.translate;

import io.rill.nn.Adam;
import io.rill.nn.Tensors;
import io.rill.ps.Parameters;
import io.rill.ps.ServerDesign;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training throughput and test BLEU-4 of the attention translator on the shared English-French pairs, set up like the
 * PyTorch reference ({@code ../shared/bench/attention-peer.py}): the train side shuffled every pass, mini-batches of
 * 32, Adam 1e-3 after clipping the gradient's global norm at 5, embeddings of 128 and 128 units each way; greedy
 * decoding of at most 20 words; corpus BLEU-4 with every French translation of a test sentence as a reference. Unlike
 * the reference, and as a node does, the vocabularies grow as the pairs arrive, and updates go through a parameter
 * server's {@link Parameters} (padding, clipping, Adam); the gradient is computed on a copy {@code --staleness}
 * updates old (0: the current parameters).
 *
 * <p>It also measures whether the maps mean something: over the test sentences, every token that occurs once in the
 * source and once in the translation (punctuation, names, numbers), and how often the translation's word puts its
 * largest weight on the source's.
 *
 * <p>Prints figures, asserts nothing. Usage: {@code AttentionBenchmark [--data FILE] [--epochs 5] [--emb 128]
 * [--hidden 128] [--attention 256] [--batch 32] [--lr 1e-3] [--clip 5] [--seed 1] [--threads N] [--beam 5]
 * [--beam-every 0] [--staleness 0] [--map "tom is in boston ."]}; {@code --beam-every k} also scores beam search
 * every k epochs (and always after the last).
 */
public final class AttentionBenchmark {

    private AttentionBenchmark() {
    }

    record Pair(List<String> source, List<String> target) {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        Path data = Path.of(options.getOrDefault("data", "../shared/data/translation/eng-fra.tsv"));
        int epochs = Integer.parseInt(options.getOrDefault("epochs", "5"));
        int emb = Integer.parseInt(options.getOrDefault("emb", "128"));
        int hidden = Integer.parseInt(options.getOrDefault("hidden", "128"));
        int attention = Integer.parseInt(options.getOrDefault("attention", String.valueOf(2 * hidden)));
        int batchSize = Integer.parseInt(options.getOrDefault("batch", "32"));
        double lr = Double.parseDouble(options.getOrDefault("lr", "1e-3"));
        double clip = Double.parseDouble(options.getOrDefault("clip", "5"));
        long seed = Long.parseLong(options.getOrDefault("seed", "1"));
        int beamWidth = Integer.parseInt(options.getOrDefault("beam", "5"));
        int beamEvery = Integer.parseInt(options.getOrDefault("beam-every", "0"));
        int staleness = Integer.parseInt(options.getOrDefault("staleness", "0"));
        List<String> maps = List.of(options.getOrDefault("map", "tom is in boston .|i am cold .").split("\\|"));
        if (options.containsKey("threads")) {
            int threads = Integer.parseInt(options.get("threads"));
            Nd4j.factory().blas().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
        }

        List<Pair> train = new ArrayList<>();
        Map<List<String>, List<List<String>>> references = new LinkedHashMap<>();
        for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
            String[] fields = line.split("\t");
            Pair pair = new Pair(SentenceTokens.of(fields[1]), SentenceTokens.of(fields[2]));
            if (fields[0].equals("train")) {
                train.add(pair);
            } else {
                references.computeIfAbsent(pair.source(), s -> new ArrayList<>()).add(pair.target());
            }
        }
        System.out.printf(Locale.ROOT, "train pairs %d, test sentences %d; emb %d, hidden %d each way, attention %d,"
                + " batch %d, lr %g, clip %g, staleness %d, threads %s%n", train.size(), references.size(), emb,
                hidden, attention, batchSize, lr, clip, staleness, options.getOrDefault("threads", "default"));

        TranslatorConfig config = TranslatorConfig.of(emb, hidden, attention);
        Random growth = new Random(seed + 1);
        ServerDesign design = ServerDesign.dense(
                () -> TranslatorParams.initialize(config, WordVocabulary.SPECIALS, WordVocabulary.SPECIALS, seed)
                        .tensors(),
                tensors -> new Adam(tensors, lr, 0.9, 0.999, 1e-8),
                Map.of(TranslatorParams.SOURCE, TranslatorParams.newWords(config, growth),
                        TranslatorParams.TARGET, TranslatorParams.newWords(config, growth)),
                clip, List.of(), Integer.MAX_VALUE, 0);
        Parameters server = new Parameters(design);
        WordVocabulary sourceWords = new WordVocabulary();
        WordVocabulary targetWords = new WordVocabulary();
        AttentionNet net = new AttentionNet(config);
        Decoding decoding = new Decoding(config);
        Random shuffle = new Random(seed + 2);
        List<Tensors> copies = new ArrayList<>();

        for (int epoch = 1; epoch <= epochs; epoch++) {
            Collections.shuffle(train, shuffle);
            long start = System.nanoTime();
            net.phaseTimes().reset();
            double lossSum = 0;
            int pairs = 0;
            for (int from = 0; from < train.size(); from += batchSize) {
                List<Pair> chunk = train.subList(from, Math.min(train.size(), from + batchSize));
                int[][] sources = new int[chunk.size()][];
                int[][] targets = new int[chunk.size()][];
                for (int b = 0; b < chunk.size(); b++) {
                    sources[b] = add(sourceWords, chunk.get(b).source());
                    targets[b] = add(targetWords, chunk.get(b).target());
                }
                server.grow(TranslatorParams.SOURCE, sourceWords.size());
                server.grow(TranslatorParams.TARGET, targetWords.size());
                copies.add(server.dense().copy());
                if (copies.size() > staleness + 1) {
                    copies.remove(0);
                }
                Tensors computedOn = copies.get(0);
                computedOn.padTo(server.dense());
                TranslatorParams params = TranslatorParams.wrap(config, computedOn);
                TranslatorParams gradients = TranslatorParams.wrap(config, computedOn.zerosLike());
                double loss = net.train(params, new AttentionNet.Batch(sources, targets), gradients);
                server.apply(gradients.tensors(), chunk.size());
                if (!Double.isFinite(loss) && options.containsKey("debug")) {
                    for (int k = 0; k < computedOn.count(); k++) {
                        System.out.println(computedOn.names().get(k) + " param " + computedOn.get(k).norm2Number()
                                + " grad " + gradients.tensors().get(k).norm2Number());
                    }
                    System.out.println("batch at " + from + ": loss " + loss + ", shapes " + java.util.Arrays.deepToString(sources) + " " + java.util.Arrays.deepToString(targets));
                    return;
                }
                lossSum += loss * chunk.size();
                pairs += chunk.size();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            TranslatorParams params = TranslatorParams.wrap(config, server.dense());
            long evalStart = System.nanoTime();
            double greedy = bleu(references, sourceWords, targetWords, params, decoding, 1);
            double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
            String beam = "";
            if (epoch == epochs || beamEvery > 0 && epoch % beamEvery == 0) {
                beam = String.format(Locale.ROOT, ", beam %d %.2f",
                        beamWidth, bleu(references, sourceWords, targetWords, params, decoding, beamWidth));
            }
            System.out.printf(Locale.ROOT, "epoch %d: loss %.4f, %.0f pairs/s, test BLEU-4 greedy %.2f%s"
                            + " (vocab %d/%d, %.1f s decoding)%n", epoch, lossSum / pairs, pairs / seconds, greedy,
                    beam, sourceWords.size(), targetWords.size(), evalSeconds);
        }
        System.out.println("time per phase in the last epoch: " + net.phaseTimes().seconds());
        TranslatorParams params = TranslatorParams.wrap(config, server.dense());
        System.out.printf(Locale.ROOT, "maps agree on once-each tokens: %s%n",
                agreement(references, sourceWords, targetWords, params, decoding));
        for (String sentence : maps) {
            List<String> words = SentenceTokens.of(sentence);
            Translation t = decoding.greedy(params, sourceWords.ids(words), 20);
            System.out.println("attention map of: " + String.join(" ", words) + " -> " + text(targetWords, t));
            for (int i = 0; i < t.words().length; i++) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%12s", targetWords.word(t.words()[i])));
                for (double w : t.attention()[i]) {
                    row.append(String.format(Locale.ROOT, " %.2f", w));
                }
                System.out.println(row);
            }
        }
    }

    private static int[] add(WordVocabulary vocabulary, List<String> words) {
        int[] ids = new int[words.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocabulary.add(words.get(i), Integer.MAX_VALUE);
        }
        return ids;
    }

    private static String text(WordVocabulary vocabulary, Translation t) {
        List<String> words = new ArrayList<>();
        for (int id : t.words()) {
            words.add(vocabulary.word(id));
        }
        return String.join(" ", words);
    }

    static double bleu(Map<List<String>, List<List<String>>> references, WordVocabulary sourceWords,
                       WordVocabulary targetWords, TranslatorParams params, Decoding decoding, int beam) {
        Bleu bleu = new Bleu();
        references.forEach((source, refs) -> {
            int[] ids = sourceWords.ids(source);
            Translation t = beam == 1 ? decoding.greedy(params, ids, 20) : decoding.beam(params, ids, beam, 20);
            List<String> words = new ArrayList<>();
            for (int id : t.words()) {
                words.add(targetWords.word(id));
            }
            bleu.add(words, refs);
        });
        return bleu.score();
    }

    /** "k of n (p%)": target tokens found once in both the source and the translation whose map points home. */
    static String agreement(Map<List<String>, List<List<String>>> references, WordVocabulary sourceWords,
                            WordVocabulary targetWords, TranslatorParams params, Decoding decoding) {
        int agree = 0;
        int total = 0;
        for (List<String> source : references.keySet()) {
            Translation t = decoding.greedy(params, sourceWords.ids(source), 20);
            List<String> words = new ArrayList<>();
            for (int id : t.words()) {
                words.add(targetWords.word(id));
            }
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                if (Collections.frequency(words, word) != 1 || Collections.frequency(source, word) != 1) {
                    continue;
                }
                double[] row = t.attention()[i];
                int strongest = 0;
                for (int j = 1; j < row.length; j++) {
                    if (row[j] > row[strongest]) {
                        strongest = j;
                    }
                }
                total++;
                if (strongest == source.indexOf(word)) {
                    agree++;
                }
            }
        }
        return String.format(Locale.ROOT, "%d of %d (%.1f%%)", agree, total, total == 0 ? 0 : 100.0 * agree / total);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
