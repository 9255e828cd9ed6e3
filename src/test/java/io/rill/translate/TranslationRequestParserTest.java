package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.rill.request.ParsedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every error code a translation request can get from reading it, shared and its own, and a valid request. */
class TranslationRequestParserTest {

    private final TranslationSettings settings = TranslationSettings.from(ConfigFactory.load());
    private final TranslationRequestParser parser = new TranslationRequestParser(settings);

    @Test
    void aValidRequestWithItsDefaults() {
        TranslationRequest request = valid("{\"id\":\"t1\",\"text\":\"I am cold.\"}");
        assertThat(request.model()).isEqualTo("en-fr");
        assertThat(request.words()).containsExactly("i", "am", "cold", ".");
        assertThat(request.beam()).isEqualTo(settings.defaultBeam());
        assertThat(request.maxLength()).isEqualTo(settings.defaultMaxLength());
        TranslationRequest greedy = valid("{\"id\":\"t2\",\"model\":\"x\",\"text\":\"a\",\"beam\":1,\"maxLength\":7}");
        assertThat(greedy.beam()).isEqualTo(1);
        assertThat(greedy.maxLength()).isEqualTo(7);
        assertThat(greedy.model()).isEqualTo("x");
    }

    @Test
    void everyErrorCode() {
        String many = "w ".repeat(settings.maxTextWords() + 1);
        List<String[]> cases = List.of(
                new String[] {"", "empty"},
                new String[] {"{\"id\":\"t\",\"text\":\"" + "a".repeat(70_000) + "\"}", "too-large"},
                new String[] {"{\"id\":\"t\",\"text\":\"caf\u00e9\"}", "malformed-utf8"},
                new String[] {"{\"id\":\"t\",\"text\":", "not-json"},
                new String[] {"[1]", "not-an-object"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\",\"temperature\":1}", "unknown-field"},
                new String[] {"{\"text\":\"a\"}", "bad-id"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\",\"model\":3}", "bad-model"},
                new String[] {"{\"id\":\"t\"}", "bad-text"},
                new String[] {"{\"id\":\"t\",\"text\":\"\"}", "bad-text"},
                new String[] {"{\"id\":\"t\",\"text\":[\"a\"]}", "bad-text"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\\tb\"}", "bad-text"},
                new String[] {"{\"id\":\"t\",\"text\":\"   \"}", "no-words"},
                new String[] {"{\"id\":\"t\",\"text\":\"" + many + "\"}", "text-too-long"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\",\"beam\":0}", "bad-beam"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\",\"beam\":" + (settings.maxBeam() + 1) + "}", "bad-beam"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\",\"beam\":2.5}", "bad-beam"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\",\"maxLength\":0}", "bad-max-length"},
                new String[] {"{\"id\":\"t\",\"text\":\"a\",\"maxLength\":\"9\"}", "bad-max-length"});
        for (String[] c : cases) {
            byte[] bytes = c[0].getBytes(StandardCharsets.UTF_8);
            if (c[1].equals("malformed-utf8")) {
                bytes[bytes.length - 3] = (byte) 0xC3; // a lead byte without its continuation
            }
            ParsedRequest<TranslationRequest> parsed = parser.parse(bytes);
            assertThat(parsed).as(c[0].length() > 80 ? c[1] : c[0]).isInstanceOf(ParsedRequest.Invalid.class);
            ParsedRequest.Invalid<TranslationRequest> invalid = (ParsedRequest.Invalid<TranslationRequest>) parsed;
            assertThat(invalid.error().code().wireName()).as(c[0].length() > 80 ? c[1] : c[0]).isEqualTo(c[1]);
            assertThat(invalid.error().message()).isNotBlank();
        }
    }

    private TranslationRequest valid(String json) {
        ParsedRequest<TranslationRequest> parsed = parser.parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed).isInstanceOf(ParsedRequest.Valid.class);
        return ((ParsedRequest.Valid<TranslationRequest>) parsed).request();
    }
}
