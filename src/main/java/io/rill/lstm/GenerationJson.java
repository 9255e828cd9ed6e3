package io.rill.lstm;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.rill.request.RequestError;
import io.rill.request.RequestJson;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Writes the three kinds of message rill publishes on {@code rill.generated}, as UTF-8 JSON, and reads them back (for
 * tests and for a command-line reader). The {@code type} field comes first and tells them apart:
 * <ul>
 *   <li>{@code reply}: the samples drawn for one request, with the parameter {@code version} they came from and how
 *       many {@code attempts} were drawn (more than the samples when novelOnly filtered some out);</li>
 *   <li>{@code error}: why a request got no samples, with its id when known (else null);</li>
 *   <li>{@code samples}: the progress stream a model publishes every few training steps.</li>
 * </ul>
 * Log-probabilities and losses are rounded to 4 decimals, which is more than anyone reads; a value that is not
 * finite (a loss not measured yet, a probability that underflowed) is written as null, since JSON has no NaN.
 */
public final class GenerationJson {

    private GenerationJson() {
    }

    public static byte[] reply(String id, String model, long version, List<GeneratedSample> samples, int attempts) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        if (attempts < samples.size()) {
            throw new IllegalArgumentException(samples.size() + " samples cannot come from " + attempts + " attempts");
        }
        return write(json -> {
            json.writeStringField("type", "reply");
            json.writeStringField("id", id);
            json.writeStringField("model", model);
            json.writeNumberField("version", version);
            writeSamples(json, samples);
            json.writeNumberField("attempts", attempts);
        });
    }

    /** An error answer, as every kind of request gets it; {@code id} is null when the request's id was unreadable. */
    public static byte[] error(String id, RequestError error) {
        return RequestJson.error(id, error);
    }

    /** A progress message; a loss that is NaN (not known yet) is written as null. */
    public static byte[] samples(String model, long version, long charactersTrained, double trainingLoss,
                                 double heldOutLoss, List<GeneratedSample> samples, Instant time) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(time, "time");
        return write(json -> {
            json.writeStringField("type", "samples");
            json.writeStringField("model", model);
            json.writeNumberField("version", version);
            json.writeNumberField("charactersTrained", charactersTrained);
            writeRounded(json, "trainingLoss", trainingLoss);
            writeRounded(json, "heldOutLoss", heldOutLoss);
            writeSamples(json, samples);
            json.writeStringField("time", time.toString());
        });
    }

    /** Parses any of the three messages (or any JSON) into a tree; throws IllegalArgumentException if not JSON. */
    public static JsonNode read(byte[] value) {
        return RequestJson.read(value);
    }

    private static void writeSamples(JsonGenerator json, List<GeneratedSample> samples) throws IOException {
        json.writeArrayFieldStart("samples");
        for (GeneratedSample sample : samples) {
            json.writeStartObject();
            json.writeStringField("text", sample.text());
            writeRounded(json, "logProbability", sample.logProbability());
            json.writeBooleanField("inTraining", sample.inTraining());
            json.writeBooleanField("ended", sample.ended());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static void writeRounded(JsonGenerator json, String field, double value) throws IOException {
        RequestJson.writeRounded(json, field, value);
    }

    private static byte[] write(RequestJson.Fields fields) {
        return RequestJson.write(fields);
    }
}
