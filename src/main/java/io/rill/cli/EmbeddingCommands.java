package io.rill.cli;

import io.rill.skipgram.SkipGramMBean;
import io.rill.skipgram.query.EmbeddingPlot;
import io.rill.skipgram.query.EmbeddingSnapshot;
import io.rill.skipgram.query.PcaProjection;
import io.rill.skipgram.query.Word2VecFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.management.remote.JMXConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The word-embedding queries against a running node: neighbours, analogy, similarity, export, plot. */
final class EmbeddingCommands {

    private EmbeddingCommands() {
    }

    /** Runs one query on the node's skip-gram MBean and prints what it returns. */
    abstract static class Query implements Callable<Integer> {
        @Mixin
        RillCli.ConfigOption options;
        @Mixin
        NodeJmx jmx;
        @Option(names = "--model", paramLabel = "NAME",
                description = "The skip-gram model to ask (default: the node's only one).")
        String model;

        abstract String ask(SkipGramMBean skipGram);

        @Override
        public Integer call() throws Exception {
            try (JMXConnector connector = jmx.connect(options.settings())) {
                String answer = ask(NodeJmx.modelProxy(connector, "SkipGram", model, SkipGramMBean.class));
                System.out.println(answer);
                return answer.startsWith("error:") ? 1 : 0;
            }
        }
    }

    @Command(name = "neighbours", aliases = "neighbors", description = "The nearest words to WORD by cosine.")
    static final class Neighbours extends Query {
        @Parameters(index = "0", paramLabel = "WORD")
        String word;
        @Option(names = {"-k", "--count"}, defaultValue = "10", description = "How many (default ${DEFAULT-VALUE}).")
        int k;

        @Override
        String ask(SkipGramMBean skipGram) {
            return skipGram.neighbours(word, k);
        }
    }

    @Command(name = "analogy", description = "A : B :: C : ? (e.g. rill analogy man king woman).")
    static final class Analogy extends Query {
        @Parameters(index = "0", paramLabel = "A")
        String a;
        @Parameters(index = "1", paramLabel = "B")
        String b;
        @Parameters(index = "2", paramLabel = "C")
        String c;
        @Option(names = {"-k", "--count"}, defaultValue = "5", description = "How many (default ${DEFAULT-VALUE}).")
        int k;

        @Override
        String ask(SkipGramMBean skipGram) {
            return skipGram.analogy(a, b, c, k);
        }
    }

    @Command(name = "similarity", description = "Cosine similarity of two words.")
    static final class Similarity extends Query {
        @Parameters(index = "0", paramLabel = "X")
        String x;
        @Parameters(index = "1", paramLabel = "Y")
        String y;

        @Override
        String ask(SkipGramMBean skipGram) {
            double cosine = skipGram.similarity(x, y);
            return Double.isNaN(cosine) ? "error: unknown word" : String.format(Locale.ROOT, "%.4f", cosine);
        }
    }

    @Command(name = "export-vectors", description = "Write the node's embeddings in word2vec format (on the node's disk).")
    static final class Export extends Query {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;
        @Option(names = "--binary", description = "word2vec binary format instead of text.")
        boolean binary;

        @Override
        String ask(SkipGramMBean skipGram) {
            return skipGram.exportVectors(file.toAbsolutePath().toString(), binary);
        }
    }

    @Command(name = "plot-embeddings", description = "An SVG of a 2-D PCA projection of chosen words.")
    static final class Plot implements Callable<Integer> {
        @Mixin
        RillCli.ConfigOption options;
        @Mixin
        NodeJmx jmx;
        @Option(names = "--words", split = ",", required = true, description = "Words to plot, comma-separated.")
        List<String> words;
        @Option(names = "--pairs", split = ",", description = "Lines to draw, as from:to (e.g. france:paris).")
        List<String> pairs = new ArrayList<>();
        @Option(names = "--vectors", description = "Read a word2vec file (text, or binary with --binary) instead of "
                + "asking a running node.")
        Path vectors;
        @Option(names = "--binary", description = "The --vectors file is binary.")
        boolean binary;
        @Option(names = {"-o", "--out"}, defaultValue = "embeddings.svg", description = "Output (default ${DEFAULT-VALUE}).")
        Path out;
        @Option(names = "--title", defaultValue = "rill word embeddings, PCA", description = "Title of the picture.")
        String title;
        @Option(names = "--model", paramLabel = "NAME",
                description = "The skip-gram model to plot (default: the node's only one).")
        String model;

        @Override
        public Integer call() throws Exception {
            EmbeddingSnapshot snapshot;
            if (vectors != null) {
                snapshot = binary ? Word2VecFormat.readBinary(vectors) : Word2VecFormat.readText(vectors);
            } else {
                // The node writes its vectors where this process can read them: same machine.
                Path exported = Files.createTempFile("rill-vectors", ".bin");
                try (JMXConnector connector = jmx.connect(options.settings())) {
                    NodeJmx.modelProxy(connector, "SkipGram", model, SkipGramMBean.class)
                            .exportVectors(exported.toAbsolutePath().toString(), true);
                }
                snapshot = Word2VecFormat.readBinary(exported);
                Files.deleteIfExists(exported);
            }
            List<String> chosen = words.stream().map(w -> w.strip().toLowerCase(Locale.ROOT)).toList();
            PcaProjection projection = PcaProjection.of(snapshot, chosen);
            List<EmbeddingPlot.Link> links = pairs.stream().map(p -> p.split(":", 2))
                    .filter(p -> p.length == 2)
                    .map(p -> new EmbeddingPlot.Link(p[0].strip().toLowerCase(Locale.ROOT), p[1].strip().toLowerCase(Locale.ROOT)))
                    .toList();
            EmbeddingPlot.write(out, projection, title, links);
            System.out.printf(Locale.ROOT, "wrote %s: %d words, PC1 %.0f%%, PC2 %.0f%% of variance%s%n", out,
                    projection.words().size(), 100 * projection.explainedVariance(0),
                    100 * projection.explainedVariance(1),
                    projection.skipped().isEmpty() ? "" : "; unknown: " + String.join(", ", projection.skipped()));
            return 0;
        }
    }
}
