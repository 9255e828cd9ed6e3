package io.rill.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.request.ParsedRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every error code a classification request can get from its reader, and good requests with their defaults. */
class ClassificationRequestParserTest {

    private final ClassificationRequestParser parser = new ClassificationRequestParser(1000, 50);

    @Test
    void goodRequestsAndDefaults() {
        assertThat(valid("{\"id\":\"r1\",\"model\":\"mr\",\"text\":\"a gripping , funny film .\",\"explain\":true}"))
                .isEqualTo(new ClassificationRequest("r1", "mr", "a gripping , funny film .", true));
        assertThat(valid("{\"id\":\"r2\",\"text\":\"dull\"}"))
                .isEqualTo(new ClassificationRequest("r2", "mr", "dull", false));
    }

    @Test
    void everyBadRequestHasItsCode() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("", "empty");
        bad.put("{\"id\":\"e\",\"text\":\"" + "a".repeat(2000) + "\"}", "too-large");
        bad.put("{\"id\":\"e\",\"text\":\"a\"", "not-json");
        bad.put("[\"e\"]", "not-an-object");
        bad.put("{\"id\":\"e\",\"text\":\"a\",\"explian\":true}", "unknown-field");
        bad.put("{\"text\":\"a\"}", "bad-id");
        bad.put("{\"id\":7,\"text\":\"a\"}", "bad-id");
        bad.put("{\"id\":\"e\",\"model\":3,\"text\":\"a\"}", "bad-model");
        bad.put("{\"id\":\"e\",\"model\":\"\",\"text\":\"a\"}", "bad-model");
        bad.put("{\"id\":\"e\"}", "bad-text");
        bad.put("{\"id\":\"e\",\"text\":\"\"}", "bad-text");
        bad.put("{\"id\":\"e\",\"text\":\"   \"}", "bad-text");
        bad.put("{\"id\":\"e\",\"text\":\"" + "a".repeat(51) + "\"}", "bad-text");
        bad.put("{\"id\":\"e\",\"text\":\"a\\tb\"}", "bad-text");
        bad.put("{\"id\":\"e\",\"text\":[\"a\"]}", "bad-text");
        bad.put("{\"id\":\"e\",\"text\":null}", "bad-text");
        bad.put("{\"id\":\"e\",\"text\":\"a\",\"explain\":\"yes\"}", "bad-explain");
        bad.put("{\"id\":\"e\",\"text\":\"a\",\"explain\":1}", "bad-explain");
        bad.put("{\"id\":\"e\",\"text\":\"a\",\"text\":\"b\"}", "bad-text");
        bad.forEach((request, code) -> assertThat(code(request.getBytes(StandardCharsets.UTF_8)))
                .as(request).isEqualTo(code));
        byte[] malformed = "{\"id\":\"e\",\"text\":\"ab\"}".getBytes(StandardCharsets.UTF_8);
        malformed[malformed.length - 3] = (byte) 0xC3;
        assertThat(code(malformed)).isEqualTo("malformed-utf8");
        assertThat(code(null)).isEqualTo("empty");
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(1);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            assertThat(parser.parse(bytes)).isNotNull();
        }
    }

    private ClassificationRequest valid(String json) {
        ParsedRequest<ClassificationRequest> parsed = parser.parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed).isInstanceOf(ParsedRequest.Valid.class);
        return ((ParsedRequest.Valid<ClassificationRequest>) parsed).request();
    }

    private String code(byte[] value) {
        ParsedRequest<ClassificationRequest> parsed = parser.parse(value);
        assertThat(parsed).isInstanceOf(ParsedRequest.Invalid.class);
        ParsedRequest.Invalid<ClassificationRequest> invalid = (ParsedRequest.Invalid<ClassificationRequest>) parsed;
        assertThat(invalid.error().message()).isNotBlank();
        return invalid.error().code().wireName();
    }
}
