package io.rill.request;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;

/**
 * Writes the messages rill publishes on its reply topics as UTF-8 JSON objects, and reads them back (for tests and
 * command-line readers). Every message starts with its {@code type}; the error reply is the same for every kind of
 * request:
 * <pre>{"type":"error","id":"r2","code":"bad-temperature","message":"..."}</pre>
 * Numbers that are estimates (log-probabilities, losses, weights) are rounded to 4 decimals, which is more than anyone
 * reads; a value that is not finite (a loss not measured yet) is written as null, since JSON has no NaN.
 */
public final class RequestJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RequestJson() {
    }

    /** The fields of an object being written. */
    public interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /** An object with {@code fields}, as UTF-8 bytes. */
    public static byte[] write(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            // Writing to memory does no I/O: only text Jackson refuses to encode lands here.
            throw new IllegalArgumentException("cannot write the message as JSON: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** An error answer; {@code id} is null when the request's id could not be read. */
    public static byte[] error(String id, RequestError error) {
        Objects.requireNonNull(error, "error");
        return write(json -> {
            json.writeStringField("type", "error");
            json.writeStringField("id", id); // Jackson writes a null String as JSON null
            json.writeStringField("code", error.code().wireName());
            json.writeStringField("message", error.message());
        });
    }

    /** Parses a message (or any JSON) into a tree; throws IllegalArgumentException if it is not JSON. */
    public static JsonNode read(byte[] value) {
        try {
            return MAPPER.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON message: " + e.getMessage(), e);
        }
    }

    /** 4 decimals; beyond 1e11 the product with 1e4 would lose integer precision, and no such value needs it. */
    public static double round4(double value) {
        if (Math.abs(value) >= 1e11) {
            return value;
        }
        return Math.round(value * 10_000) / 10_000.0;
    }

    /** {@code value} rounded to 4 decimals, or null when it is not finite. */
    public static void writeRounded(JsonGenerator json, String field, double value) throws IOException {
        if (Double.isFinite(value)) {
            json.writeNumberField(field, round4(value));
        } else {
            json.writeNullField(field);
        }
    }
}
