package io.rill.classify;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.request.RequestJson;
import java.time.Instant;
import java.util.List;

/**
 * The messages classification publishes, as UTF-8 JSON; {@code type} comes first and tells them apart:
 * <ul>
 *   <li>{@code classification}: the answer to one request, keyed by its id: the label, every class's probability,
 *       the parameters' version, and with {@code explain} each token with its weight (and whether the model knows
 *       it);</li>
 *   <li>{@code error}: as for every kind of request ({@link RequestJson#error});</li>
 *   <li>{@code progress}: a model's figures, keyed by its name, every {@code progress.interval}.</li>
 * </ul>
 * Probabilities, weights, accuracies and losses are rounded to 4 decimals; a figure not measured yet is null.
 */
public final class ClassificationJson {

    private ClassificationJson() {
    }

    /** One token of an explained answer. */
    public record Token(String token, double weight, boolean known) {
    }

    public static byte[] classification(String id, String model, long version, List<String> labels,
                                        double[] probabilities, List<Token> tokens) {
        int best = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (probabilities[c] > probabilities[best]) {
                best = c;
            }
        }
        String label = labels.get(best);
        return RequestJson.write(json -> {
            json.writeStringField("type", "classification");
            json.writeStringField("id", id);
            json.writeStringField("model", model);
            json.writeNumberField("version", version);
            json.writeStringField("label", label);
            json.writeObjectFieldStart("probabilities");
            for (int c = 0; c < probabilities.length; c++) {
                RequestJson.writeRounded(json, labels.get(c), probabilities[c]);
            }
            json.writeEndObject();
            if (tokens != null) {
                json.writeArrayFieldStart("tokens");
                for (Token token : tokens) {
                    json.writeStartObject();
                    json.writeStringField("token", token.token());
                    RequestJson.writeRounded(json, "weight", token.weight());
                    json.writeBooleanField("known", token.known());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
        });
    }

    public static byte[] progress(String model, long version, long sentencesTrained, double trainingLoss,
                                  double prequentialAccuracy, double heldOutAccuracy, double heldOutLoss,
                                  int heldOutSentences, List<String> labels, int words, Instant time) {
        return RequestJson.write(json -> {
            json.writeStringField("type", "progress");
            json.writeStringField("model", model);
            json.writeNumberField("version", version);
            json.writeNumberField("sentencesTrained", sentencesTrained);
            RequestJson.writeRounded(json, "trainingLoss", trainingLoss);
            RequestJson.writeRounded(json, "prequentialAccuracy", prequentialAccuracy);
            RequestJson.writeRounded(json, "heldOutAccuracy", heldOutAccuracy);
            RequestJson.writeRounded(json, "heldOutLoss", heldOutLoss);
            json.writeNumberField("heldOutSentences", heldOutSentences);
            json.writeArrayFieldStart("classes");
            for (String label : labels) {
                json.writeString(label);
            }
            json.writeEndArray();
            json.writeNumberField("words", words);
            json.writeStringField("time", time.toString());
        });
    }

    public static JsonNode read(byte[] value) {
        return RequestJson.read(value);
    }
}
