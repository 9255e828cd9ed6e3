package io.rill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.translate.AttentionPicture;
import io.rill.translate.TranslatedSentence;
import io.rill.translate.TranslationJson;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rill translate "i am cold ."}: asks a running node for a translation over Kafka and prints it with its
 * attention map as a shaded grid (source words along the top, target words down the side).
 */
@Command(name = "translate", description = "Ask a running rill node for a translation over Kafka; print it with its "
        + "attention map.")
final class TranslateCommand implements Callable<Integer> {

    @Mixin
    RillCli.ConfigOption options;

    @Mixin
    TranslationAsk ask;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The sentence to translate.")
    String text;

    @Option(names = "--numbers", description = "Write the weights in the grid's cells.")
    boolean numbers;

    @Option(names = "--json", description = "Print the reply as it arrived (JSON).")
    boolean raw;

    @Override
    public Integer call() throws Exception {
        byte[] value = ask.ask(options.settings(), text);
        if (value == null) {
            return 3;
        }
        if (raw) {
            System.out.println(new String(value, StandardCharsets.UTF_8));
            return 0;
        }
        JsonNode reply = TranslationJson.read(value);
        if ("error".equals(reply.path("type").asText())) {
            System.err.println("error " + reply.path("code").asText() + ": " + reply.path("message").asText());
            return 1;
        }
        TranslatedSentence sentence = TranslationJson.sentence(reply);
        System.out.println(sentence.text());
        System.out.println();
        System.out.print(AttentionPicture.grid(sentence, numbers));
        System.out.println();
        System.err.printf(Locale.ROOT, "model %s, version %d, beam %d, log-probability %.3f%s%n",
                reply.path("model").asText(), reply.path("version").asLong(), reply.path("beam").asInt(),
                sentence.logProbability(), sentence.unknown().isEmpty() ? ""
                        : ", unknown words (read as <unk>): " + String.join(" ", sentence.unknown()));
        return 0;
    }
}
