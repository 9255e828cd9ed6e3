package io.rill.classify;

import io.rill.nn.Adadelta;
import io.rill.nn.MaxNorm;
import io.rill.nn.Tensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kim's CNN on one fold of the MR set in memory, set up like the reference (../shared/bench/cnn-peer.py): the other
 * nine folds shuffled every epoch and cut into mini-batches of 50, Adadelta (ρ 0.95, ε 1e-6), max-norm 3 on the
 * output rows after every update, dropout 0.5, widths 3, 4, 5 × 100 maps; then the held-out fold's accuracy. As the
 * node does it: the vocabulary is the training sentences' words (the reference takes the test fold's too), a test
 * word the model never saw reads its pre-trained vector if there is one and a zero row otherwise, and every step's
 * gradient buffer is reused, its written word rows cleared, as the node's worker does.
 *
 * <p>Prints figures, asserts nothing. Usage: {@code KimCnnBenchmark [--data mr.tsv] [--fold 0] [--epochs 25]
 * [--variant rand|static|non-static|multichannel] [--vectors FILE [--binary true]] [--dim 300] [--padding 4]
 * [--batch 50] [--seed 1] [--threads N] [--max-steps N]}.
 */
public final class KimCnnBenchmark {

    private KimCnnBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path data = Path.of(options.getOrDefault("data", "../shared/data/mr/mr.tsv"));
        int fold = Integer.parseInt(options.getOrDefault("fold", "0"));
        int epochs = Integer.parseInt(options.getOrDefault("epochs", "25"));
        Variant variant = Variant.parse(options.getOrDefault("variant", "rand"));
        int padding = Integer.parseInt(options.getOrDefault("padding", "4"));
        int batch = Integer.parseInt(options.getOrDefault("batch", "50"));
        long seed = Long.parseLong(options.getOrDefault("seed", "1"));
        long maxSteps = Long.parseLong(options.getOrDefault("max-steps", String.valueOf(Long.MAX_VALUE)));
        if (options.containsKey("threads")) {
            int threads = Integer.parseInt(options.get("threads"));
            Nd4j.factory().blas().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
        }
        Pretrained pretrained = options.containsKey("vectors")
                ? Pretrained.of(VectorFile.read(Path.of(options.get("vectors")),
                        Boolean.parseBoolean(options.getOrDefault("binary", "false"))))
                : Pretrained.none(Integer.parseInt(options.getOrDefault("dim", "300")), 0.25);
        if (variant.pretrained() && pretrained.size() == 0) {
            throw new IllegalArgumentException(variant.configName() + " needs --vectors");
        }

        List<String[]> train = new ArrayList<>();
        List<String[]> test = new ArrayList<>();
        for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
            String[] fields = line.split("\t", 3);
            (Integer.parseInt(fields[1]) == fold ? test : train).add(new String[] {fields[0], fields[2]});
        }
        Map<String, Integer> words = new HashMap<>();
        Map<String, Integer> labels = new HashMap<>();
        BaseTable base = new BaseTable(pretrained.dimension());
        float[] row = new float[pretrained.dimension()];
        List<int[]> trainIds = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        for (String[] example : train) {
            labels.putIfAbsent(example[0], labels.size());
            trainLabels.add(labels.get(example[0]));
            trainIds.add(Tokens.ofTopic(example[1]).stream().mapToInt(word -> words.computeIfAbsent(word, w -> {
                pretrained.baseRow(w, words.size(), seed, row, 0);
                return base.append(row, 0);
            })).toArray());
        }
        ExtendedRows testRows = new ExtendedRows(base);
        Map<String, Integer> unseen = new HashMap<>();
        int[][] testIds = new int[test.size()][];
        int[] testLabels = new int[test.size()];
        int unknownTokens = 0;
        int tokens = 0;
        for (int s = 0; s < test.size(); s++) {
            testLabels[s] = labels.getOrDefault(test.get(s)[0], -1);
            List<String> sentence = Tokens.ofTopic(test.get(s)[1]);
            testIds[s] = new int[sentence.size()];
            for (int i = 0; i < sentence.size(); i++) {
                String word = sentence.get(i);
                tokens++;
                Integer id = words.get(word);
                if (id == null) {
                    unknownTokens++;
                    id = unseen.computeIfAbsent(word, w -> pretrained.vector(w, row, 0) ? testRows.add(row) : -1);
                }
                testIds[s][i] = id;
            }
        }
        CnnConfig config = new CnnConfig(variant, pretrained.dimension(), new int[] {3, 4, 5}, 100, padding, 0.5,
                DataType.FLOAT);
        CnnParams params = CnnParams.initialize(config, words.size(), labels.size(), seed);
        Adadelta adadelta = new Adadelta(params.tensors(), 1.0, 0.95, 1e-6);
        KimCnn cnn = new KimCnn(config);
        Random random = new Random(seed);
        System.out.printf("fold %d, variant %s, %d training and %d test sentences, %d words (%d covered by vectors), "
                        + "%d classes, test tokens unknown %d of %d, %d parameters, padding %d%n", fold,
                variant.configName(), train.size(), test.size(), words.size(),
                words.keySet().stream().filter(pretrained::has).count(), labels.size(), unknownTokens, tokens,
                params.tensors().size(), padding);

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        long stepNanos = 0;
        long zeroNanos = 0;
        long updateNanos = 0;
        long sentences = 0;
        long steps = 0;
        long start = System.nanoTime();
        CnnParams gradients = params.zerosLike();
        int[] written = new int[0];
        for (int epoch = 1; epoch <= epochs && steps < maxSteps; epoch++) {
            Collections.shuffle(order, random);
            double lossSum = 0;
            int correct = 0;
            int batches = 0;
            for (int from = 0; from < order.size() && steps < maxSteps; from += batch) {
                int n = Math.min(batch, order.size() - from);
                int[][] ids = new int[n][];
                int[] y = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = trainIds.get(order.get(from + i));
                    y[i] = trainLabels.get(order.get(from + i));
                }
                long t0 = System.nanoTime();
                gradients.clearWordRows(written);
                long t1 = System.nanoTime();
                KimCnn.Step step = cnn.train(params, base, ids, y, gradients, random);
                written = step.wordIds();
                long t2 = System.nanoTime();
                adadelta.step(params.tensors(), gradients.tensors());
                MaxNorm.apply(params.outputWeights(), Tensors.Axis.ROWS, 3.0);
                long t3 = System.nanoTime();
                zeroNanos += t1 - t0;
                stepNanos += t2 - t1;
                updateNanos += t3 - t2;
                lossSum += step.loss();
                for (int i = 0; i < n; i++) {
                    correct += step.predicted()[i] == y[i] ? 1 : 0;
                }
                sentences += n;
                batches++;
                steps++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            KimCnn.Evaluation evaluation = cnn.evaluate(params, testRows, testIds, testLabels, 500);
            start += System.nanoTime() - start - (long) (seconds * 1e9); // evaluation is not training time
            System.out.printf("epoch %d: loss %.4f, prequential accuracy %.4f, test accuracy %.4f, %.0f sentences/s%n",
                    epoch, lossSum / batches, (double) correct / (batches == 0 ? 1 : order.size()),
                    (double) evaluation.correct() / evaluation.scored(), sentences / seconds);
        }
        double total = (zeroNanos + stepNanos + updateNanos) / 1e9;
        KimCnn.Evaluation evaluation = cnn.evaluate(params, testRows, testIds, testLabels, 500);
        System.out.printf("fold %d variant %s epochs %d accuracy %.4f train sentences/s %.0f (steps %d)%n", fold,
                variant.configName(), epochs, (double) evaluation.correct() / evaluation.scored(), sentences / total,
                steps);
        System.out.printf("time: forward/backward %.1f s, clear gradients %.1f s, Adadelta + max-norm %.1f s%n",
                stepNanos / 1e9, zeroNanos / 1e9, updateNanos / 1e9);
        cnn.phaseSeconds().forEach((phase, seconds) -> System.out.printf("  %-10s %6.1f s%n", phase, seconds));
    }
}
