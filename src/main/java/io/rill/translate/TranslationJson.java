package io.rill.translate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.rill.request.RequestJson;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes what rill publishes on {@code rill.translated}, as UTF-8 JSON, and reads it back (tests, the CLI). The
 * {@code type} field comes first:
 * <ul>
 *   <li>{@code reply}: one request's translation, keyed by the request's id: the model's parameter
 *       {@code version}, the {@code translation} (target words joined by spaces), its {@code logProbability}, the
 *       {@code beam} it was searched with, {@code sourceTokens}, {@code unknown} (source words the model does not
 *       know, read as the unknown-word symbol), {@code targetTokens}, and {@code attention}: one row per target
 *       token, one weight per source token;</li>
 *   <li>{@code error}: why a request got no translation, as for every kind of request;</li>
 *   <li>{@code progress}: what a model publishes every few training steps, keyed by the model's name: pairs trained,
 *       training loss, held-out loss and BLEU-4, and a sample translation with its map.</li>
 * </ul>
 * Weights, losses and log-probabilities are rounded to 4 decimals; a value not known yet is null.
 */
public final class TranslationJson {

    private TranslationJson() {
    }

    public static byte[] reply(String id, String model, long version, int beam, TranslatedSentence sentence) {
        Objects.requireNonNull(id, "id");
        return RequestJson.write(json -> {
            json.writeStringField("type", "reply");
            json.writeStringField("id", id);
            json.writeStringField("model", model);
            json.writeNumberField("version", version);
            json.writeNumberField("beam", beam);
            writeSentence(json, sentence);
        });
    }

    /** A progress message of {@code model}; {@code sample} may be null (nothing to show yet). */
    public static byte[] progress(String model, long version, long pairsTrained, double trainingLoss,
                                  double heldOutLoss, double heldOutBleu, int heldOutPairs, TranslatedSentence sample,
                                  Instant time) {
        return RequestJson.write(json -> {
            json.writeStringField("type", "progress");
            json.writeStringField("model", model);
            json.writeNumberField("version", version);
            json.writeNumberField("pairsTrained", pairsTrained);
            RequestJson.writeRounded(json, "trainingLoss", trainingLoss);
            RequestJson.writeRounded(json, "heldOutLoss", heldOutLoss);
            RequestJson.writeRounded(json, "heldOutBleu", heldOutBleu);
            json.writeNumberField("heldOutPairs", heldOutPairs);
            if (sample == null) {
                json.writeNullField("sample");
            } else {
                json.writeObjectFieldStart("sample");
                writeSentence(json, sample);
                json.writeEndObject();
            }
            json.writeStringField("time", time.toString());
        });
    }

    private static void writeSentence(JsonGenerator json, TranslatedSentence sentence) throws IOException {
        json.writeStringField("translation", sentence.text());
        RequestJson.writeRounded(json, "logProbability", sentence.logProbability());
        json.writeBooleanField("ended", sentence.ended());
        strings(json, "sourceTokens", sentence.sourceTokens());
        strings(json, "unknown", sentence.unknown());
        strings(json, "targetTokens", sentence.targetTokens());
        json.writeArrayFieldStart("attention");
        for (double[] row : sentence.attention()) {
            json.writeStartArray();
            for (double w : row) {
                json.writeNumber(RequestJson.round4(w));
            }
            json.writeEndArray();
        }
        json.writeEndArray();
    }

    private static void strings(JsonGenerator json, String field, List<String> values) throws IOException {
        json.writeArrayFieldStart(field);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** Parses any message (or any JSON) into a tree; throws IllegalArgumentException if it is not JSON. */
    public static JsonNode read(byte[] value) {
        return RequestJson.read(value);
    }

    /**
     * The translation in a reply or a progress message's sample (a tree {@link #read} gave): what the CLI draws.
     * Fails with IllegalArgumentException, saying what is missing, on anything else.
     */
    public static TranslatedSentence sentence(JsonNode node) {
        if (node.has("sample") && node.get("sample").isObject()) {
            node = node.get("sample");
        }
        for (String field : List.of("sourceTokens", "targetTokens", "attention")) {
            if (!node.path(field).isArray()) {
                throw new IllegalArgumentException("not a translation: no array \"" + field + "\"");
            }
        }
        List<String> source = texts(node.get("sourceTokens"));
        List<String> target = texts(node.get("targetTokens"));
        JsonNode rows = node.get("attention");
        if (rows.size() != target.size()) {
            throw new IllegalArgumentException("attention has " + rows.size() + " rows for " + target.size()
                    + " target tokens");
        }
        double[][] attention = new double[rows.size()][];
        for (int i = 0; i < attention.length; i++) {
            JsonNode row = rows.get(i);
            if (!row.isArray() || row.size() != source.size()) {
                throw new IllegalArgumentException("attention row " + i + " must hold " + source.size()
                        + " weights, one per source token");
            }
            attention[i] = new double[source.size()];
            for (int j = 0; j < source.size(); j++) {
                attention[i][j] = row.get(j).asDouble();
            }
        }
        return new TranslatedSentence(source, node.path("unknown").isArray() ? texts(node.get("unknown")) : List.of(),
                target, node.path("logProbability").asDouble(Double.NaN), node.path("ended").asBoolean(true),
                attention);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }
}
