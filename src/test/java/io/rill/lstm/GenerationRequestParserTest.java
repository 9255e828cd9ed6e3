package io.rill.lstm;

import io.rill.request.CommonError;
import io.rill.request.ErrorCode;
import io.rill.request.ParsedRequest;
import io.rill.request.RequestError;
import io.rill.request.RequestJson;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class GenerationRequestParserTest {

    private final GenerationRequestParser parser = new GenerationRequestParser(GenerationLimits.defaults());

    // --- valid requests ---

    @Test
    void aFullRequestIsReadAsWritten() {
        GenerationRequest request = valid("{\"id\": \"r1\", \"model\": \"names\", \"count\": 10, \"temperature\": 0.8,"
                + " \"topK\": 5, \"prefix\": \"Ma\", \"maxLength\": 24, \"novelOnly\": true}");
        assertThat(request).isEqualTo(new GenerationRequest("r1", "names", 10, 0.8, 5, "Ma", 24, true));
    }

    @Test
    void aMinimalRequestGetsTheDefaults() {
        assertThat(valid("{\"id\":\"x\"}")).isEqualTo(new GenerationRequest("x", "names", 1, 1.0, 0, "", 32, false));
    }

    @Test
    void theBoundsThemselvesAreAllowed() {
        String prefix = "é".repeat(255);
        GenerationRequest request = valid("{\"id\":\"" + "i".repeat(200) + "\",\"model\":\"" + "m".repeat(100)
                + "\",\"count\":100,\"temperature\":100,\"topK\":10000,\"prefix\":\"" + prefix
                + "\",\"maxLength\":256,\"novelOnly\":false}");
        assertThat(request.count()).isEqualTo(100);
        assertThat(request.temperature()).isEqualTo(100.0);
        assertThat(request.topK()).isEqualTo(10_000);
        assertThat(request.prefix()).isEqualTo(prefix);
        assertThat(request.maxLength()).isEqualTo(256);
    }

    @Test
    void prefixLengthCountsCodePointsNotChars() {
        String prefix = "😀".repeat(255); // 510 UTF-16 chars, 255 code points
        assertThat(valid("{\"id\":\"x\",\"prefix\":\"" + prefix + "\"}").prefix()).isEqualTo(prefix);
    }

    @Test
    void wholeNumbersWrittenWithAFractionOrExponentAreIntegers() {
        assertThat(valid("{\"id\":\"x\",\"count\":10.0}").count()).isEqualTo(10);
        assertThat(valid("{\"id\":\"x\",\"count\":1e1}").count()).isEqualTo(10);
        assertThat(valid("{\"id\":\"x\",\"topK\":0.0}").topK()).isZero();
    }

    @Test
    void anIntegerTemperatureIsANumber() {
        assertThat(valid("{\"id\":\"x\",\"temperature\":2}").temperature()).isEqualTo(2.0);
        assertThat(valid("{\"id\":\"x\",\"temperature\":1e-3}").temperature()).isEqualTo(0.001);
    }

    @Test
    void aLongPrefixWithoutMaxLengthLeavesTheDefaultsWorthOfRoom() {
        String prefix = "a".repeat(40);
        assertThat(valid("{\"id\":\"x\",\"prefix\":\"" + prefix + "\"}").maxLength()).isEqualTo(72);
        String longer = "a".repeat(250);
        assertThat(valid("{\"id\":\"x\",\"prefix\":\"" + longer + "\"}").maxLength()).isEqualTo(256);
    }

    @Test
    void aByteOrderMarkAndSurroundingWhiteSpaceAreIgnored() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] json = " \n{\"id\":\"x\"}\n ".getBytes(StandardCharsets.UTF_8);
        byte[] value = Arrays.copyOf(bom, bom.length + json.length);
        System.arraycopy(json, 0, value, bom.length, json.length);
        assertThat(parser.parse(value)).isInstanceOf(ParsedRequest.Valid.class);
    }

    @Test
    void nonAsciiTextSurvives() {
        GenerationRequest request = valid("{\"id\":\"名前\",\"prefix\":\"Zoë\"}");
        assertThat(request.id()).isEqualTo("名前");
        assertThat(request.prefix()).isEqualTo("Zoë");
    }

    // --- the value itself ---

    @Test
    void aNullValueIsEmpty() {
        assertRefused(parser.parse(null), CommonError.EMPTY, null, "null");
    }

    @Test
    void aZeroByteValueIsEmpty() {
        assertRefused(parser.parse(new byte[0]), CommonError.EMPTY, null, "0 bytes");
    }

    @Test
    void aValueOfWhiteSpaceIsEmpty() {
        assertRefused(parse("  \n\t "), CommonError.EMPTY, null, "white space");
    }

    @Test
    void aValueOverTheByteLimitIsTooLargeBeforeAnyParsing() {
        byte[] justOver = new byte[65_537];
        Arrays.fill(justOver, (byte) '[');
        assertRefused(parser.parse(justOver), CommonError.TOO_LARGE, null, "65537 bytes", "65536");
    }

    @Test
    void aTenMegabytePayloadIsTooLarge() {
        String big = "{\"id\":\"x\",\"prefix\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}";
        assertRefused(parse(big), CommonError.TOO_LARGE, null, "limit is 65536");
    }

    @Test
    void malformedUtf8IsRefusedWithItsPosition() {
        byte[] value = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
        assertRefused(parser.parse(value), CommonError.MALFORMED_UTF8, null, "at byte 7");
    }

    @Test
    void anOverlongEncodingIsMalformedUtf8() {
        byte[] value = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        assertRefused(parser.parse(value), CommonError.MALFORMED_UTF8, null, "UTF-8");
    }

    @Test
    void aMultiByteCharacterCutAtTheEndIsMalformedUtf8() {
        byte[] value = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xE5, (byte) 0x90};
        assertRefused(parser.parse(value), CommonError.MALFORMED_UTF8, null, "at byte 7");
    }

    // --- not JSON ---

    @Test
    void plainTextIsNotJson() {
        assertRefused(parse("hello"), CommonError.NOT_JSON, null, "line 1");
    }

    @Test
    void truncatedJsonIsNotJson() {
        assertRefused(parse("{\"id\":\"r1\",\"count\":"), CommonError.NOT_JSON, null, "end-of-input");
    }

    @Test
    void anUnclosedStringIsNotJson() {
        assertRefused(parse("{\"id\":\"r1"), CommonError.NOT_JSON, null);
    }

    @Test
    void randomBytesAreRefusedAsUnreadable() {
        byte[] value = new byte[200];
        new Random(7).nextBytes(value);
        ParsedRequest result = parser.parse(value);
        assertThat(result).isInstanceOf(ParsedRequest.Invalid.class);
        assertThat(((ParsedRequest.Invalid) result).error().code())
                .isIn(CommonError.MALFORMED_UTF8, CommonError.NOT_JSON);
    }

    @Test
    void randomPrintableCharactersAreNotJson() {
        Random random = new Random(11);
        StringBuilder text = new StringBuilder("#");
        for (int i = 0; i < 200; i++) {
            text.append((char) (33 + random.nextInt(94)));
        }
        assertRefused(parse(text.toString()), CommonError.NOT_JSON, null);
    }

    @Test
    void theNaNLiteralIsNotJson() {
        ParsedRequest.Invalid nan = assertRefused(parse("{\"id\":\"r1\",\"temperature\":NaN}"), CommonError.NOT_JSON,
                null, "'NaN'");
        assertThat(nan.error().message()).doesNotContain("JsonReadFeature", "StreamReadConstraints");
        assertRefused(parse("{\"id\":\"r1\",\"temperature\":Infinity}"), CommonError.NOT_JSON, null);
    }

    @Test
    void leniencesOfOtherReadersAreNotJson() {
        assertRefused(parse("{'id':'r1'}"), CommonError.NOT_JSON, null);
        assertRefused(parse("{id:\"r1\"}"), CommonError.NOT_JSON, null);
        assertRefused(parse("{\"id\":\"r1\",}"), CommonError.NOT_JSON, null);
        assertRefused(parse("{\"id\":\"r1\" /* c */}"), CommonError.NOT_JSON, null);
        assertRefused(parse("{\"id\":\"r1\",\"count\":01}"), CommonError.NOT_JSON, null);
    }

    @Test
    void anythingAfterTheObjectIsNotJson() {
        assertRefused(parse("{\"id\":\"r1\"} {\"id\":\"r2\"}"), CommonError.NOT_JSON, null, "more than one");
        assertRefused(parse("{\"id\":\"r1\"} x"), CommonError.NOT_JSON, null);
        assertRefused(parse("[1] [2]"), CommonError.NOT_JSON, null, "more than one");
    }

    @Test
    void controlCharactersInTheMessageAreEscaped() {
        ParsedRequest.Invalid invalid = (ParsedRequest.Invalid) parse("\u0001\u0002");
        assertThat(invalid.error().code()).isEqualTo(CommonError.NOT_JSON);
        assertThat(invalid.error().message()).doesNotContain("\u0001");
    }

    // --- nesting and other reader limits ---

    @Test
    void deepNestingIsAClearErrorNotAStackOverflow() {
        GenerationRequestParser roomy = new GenerationRequestParser(new GenerationLimits(1_000_000, 100, 256, 32));
        String nested = "[".repeat(100_000) + "]".repeat(100_000);
        assertRefused(roomy.parse(nested.getBytes(StandardCharsets.UTF_8)), CommonError.TOO_LARGE, null,
                "nesting depth", "32");
        String unclosed = "{\"id\":\"x\",\"prefix\":" + "{\"a\":".repeat(100_000);
        assertRefused(roomy.parse(unclosed.getBytes(StandardCharsets.UTF_8)), CommonError.TOO_LARGE, null,
                "nesting depth");
    }

    @Test
    void deepNestingWithinTheByteLimitIsTooLarge() {
        String nested = "{\"id\":\"x\",\"prefix\":" + "[".repeat(40) + "]".repeat(40) + "}";
        assertRefused(parse(nested), CommonError.TOO_LARGE, null, "nesting depth (33)", "(32)");
    }

    @Test
    void shallowNestingInAFieldIsThatFieldsWrongType() {
        assertRefused(parse("{\"id\":\"x\",\"prefix\":[[[\"a\"]]]}"), GenerationError.BAD_PREFIX, "x", "an array");
    }

    @Test
    void aVeryLongFieldNameIsTooLarge() {
        assertRefused(parse("{\"" + "k".repeat(5_000) + "\":1,\"id\":\"x\"}"), CommonError.TOO_LARGE, null,
                "Name length");
    }

    @Test
    void aVeryLongNumberIsTooLarge() {
        assertRefused(parse("{\"id\":\"x\",\"count\":" + "9".repeat(2_000) + "}"), CommonError.TOO_LARGE, null,
                "Number value length");
    }

    // --- not an object ---

    @ParameterizedTest
    @ValueSource(strings = {"[{\"id\":\"r1\"}]", "\"r1\"", "42", "null", "true"})
    void aJsonValueOtherThanAnObjectIsNotAnObject(String json) {
        assertRefused(parse(json), CommonError.NOT_AN_OBJECT, null, "must be a JSON object");
    }

    @Test
    void anArrayIsNamedInTheMessage() {
        assertRefused(parse("[1, 2, 3]"), CommonError.NOT_AN_OBJECT, null, "received an array");
    }

    // --- unknown and repeated fields ---

    @Test
    void anUnknownFieldIsRefusedWithTheKnownOnesListed() {
        assertRefused(parse("{\"id\":\"r1\",\"temprature\":0.5}"), CommonError.UNKNOWN_FIELD, "r1",
                "\"temprature\"", "temperature, topK");
    }

    @Test
    void anUnknownFieldIsRefusedEvenWithANullValue() {
        assertRefused(parse("{\"id\":\"r1\",\"extra\":null}"), CommonError.UNKNOWN_FIELD, "r1", "\"extra\"");
    }

    @Test
    void aRepeatedFieldIsThatFieldsError() {
        assertRefused(parse("{\"id\":\"r1\",\"count\":2,\"count\":3}"), GenerationError.BAD_COUNT, "r1", "more than once");
    }

    @Test
    void aRepeatedIdCannotBeRecovered() {
        assertRefused(parse("{\"id\":\"r1\",\"id\":\"r2\"}"), CommonError.BAD_ID, null, "more than once");
    }

    // --- id ---

    @Test
    void aMissingIdIsBadId() {
        assertRefused(parse("{\"count\":2}"), CommonError.BAD_ID, null, "id is required");
    }

    @Test
    void anEmptyIdIsBadId() {
        assertRefused(parse("{\"id\":\"\"}"), CommonError.BAD_ID, null, "1 to 200", "received 0 characters");
    }

    @Test
    void anIdOver200CharactersIsBadIdAndShownTruncated() {
        ParsedRequest.Invalid invalid = assertRefused(parse("{\"id\":\"" + "x".repeat(201) + "\"}"),
                CommonError.BAD_ID, null, "201 characters", "...");
        assertThat(invalid.error().message()).hasSizeLessThan(250);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "true", "null", "[\"r1\"]", "{\"v\":\"r1\"}"})
    void anIdOfTheWrongTypeIsBadId(String id) {
        assertRefused(parse("{\"id\":" + id + "}"), CommonError.BAD_ID, null, "id must be a string");
    }

    @Test
    void anIdWithAControlCharacterIsBadId() {
        assertRefused(parse("{\"id\":\"r\\u0000 1\"}"), CommonError.BAD_ID, null, "control characters", "U+0000");
    }

    @Test
    void anIdWithAnUnpairedSurrogateIsBadId() {
        ParsedRequest.Invalid invalid = assertRefused(parse("{\"id\":\"r\\uD800\"}"), CommonError.BAD_ID, null,
                "unpaired surrogate");
        assertThat(invalid.error().message()).doesNotContain("\uD800");
    }

    // --- model ---

    @Test
    void anEmptyModelIsBadModel() {
        assertRefused(parse("{\"id\":\"r1\",\"model\":\"\"}"), CommonError.BAD_MODEL, "r1", "model must be");
    }

    @Test
    void aModelOver100CharactersIsBadModel() {
        assertRefused(parse("{\"id\":\"r1\",\"model\":\"" + "m".repeat(101) + "\"}"), CommonError.BAD_MODEL, "r1",
                "101 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "false", "null", "[]", "{}"})
    void aModelOfTheWrongTypeIsBadModel(String model) {
        assertRefused(parse("{\"id\":\"r1\",\"model\":" + model + "}"), CommonError.BAD_MODEL, "r1", "string");
    }

    // --- count ---

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "101", "10.5", "1e400", "99999999999", "-99999999999", "1e99999999999"})
    void aCountOutOfRangeOrFractionalIsBadCount(String count) {
        assertRefused(parse("{\"id\":\"r1\",\"count\":" + count + "}"), GenerationError.BAD_COUNT, "r1",
                "whole number from 1 to 100", "received " + count);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"10\"", "true", "[10]", "{}"})
    void aCountOfTheWrongTypeIsBadCount(String count) {
        assertRefused(parse("{\"id\":\"r1\",\"count\":" + count + "}"), GenerationError.BAD_COUNT, "r1",
                "whole number");
    }

    @Test
    void aNullCountSaysToLeaveItOut() {
        assertRefused(parse("{\"id\":\"r1\",\"count\":null}"), GenerationError.BAD_COUNT, "r1", "leave the field out",
                "default, 1");
    }

    @Test
    void theCountLimitComesFromTheLimits() {
        GenerationRequestParser strict = new GenerationRequestParser(new GenerationLimits(65_536, 5, 256, 32));
        assertRefused(strict.parse("{\"id\":\"r1\",\"count\":6}".getBytes(StandardCharsets.UTF_8)),
                GenerationError.BAD_COUNT, "r1", "from 1 to 5");
    }

    // --- temperature ---

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0.5", "-1", "100.5", "1e400", "-1e400", "0.0"})
    void aTemperatureOutOfRangeIsBadTemperature(String temperature) {
        assertRefused(parse("{\"id\":\"r1\",\"temperature\":" + temperature + "}"), GenerationError.BAD_TEMPERATURE,
                "r1", "greater than 0 and at most 100", "received " + temperature);
    }

    @Test
    void aTemperatureTooSmallToRepresentIsBadTemperature() {
        assertRefused(parse("{\"id\":\"r1\",\"temperature\":1e-400}"), GenerationError.BAD_TEMPERATURE, "r1",
                "too small");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"NaN\"", "\"0.8\"", "true", "null", "[0.8]", "{}"})
    void aTemperatureOfTheWrongTypeIsBadTemperature(String temperature) {
        assertRefused(parse("{\"id\":\"r1\",\"temperature\":" + temperature + "}"), GenerationError.BAD_TEMPERATURE,
                "r1", "temperature must be a number");
    }

    // --- topK ---

    @ParameterizedTest
    @ValueSource(strings = {"-1", "10001", "2.5"})
    void aTopKOutOfRangeIsBadTopK(String topK) {
        assertRefused(parse("{\"id\":\"r1\",\"topK\":" + topK + "}"), GenerationError.BAD_TOP_K, "r1",
                "topK must be a whole number from 0 to 10000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"5\"", "false", "null", "[]"})
    void aTopKOfTheWrongTypeIsBadTopK(String topK) {
        assertRefused(parse("{\"id\":\"r1\",\"topK\":" + topK + "}"), GenerationError.BAD_TOP_K, "r1", "topK");
    }

    // --- prefix ---

    @Test
    void aPrefixWithANewlineIsBadPrefix() {
        assertRefused(parse("{\"id\":\"r1\",\"prefix\":\"Ma\\nry\"}"), GenerationError.BAD_PREFIX, "r1",
                "end-of-sequence", "U+000A at character 2", "\"Ma\\u000Ary\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\t", "\\r", "\\u0007", "\\u007F", "\\u0085"})
    void aPrefixWithAControlCharacterIsBadPrefix(String control) {
        assertRefused(parse("{\"id\":\"r1\",\"prefix\":\"a" + control + "\"}"), GenerationError.BAD_PREFIX, "r1",
                "control characters");
    }

    @Test
    void aPrefixAsLongAsTheLengthLimitIsBadPrefix() {
        assertRefused(parse("{\"id\":\"r1\",\"prefix\":\"" + "a".repeat(256) + "\"}"), GenerationError.BAD_PREFIX, "r1",
                "at most 255 characters", "received 256 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "null", "[\"Ma\"]"})
    void aPrefixOfTheWrongTypeIsBadPrefix(String prefix) {
        assertRefused(parse("{\"id\":\"r1\",\"prefix\":" + prefix + "}"), GenerationError.BAD_PREFIX, "r1",
                "prefix must be a string");
    }

    // --- maxLength ---

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "257", "32.5"})
    void aMaxLengthOutOfRangeIsBadMaxLength(String maxLength) {
        assertRefused(parse("{\"id\":\"r1\",\"maxLength\":" + maxLength + "}"), GenerationError.BAD_MAX_LENGTH, "r1",
                "whole number from 1 to 256");
    }

    @Test
    void aMaxLengthEqualToThePrefixIsBadMaxLength() {
        assertRefused(parse("{\"id\":\"r1\",\"prefix\":\"Mary\",\"maxLength\":4}"), GenerationError.BAD_MAX_LENGTH, "r1",
                "greater than the prefix's 4 characters", "received 4");
    }

    @Test
    void aMaxLengthBelowThePrefixIsBadMaxLength() {
        assertRefused(parse("{\"id\":\"r1\",\"prefix\":\"Mary\",\"maxLength\":2}"), GenerationError.BAD_MAX_LENGTH, "r1",
                "received 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"32\"", "true", "null", "{}"})
    void aMaxLengthOfTheWrongTypeIsBadMaxLength(String maxLength) {
        assertRefused(parse("{\"id\":\"r1\",\"maxLength\":" + maxLength + "}"), GenerationError.BAD_MAX_LENGTH, "r1",
                "maxLength must be a whole number");
    }

    // --- novelOnly ---

    @ParameterizedTest
    @ValueSource(strings = {"\"true\"", "1", "0", "null", "[true]"})
    void aNovelOnlyThatIsNotABooleanIsBadNovelOnly(String novelOnly) {
        assertRefused(parse("{\"id\":\"r1\",\"novelOnly\":" + novelOnly + "}"), GenerationError.BAD_NOVEL_ONLY, "r1",
                "novelOnly must be true or false");
    }

    // --- id recovery ---

    @Test
    void theIdIsRecoveredWhateverFieldIsBadAndWhereverItStands() {
        assertRefused(parse("{\"temperature\":-1,\"count\":3,\"id\":\"late\"}"), GenerationError.BAD_TEMPERATURE, "late");
        assertRefused(parse("{\"id\":\"r9\",\"count\":3,\"temperature\":\"hot\"}"), GenerationError.BAD_TEMPERATURE, "r9");
        assertRefused(parse("{\"oops\":1,\"id\":\"r9\"}"), CommonError.UNKNOWN_FIELD, "r9");
    }

    @Test
    void aBadIdWinsOverOtherProblems() {
        assertRefused(parse("{\"id\":5,\"count\":0}"), CommonError.BAD_ID, null);
    }

    // --- robustness ---

    @Test
    void randomBytesAndMutationsOfAValidRequestNeverThrow() {
        Random random = new Random(20_261_126);
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            byte[] value = new byte[random.nextInt(120)];
            random.nextBytes(value);
            checkAnswered(parser.parse(value));
        }
        byte[] seed = ("{\"id\": \"r1\", \"model\": \"names\", \"count\": 10, \"temperature\": 0.8, \"topK\": 0,"
                + " \"prefix\": \"Zoë\", \"maxLength\": 24, \"novelOnly\": true}").getBytes(StandardCharsets.UTF_8);
        byte[] jsonBytes = "{}[]\":,.-+0123456789eEtrufalsn \\u".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 10_000; i++) {
            byte[] value = seed.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && value.length > 0; e++) {
                int at = random.nextInt(value.length);
                byte b = random.nextBoolean() ? jsonBytes[random.nextInt(jsonBytes.length)] : (byte) random.nextInt();
                value = switch (random.nextInt(4)) {
                    case 0 -> replace(value, at, b);
                    case 1 -> delete(value, at);
                    case 2 -> insert(value, at, b);
                    default -> Arrays.copyOf(value, at);
                };
            }
            checkAnswered(parser.parse(value));
        }
        assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
    }

    // --- helpers ---

    private ParsedRequest<GenerationRequest> parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private GenerationRequest valid(String json) {
        ParsedRequest<GenerationRequest> result = parse(json);
        assertThat(result).as("parsed %s", json).isInstanceOf(ParsedRequest.Valid.class);
        return ((ParsedRequest.Valid<GenerationRequest>) result).request();
    }

    private static ParsedRequest.Invalid assertRefused(ParsedRequest result, ErrorCode code, String id,
                                                       String... messageParts) {
        assertThat(result).isInstanceOf(ParsedRequest.Invalid.class);
        ParsedRequest.Invalid invalid = (ParsedRequest.Invalid) result;
        assertThat(invalid.error().code()).as("code of: %s", invalid.error().message()).isEqualTo(code);
        assertThat(invalid.id()).isEqualTo(id);
        if (messageParts.length > 0) {
            assertThat(invalid.error().message()).contains(messageParts);
        }
        return invalid;
    }

    /** Every answer is a result, and every error can be written as a reply. */
    private static void checkAnswered(ParsedRequest<GenerationRequest> result) {
        assertThat(result).isNotNull();
        if (result instanceof ParsedRequest.Invalid invalid) {
            assertThat(invalid.error().code()).isNotEqualTo(CommonError.INTERNAL);
            assertThat(GenerationJson.read(GenerationJson.error(invalid.id(), invalid.error())).get("code").asText())
                    .isEqualTo(invalid.error().code().wireName());
        } else {
            GenerationRequest request = ((ParsedRequest.Valid<GenerationRequest>) result).request();
            assertThat(request.count()).isBetween(1, 100);
            String prefix = request.prefix();
            assertThat(request.maxLength()).isGreaterThan(prefix.codePointCount(0, prefix.length()));
        }
    }

    private static byte[] replace(byte[] value, int at, byte b) {
        value[at] = b;
        return value;
    }

    private static byte[] delete(byte[] value, int at) {
        byte[] out = new byte[value.length - 1];
        System.arraycopy(value, 0, out, 0, at);
        System.arraycopy(value, at + 1, out, at, value.length - at - 1);
        return out;
    }

    private static byte[] insert(byte[] value, int at, byte b) {
        byte[] out = new byte[value.length + 1];
        System.arraycopy(value, 0, out, 0, at);
        out[at] = b;
        System.arraycopy(value, at, out, at + 1, value.length - at);
        return out;
    }
}
