package io.rill.lstm;

import io.rill.request.CommonError;
import io.rill.request.ErrorCode;
import io.rill.request.ParsedRequest;
import io.rill.request.RequestError;
import io.rill.request.RequestJson;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenerationJsonTest {

    private static final GeneratedSample MARA = new GeneratedSample("Mara", -7.123_449, false, true);
    private static final GeneratedSample ZOE = new GeneratedSample("Zoë名", -12.5, true, false);

    @Test
    void aReplyRoundTrips() {
        JsonNode reply = GenerationJson.read(GenerationJson.reply("r1", "names", 1234, List.of(MARA, ZOE), 10));
        assertThat(fieldNames(reply)).containsExactly("type", "id", "model", "version", "samples", "attempts");
        assertThat(reply.get("type").asText()).isEqualTo("reply");
        assertThat(reply.get("id").asText()).isEqualTo("r1");
        assertThat(reply.get("model").asText()).isEqualTo("names");
        assertThat(reply.get("version").asLong()).isEqualTo(1234);
        assertThat(reply.get("attempts").asInt()).isEqualTo(10);
        assertThat(reply.get("samples")).hasSize(2);
        JsonNode first = reply.get("samples").get(0);
        assertThat(fieldNames(first)).containsExactly("text", "logProbability", "inTraining", "ended");
        assertThat(first.get("text").asText()).isEqualTo("Mara");
        assertThat(first.get("logProbability").asDouble()).isEqualTo(-7.1234);
        assertThat(first.get("inTraining").asBoolean()).isFalse();
        assertThat(first.get("ended").asBoolean()).isTrue();
        JsonNode second = reply.get("samples").get(1);
        assertThat(second.get("text").asText()).isEqualTo("Zoë名");
        assertThat(second.get("inTraining").asBoolean()).isTrue();
        assertThat(second.get("ended").asBoolean()).isFalse();
    }

    @Test
    void aReplyIsCompactUtf8WithNonAsciiTextUnescaped() {
        byte[] bytes = GenerationJson.reply("r1", "names", 7, List.of(ZOE), 1);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"reply\",\"id\":\"r1\","
                + "\"model\":\"names\",\"version\":7,\"samples\":[{\"text\":\"Zoë名\",\"logProbability\":-12.5,"
                + "\"inTraining\":true,\"ended\":false}],\"attempts\":1}");
    }

    @Test
    void aReplyWithNoSamplesHasAnEmptyArray() {
        JsonNode reply = GenerationJson.read(GenerationJson.reply("r1", "names", 1, List.of(), 50));
        assertThat(reply.get("samples").isArray()).isTrue();
        assertThat(reply.get("samples")).isEmpty();
    }

    @Test
    void aReplyCannotHaveMoreSamplesThanAttempts() {
        assertThatThrownBy(() -> GenerationJson.reply("r1", "names", 1, List.of(MARA, ZOE), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anErrorRoundTrips() {
        RequestError error = new RequestError(GenerationError.BAD_TEMPERATURE, "temperature must be ...; received 0");
        JsonNode json = GenerationJson.read(GenerationJson.error("r1", error));
        assertThat(fieldNames(json)).containsExactly("type", "id", "code", "message");
        assertThat(json.get("type").asText()).isEqualTo("error");
        assertThat(json.get("id").asText()).isEqualTo("r1");
        assertThat(json.get("code").asText()).isEqualTo("bad-temperature");
        assertThat(json.get("message").asText()).isEqualTo(error.message());
    }

    @Test
    void anErrorWithoutAnIdHasANullId() {
        JsonNode json = GenerationJson.read(GenerationJson.error(null, new RequestError(CommonError.NOT_JSON, "x")));
        assertThat(json.has("id")).isTrue();
        assertThat(json.get("id").isNull()).isTrue();
        assertThat(json.get("code").asText()).isEqualTo("not-json");
    }

    @Test
    void theParsersErrorsRoundTripWithTheirIds() {
        GenerationRequestParser parser = new GenerationRequestParser(GenerationLimits.defaults());
        ParsedRequest.Invalid invalid = (ParsedRequest.Invalid) parser.parse(
                "{\"id\":\"Zoë\",\"prefix\":\"a\\u0000\"}".getBytes(StandardCharsets.UTF_8));
        JsonNode json = GenerationJson.read(GenerationJson.error(invalid.id(), invalid.error()));
        assertThat(json.get("id").asText()).isEqualTo("Zoë");
        assertThat(json.get("code").asText()).isEqualTo("bad-prefix");
        assertThat(json.get("message").asText()).isEqualTo(invalid.error().message());
    }

    @Test
    void aSamplesMessageRoundTrips() {
        Instant time = Instant.parse("2026-11-26T10:00:00Z");
        JsonNode json = GenerationJson.read(
                GenerationJson.samples("names", 1234, 123_456, 2.012_345_6, 1.98, List.of(MARA), time));
        assertThat(fieldNames(json)).containsExactly("type", "model", "version", "charactersTrained", "trainingLoss",
                "heldOutLoss", "samples", "time");
        assertThat(json.get("type").asText()).isEqualTo("samples");
        assertThat(json.get("model").asText()).isEqualTo("names");
        assertThat(json.get("version").asLong()).isEqualTo(1234);
        assertThat(json.get("charactersTrained").asLong()).isEqualTo(123_456);
        assertThat(json.get("trainingLoss").asDouble()).isEqualTo(2.0123);
        assertThat(json.get("heldOutLoss").asDouble()).isEqualTo(1.98);
        assertThat(json.get("samples").get(0).get("text").asText()).isEqualTo("Mara");
        assertThat(json.get("time").asText()).isEqualTo("2026-11-26T10:00:00Z");
    }

    @Test
    void unknownLossesAreNull() {
        JsonNode json = GenerationJson.read(GenerationJson.samples("names", 1, 0, Double.NaN, Double.NaN,
                List.of(), Instant.EPOCH));
        assertThat(json.get("trainingLoss").isNull()).isTrue();
        assertThat(json.get("heldOutLoss").isNull()).isTrue();
    }

    @Test
    void anUnderflowedLogProbabilityIsNull() {
        GeneratedSample impossible = new GeneratedSample("qqq", Double.NEGATIVE_INFINITY, false, true);
        JsonNode json = GenerationJson.read(GenerationJson.reply("r1", "names", 1, List.of(impossible), 1));
        assertThat(json.get("samples").get(0).get("logProbability").isNull()).isTrue();
    }

    @Test
    void roundingKeepsFourDecimals() {
        assertThat(RequestJson.round4(-7.123_46)).isEqualTo(-7.1235);
        assertThat(RequestJson.round4(-7.123_44)).isEqualTo(-7.1234);
        assertThat(RequestJson.round4(0.000_04)).isEqualTo(0.0);
        assertThat(RequestJson.round4(-1e15)).isEqualTo(-1e15);
    }

    @Test
    void readingSomethingThatIsNotJsonFails() {
        assertThatThrownBy(() -> GenerationJson.read("{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
