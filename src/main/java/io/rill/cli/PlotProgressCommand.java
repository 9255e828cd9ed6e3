package io.rill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.node.RillSettings;
import io.rill.ops.ProgressCsv;
import io.rill.ops.ProgressPlot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rill plot-progress}: a model's training curves as an SVG, from the node's {@code /progress} (or a CSV file
 * the node wrote). Knows no model: it draws whatever columns the file has, by default those its name says are a
 * loss, an accuracy or a rate ({@link ProgressPlot#defaultColumns}).
 */
@Command(name = "plot-progress", description = "Draw a model's training curves (loss, held-out loss, rates, ...) "
        + "as an SVG, from a running node or from a CSV file it wrote.")
final class PlotProgressCommand implements Callable<Integer> {

    @Mixin
    RillCli.ConfigOption options;
    @Mixin
    NodeHttp http;
    @Option(names = "--model", paramLabel = "NAME", description = "The model (default: the node's only one).")
    String model;
    @Option(names = "--csv", paramLabel = "FILE", description = "Read this training-curve file instead of asking a "
            + "node (<data-dir>/progress/<Type>-<model>.csv).")
    Path csv;
    @Option(names = "--columns", split = ",", paramLabel = "NAME",
            description = "Columns to draw, e.g. HeldOutLoss,TrainingLoss (default: losses, accuracies and rates).")
    List<String> columns;
    @Option(names = "--x", paramLabel = "COLUMN", description = "Draw against this column (e.g. CharactersTrained) "
            + "instead of time.")
    String xColumn;
    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Output (default: progress-<model>.svg).")
    Path out;
    @Option(names = "--save-csv", paramLabel = "FILE", description = "Also keep the CSV the node sent.")
    Path saveCsv;
    @Option(names = "--list", description = "List the node's training curves and the columns of the chosen one.")
    boolean list;

    @Override
    public Integer call() throws Exception {
        try {
            String text;
            String name;
            if (csv != null) {
                text = Files.readString(csv);
                String file = csv.getFileName().toString();
                name = file.endsWith(".csv") ? file.substring(0, file.length() - 4) : file;
            } else {
                RillSettings settings = options.settings();
                JsonNode curves = http.json(settings, "/progress");
                List<String> models = new ArrayList<>();
                curves.forEach(c -> models.add(c.path("type").asText() + " " + c.path("model").asText()));
                if (list) {
                    System.out.println("training curves on the node: " + (models.isEmpty() ? "none yet" : String.join(", ", models)));
                }
                JsonNode chosen = choose(curves, model);
                name = chosen.path("model").asText();
                text = http.text(settings, "/progress?" + NodeHttp.query("model", name) + "&"
                        + NodeHttp.query("type", chosen.path("type").asText()));
                if (saveCsv != null) {
                    Files.writeString(saveCsv, text);
                }
            }
            ProgressCsv.Table table = ProgressCsv.read(new StringReader(text));
            if (list) {
                System.out.println("columns of " + name + ": " + String.join(", ", table.columns()));
                return 0;
            }
            List<String> drawn = columns == null || columns.isEmpty() ? ProgressPlot.defaultColumns(table) : columns;
            Path target = out != null ? out : Path.of("progress-" + name + ".svg");
            ProgressPlot.write(target, table, drawn, xColumn, "rill training progress: " + name);
            System.out.printf("wrote %s: %d samples of %s, columns %s%n", target, table.rows().size(), name,
                    String.join(", ", drawn));
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** The curve of {@code model}, or the only one when no model is named. */
    private static JsonNode choose(JsonNode curves, String model) {
        List<JsonNode> matching = new ArrayList<>();
        curves.forEach(c -> {
            if (model == null || model.equals(c.path("model").asText())) {
                matching.add(c);
            }
        });
        if (matching.size() == 1) {
            return matching.get(0);
        }
        List<String> names = new ArrayList<>();
        curves.forEach(c -> names.add(c.path("model").asText()));
        if (matching.isEmpty()) {
            throw new IllegalArgumentException(model == null ? "the node has no training curve yet"
                    : "the node has no training curve of model " + model + "; it has " + names);
        }
        throw new IllegalArgumentException("the node has training curves of several models " + names
                + ": name one with --model");
    }
}
