package io.rill.generate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a generation request (a UTF-8 JSON object in a Kafka record's value) and checks every field against
 * {@link GenerationLimits}, or says precisely why it cannot: it never throws, whatever the bytes. Unknown fields are
 * refused so that a typo does not silently fall back to a default. When the object is readable and its id valid, the
 * error carries that id so the requester can match it.
 *
 * <p>Numbers for integer fields must be whole and fit in an int; a whole number written with a fraction or exponent
 * (10.0, 1e1) is accepted, because JSON itself does not tell integers from other numbers and some producers write all
 * numbers that way. JSON null is refused like any wrong type: leave a field out to get its default.
 *
 * <p>Thread-safe: the Jackson factory is shared and each call uses its own parser and UTF-8 decoder.
 */
public final class GenerationRequestParser {

    public static final String DEFAULT_MODEL = "names";
    public static final int MAX_ID_LENGTH = 200;
    public static final int MAX_MODEL_LENGTH = 100;
    public static final double MAX_TEMPERATURE = 100;
    public static final int MAX_TOP_K = 10_000;
    /** Far more than a request needs, far less than what would exhaust a thread's stack in any JSON reader. */
    public static final int MAX_NESTING_DEPTH = 32;

    /** Field names are short; a long unknown one is refused by the reader before it is ever buffered. */
    private static final int MAX_NAME_LENGTH = 1_000;
    /** How much of a received value an error message repeats. */
    private static final int SHOWN_CODE_POINTS = 60;
    /** How much of the JSON reader's own explanation an error message repeats. */
    private static final int SHOWN_READER_MESSAGE = 200;

    /** The fields of the wire format, in the order they are checked, each with the code its problems carry. */
    private enum Field {
        ID("id", ErrorCode.BAD_ID),
        MODEL("model", ErrorCode.BAD_MODEL),
        COUNT("count", ErrorCode.BAD_COUNT),
        TEMPERATURE("temperature", ErrorCode.BAD_TEMPERATURE),
        TOP_K("topK", ErrorCode.BAD_TOP_K),
        PREFIX("prefix", ErrorCode.BAD_PREFIX),
        MAX_LENGTH("maxLength", ErrorCode.BAD_MAX_LENGTH),
        NOVEL_ONLY("novelOnly", ErrorCode.BAD_NOVEL_ONLY);

        final String wireName;
        final ErrorCode code;

        Field(String wireName, ErrorCode code) {
            this.wireName = wireName;
            this.code = code;
        }

        static Field named(String name) {
            for (Field field : values()) {
                if (field.wireName.equals(name)) {
                    return field;
                }
            }
            return null;
        }
    }

    private static final String EXAMPLE = "{\"id\":\"r1\"}";
    private static final String KNOWN_FIELDS = "id, model, count, temperature, topK, prefix, maxLength, novelOnly";

    /** One field's value as written: its token and, for scalars, its text (numbers keep their literal). */
    private record RawValue(JsonToken token, String text) {
    }

    /** Everything read from the object before any field is judged, so the id can be recovered whatever else fails. */
    private static final class ReadFields {
        final Map<Field, RawValue> values = new EnumMap<>(Field.class);
        final Set<Field> repeated = EnumSet.noneOf(Field.class);
        String firstUnknown;
    }

    /** A field's problem, carried out of the checks; no stack trace, it is not a failure of rill. */
    private static final class Refusal extends Exception {
        final ErrorCode code;

        Refusal(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final GenerationLimits limits;
    private final JsonFactory json;

    public GenerationRequestParser(GenerationLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxDocumentLength(limits.maxRequestBytes())
                        .maxStringLength(limits.maxRequestBytes())
                        .maxNameLength(MAX_NAME_LENGTH)
                        .build())
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION) // messages quote what we choose, bounded
                .build();
    }

    public GenerationLimits limits() {
        return limits;
    }

    /** Reads one record value; never throws. */
    public ParsedRequest parse(byte[] value) {
        try {
            return parseOrThrow(value);
        } catch (RuntimeException e) {
            // A bug in rill or in the reader: the requester still gets an answer, and it says whose fault it is.
            return internal(e);
        }
    }

    private ParsedRequest parseOrThrow(byte[] value) {
        if (value == null) {
            return invalid(null, ErrorCode.EMPTY, "request value is null; send a JSON object such as " + EXAMPLE);
        }
        if (value.length == 0) {
            return invalid(null, ErrorCode.EMPTY, "request value is 0 bytes; send a JSON object such as " + EXAMPLE);
        }
        if (value.length > limits.maxRequestBytes()) {
            return invalid(null, ErrorCode.TOO_LARGE,
                    "request is " + value.length + " bytes, limit is " + limits.maxRequestBytes());
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(value);
        CharBuffer out = CharBuffer.allocate(value.length); // UTF-8 never yields more chars than bytes
        CoderResult result = utf8.decode(in, out, true);
        if (result.isError()) {
            return invalid(null, ErrorCode.MALFORMED_UTF8, "request is not well-formed UTF-8: " + result.length()
                    + " bad byte(s) at byte " + in.position() + "; the request must be UTF-8 JSON");
        }
        utf8.flush(out);
        out.flip();
        if (out.hasRemaining() && out.get(0) == '\uFEFF') {
            out.position(1); // a byte-order mark, as some editors write: meaningless in UTF-8, so skipped
        }
        String text = out.toString();

        ReadFields fields;
        try (JsonParser parser = json.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return invalid(null, ErrorCode.EMPTY, "request holds only white space; send a JSON object");
            }
            if (first != JsonToken.START_OBJECT) {
                parser.skipChildren();
                if (parser.nextToken() != null) {
                    return notJson("more than one JSON value");
                }
                return invalid(null, ErrorCode.NOT_AN_OBJECT,
                        "request must be a JSON object such as " + EXAMPLE + "; received " + kind(first));
            }
            fields = readFields(parser);
            if (parser.nextToken() != null) {
                return notJson("more than one JSON value (something follows the object)");
            }
        } catch (StreamConstraintsException e) {
            return invalid(null, ErrorCode.TOO_LARGE, "request exceeds a JSON limit: " + readerMessage(e));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return notJson(readerMessage(e) + where);
        } catch (IOException e) {
            // Reading from a String does no I/O; anything else here is the reader's failure, not the request's.
            return internal(e);
        }
        return check(fields);
    }

    private static ReadFields readFields(JsonParser parser) throws IOException {
        ReadFields fields = new ReadFields();
        // The reader guarantees a field name or the end of the object here, and throws on anything else.
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            RawValue value;
            if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
                parser.skipChildren(); // iterative, and the nesting limit still applies to what it skips
                value = new RawValue(token, null);
            } else {
                value = new RawValue(token, parser.getText());
            }
            Field field = Field.named(name);
            if (field == null) {
                if (fields.firstUnknown == null) {
                    fields.firstUnknown = name;
                }
            } else if (fields.values.putIfAbsent(field, value) != null) {
                fields.repeated.add(field);
            }
        }
        return fields;
    }

    private ParsedRequest check(ReadFields fields) {
        String id;
        try {
            id = id(fields);
        } catch (Refusal refusal) {
            return invalid(null, refusal.code, refusal.getMessage());
        }
        try {
            if (fields.firstUnknown != null) {
                throw new Refusal(ErrorCode.UNKNOWN_FIELD, "unknown field " + show(fields.firstUnknown)
                        + "; the known fields are " + KNOWN_FIELDS);
            }
            if (!fields.repeated.isEmpty()) {
                Field field = fields.repeated.iterator().next();
                throw new Refusal(field.code, field.wireName + " is given more than once; give it once");
            }
            String model = text(fields, Field.MODEL, DEFAULT_MODEL, MAX_MODEL_LENGTH);
            int count = integer(fields, Field.COUNT, 1, 1, limits.maxCount());
            double temperature = temperature(fields);
            int topK = integer(fields, Field.TOP_K, 0, 0, MAX_TOP_K);
            String prefix = prefix(fields);
            int maxLength = maxLength(fields, prefix.codePointCount(0, prefix.length()));
            boolean novelOnly = bool(fields, Field.NOVEL_ONLY, false);
            return new ParsedRequest.Valid(
                    new GenerationRequest(id, model, count, temperature, topK, prefix, maxLength, novelOnly));
        } catch (Refusal refusal) {
            return invalid(id, refusal.code, refusal.getMessage());
        }
    }

    private static String id(ReadFields fields) throws Refusal {
        if (fields.repeated.contains(Field.ID)) {
            throw new Refusal(ErrorCode.BAD_ID, "id is given more than once; give it once");
        }
        if (!fields.values.containsKey(Field.ID)) {
            throw new Refusal(ErrorCode.BAD_ID,
                    "id is required: a string of 1 to " + MAX_ID_LENGTH + " characters without control characters");
        }
        return text(fields, Field.ID, null, MAX_ID_LENGTH);
    }

    /** A string field of 1 to {@code maxLength} code points, free of control characters and unpaired surrogates. */
    private static String text(ReadFields fields, Field field, String absent, int maxLength) throws Refusal {
        RawValue raw = fields.values.get(field);
        if (raw == null) {
            return absent;
        }
        String allowed = "a string of 1 to " + maxLength + " characters without control characters";
        if (raw.token() != JsonToken.VALUE_STRING) {
            throw refusal(field, allowed, raw, absent);
        }
        String value = raw.text();
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > maxLength) {
            throw new Refusal(field.code, field.wireName + " must be " + allowed + "; received " + length
                    + " characters: " + show(value));
        }
        requireClean(field, value, "");
        return value;
    }

    private String prefix(ReadFields fields) throws Refusal {
        RawValue raw = fields.values.get(Field.PREFIX);
        if (raw == null) {
            return "";
        }
        int maxLength = limits.maxLength() - 1; // room for at least one generated character
        String allowed = "a string of at most " + maxLength + " characters without control characters";
        if (raw.token() != JsonToken.VALUE_STRING) {
            throw refusal(Field.PREFIX, allowed, raw, "");
        }
        String value = raw.text();
        int length = value.codePointCount(0, value.length());
        if (length > maxLength) {
            throw new Refusal(ErrorCode.BAD_PREFIX, "prefix must be " + allowed + "; received " + length
                    + " characters: " + show(value));
        }
        requireClean(Field.PREFIX, value, " (a newline is the end-of-sequence symbol)");
        return value;
    }

    private static void requireClean(Field field, String value, String why) throws Refusal {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new Refusal(field.code, String.format("%s must not hold control characters%s; received U+%04X"
                        + " at character %d of %s", field.wireName, why, (int) c, i, show(value)));
            }
            if (startsPair(value, i)) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Refusal(field.code, String.format("%s must be valid Unicode; received an unpaired surrogate"
                        + " U+%04X at character %d of %s", field.wireName, (int) c, i, show(value)));
            }
        }
    }

    private static int integer(ReadFields fields, Field field, int absent, int min, int max) throws Refusal {
        RawValue raw = fields.values.get(field);
        if (raw == null) {
            return absent;
        }
        String allowed = "a whole number from " + min + " to " + max;
        if (raw.token() != JsonToken.VALUE_NUMBER_INT && raw.token() != JsonToken.VALUE_NUMBER_FLOAT) {
            throw refusal(field, allowed, raw, Integer.toString(absent));
        }
        BigDecimal exact = exact(field, allowed, raw);
        // Range first: it compares exponents without expanding 1e999999, and bounds what intValueExact works on.
        if (exact.compareTo(BigDecimal.valueOf(min)) < 0 || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw refusal(field, allowed, raw, null);
        }
        try {
            return exact.intValueExact();
        } catch (ArithmeticException fraction) {
            throw refusal(field, allowed, raw, null);
        }
    }

    private int maxLength(ReadFields fields, int prefixLength) throws Refusal {
        // Absent: the default length, unless the prefix alone fills it; then the default's worth of room after it.
        int absent = prefixLength < limits.defaultMaxLength() ? limits.defaultMaxLength()
                : Math.min(limits.maxLength(), prefixLength + limits.defaultMaxLength());
        int maxLength = integer(fields, Field.MAX_LENGTH, absent, 1, limits.maxLength());
        if (maxLength <= prefixLength) {
            throw new Refusal(ErrorCode.BAD_MAX_LENGTH, "maxLength counts the prefix, so it must be greater than the"
                    + " prefix's " + prefixLength + " characters (and at most " + limits.maxLength() + "); received "
                    + maxLength);
        }
        return maxLength;
    }

    private static double temperature(ReadFields fields) throws Refusal {
        RawValue raw = fields.values.get(Field.TEMPERATURE);
        if (raw == null) {
            return 1.0;
        }
        String allowed = "a number greater than 0 and at most " + (int) MAX_TEMPERATURE;
        if (raw.token() != JsonToken.VALUE_NUMBER_INT && raw.token() != JsonToken.VALUE_NUMBER_FLOAT) {
            throw refusal(Field.TEMPERATURE, allowed, raw, "1.0");
        }
        BigDecimal exact = exact(Field.TEMPERATURE, allowed, raw);
        if (exact.signum() <= 0 || exact.compareTo(BigDecimal.valueOf(MAX_TEMPERATURE)) > 0) {
            throw refusal(Field.TEMPERATURE, allowed, raw, null);
        }
        double temperature = Double.parseDouble(raw.text());
        if (temperature == 0) {
            throw new Refusal(ErrorCode.BAD_TEMPERATURE, "temperature must be " + allowed + "; received "
                    + show(raw) + ", too small to tell from 0");
        }
        return temperature;
    }

    private static boolean bool(ReadFields fields, Field field, boolean absent) throws Refusal {
        RawValue raw = fields.values.get(field);
        if (raw == null) {
            return absent;
        }
        if (raw.token() == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (raw.token() == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw refusal(field, "true or false", raw, Boolean.toString(absent));
    }

    /** The exact value of a JSON number literal (its grammar is a subset of BigDecimal's). */
    private static BigDecimal exact(Field field, String allowed, RawValue raw) throws Refusal {
        try {
            return new BigDecimal(raw.text());
        } catch (NumberFormatException exponentBeyondInt) {
            throw refusal(field, allowed, raw, null);
        }
    }

    /** "field must be allowed; received value", with a hint when the value is null and the field has a default. */
    private static Refusal refusal(Field field, String allowed, RawValue raw, String fallback) {
        String hint = raw.token() == JsonToken.VALUE_NULL && fallback != null
                ? " (leave the field out for the default, " + fallback + ")" : "";
        return new Refusal(field.code, field.wireName + " must be " + allowed + "; received " + show(raw) + hint);
    }

    private static ParsedRequest internal(Exception e) {
        return invalid(null, ErrorCode.INTERNAL, "rill failed while reading the request: " + e.getClass().getName());
    }

    private static boolean startsPair(String value, int i) {
        return Character.isHighSurrogate(value.charAt(i)) && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1));
    }

    private static ParsedRequest notJson(String detail) {
        return invalid(null, ErrorCode.NOT_JSON, "request is not valid JSON: " + detail);
    }

    private static ParsedRequest.Invalid invalid(String id, ErrorCode code, String message) {
        return new ParsedRequest.Invalid(id, new GenerationError(code, message));
    }

    /** The reader's explanation without its pointer into Jackson's API, bounded and printable. */
    private static String readerMessage(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        message = message.replaceAll(", from `[^`]*`", "") // where to raise the limit: not the requester's business
                .replaceAll(": enable `[^`]*` to allow", "")
                .replace('\n', ' ');
        return printable(message, SHOWN_READER_MESSAGE, false);
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    /** A received value as the requester wrote it: strings quoted, numbers as their literal, containers by kind. */
    private static String show(RawValue raw) {
        return switch (raw.token()) {
            case VALUE_STRING -> show(raw.text());
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> printable(raw.text(), SHOWN_CODE_POINTS, false);
        };
    }

    /** A string quoted JSON-style, control characters and unpaired surrogates escaped, cut at 60 code points. */
    private static String show(String value) {
        return "\"" + printable(value, SHOWN_CODE_POINTS, true) + "\"";
    }

    /**
     * Escapes what would make a message unreadable or unwritable (control characters, unpaired surrogates, and
     * within a quoted string quotes and backslashes), and cuts after {@code maxCodePoints} with "...".
     */
    private static String printable(String value, int maxCodePoints, boolean quoted) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), maxCodePoints * 2) + 8);
        int codePoints = 0;
        for (int i = 0; i < value.length(); i++) {
            if (codePoints == maxCodePoints) {
                return out.append("...").toString();
            }
            char c = value.charAt(i);
            codePoints++;
            if (startsPair(value, i)) {
                out.append(c).append(value.charAt(++i));
            } else if (quoted && (c == '"' || c == '\\')) {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
