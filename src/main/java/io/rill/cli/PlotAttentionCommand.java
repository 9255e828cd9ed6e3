package io.rill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.translate.AttentionPicture;
import io.rill.translate.TranslatedSentence;
import io.rill.translate.TranslationJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rill plot-attention "i am cold ." -o map.svg}: the attention map of a translation as an SVG picture (source
 * words along the top, target words down the side, grey levels for the weights), from a running node over Kafka, or
 * from a saved reply ({@code --reply FILE}: a translation reply, or a progress message with a sample).
 */
@Command(name = "plot-attention", description = "Draw the attention map of a translation as an SVG picture.")
final class PlotAttentionCommand implements Callable<Integer> {

    @Mixin
    RillCli.ConfigOption options;

    @Mixin
    TranslationAsk ask;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TEXT",
            description = "The sentence to translate (not with --reply).")
    String text;

    @Option(names = "--reply", paramLabel = "FILE", description = "Draw a saved reply (JSON) instead of asking a node.")
    Path reply;

    @Option(names = {"-o", "--out"}, defaultValue = "attention.svg", description = "Output (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--title", description = "Title of the picture (default: the source and its translation).")
    String title;

    @Override
    public Integer call() throws Exception {
        if ((text == null) == (reply == null)) {
            System.err.println("give either TEXT (asked of a running node) or --reply FILE");
            return 2;
        }
        byte[] value = reply != null ? Files.readAllBytes(reply) : ask.ask(options.settings(), text);
        if (value == null) {
            return 3;
        }
        JsonNode message;
        TranslatedSentence sentence;
        try {
            message = TranslationJson.read(value);
            if ("error".equals(message.path("type").asText())) {
                System.err.println("error " + message.path("code").asText() + ": " + message.path("message").asText());
                return 1;
            }
            sentence = TranslationJson.sentence(message);
        } catch (IllegalArgumentException e) {
            System.err.println((reply != null ? reply + ": " : "") + e.getMessage());
            return 1;
        }
        byte[] svg = AttentionPicture.svg(sentence, title).getBytes(StandardCharsets.UTF_8);
        Path absolute = out.toAbsolutePath();
        Path temporary = Files.createTempFile(absolute.getParent(), ".attention-", ".svg");
        Files.write(temporary, svg);
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println(sentence.text());
        System.out.println("wrote " + out);
        return 0;
    }
}
