package io.rill.request;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a request of one kind (a UTF-8 JSON object in a Kafka record's value) or says precisely why it cannot: it
 * never throws, whatever the bytes. The checks every kind shares are here — the bytes (empty, too large, UTF-8),
 * the JSON (one object, nesting, sizes), the id (required, 1 to 200 characters, no control characters), fields
 * unknown to the kind (refused, so that a typo does not silently fall back to a default) or given twice — and the
 * kind's own {@link Checker} then reads its fields through {@link RequestFields}, whose typed reads carry each
 * field's error code. When the object is readable and its id valid, an error carries that id so the requester can
 * match it.
 *
 * <p>Thread-safe: the Jackson factory is shared and each call uses its own parser and UTF-8 decoder.
 */
public final class RequestReader<R extends Request> {

    public static final int MAX_ID_LENGTH = 200;
    /** Far more than a request needs, far less than what would exhaust a thread's stack in any JSON reader. */
    public static final int MAX_NESTING_DEPTH = 32;

    /** Field names are short; a long unknown one is refused by the reader before it is ever buffered. */
    private static final int MAX_NAME_LENGTH = 1_000;
    /** How much of the JSON reader's own explanation an error message repeats. */
    private static final int SHOWN_READER_MESSAGE = 200;

    /** A field of a request kind (besides {@code id}) and the code its problems carry. */
    public record Field(String name, ErrorCode code) {
    }

    /** Reads a kind's own fields into its request, once the shared checks have passed. */
    public interface Checker<R extends Request> {
        R check(String id, RequestFields fields) throws RequestFields.Refusal;
    }

    private final int maxRequestBytes;
    private final Map<String, ErrorCode> fields = new LinkedHashMap<>();
    private final String knownFields;
    private final String example;
    private final Checker<R> checker;
    private final JsonFactory json;

    /**
     * @param fields  the kind's fields besides {@code id}, in the order their problems are reported
     * @param example a minimal valid request, quoted in the messages of unreadable ones
     */
    public RequestReader(int maxRequestBytes, List<Field> fields, String example, Checker<R> checker) {
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("max-request-bytes must be positive, got " + maxRequestBytes);
        }
        this.maxRequestBytes = maxRequestBytes;
        this.fields.put("id", CommonError.BAD_ID);
        fields.forEach(field -> this.fields.put(field.name(), field.code()));
        this.knownFields = String.join(", ", this.fields.keySet());
        this.example = Objects.requireNonNull(example, "example");
        this.checker = Objects.requireNonNull(checker, "checker");
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxDocumentLength(maxRequestBytes)
                        .maxStringLength(maxRequestBytes)
                        .maxNameLength(MAX_NAME_LENGTH)
                        .build())
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION) // messages quote what we choose, bounded
                .build();
    }

    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    /** Reads one record value; never throws. */
    public ParsedRequest<R> parse(byte[] value) {
        try {
            return parseOrThrow(value);
        } catch (RuntimeException e) {
            // A bug in rill or in the reader: the requester still gets an answer, and it says whose fault it is.
            return internal(e);
        }
    }

    private ParsedRequest<R> parseOrThrow(byte[] value) {
        if (value == null) {
            return invalid(null, CommonError.EMPTY, "request value is null; send a JSON object such as " + example);
        }
        if (value.length == 0) {
            return invalid(null, CommonError.EMPTY, "request value is 0 bytes; send a JSON object such as " + example);
        }
        if (value.length > maxRequestBytes) {
            return invalid(null, CommonError.TOO_LARGE,
                    "request is " + value.length + " bytes, limit is " + maxRequestBytes);
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(value);
        CharBuffer out = CharBuffer.allocate(value.length); // UTF-8 never yields more chars than bytes
        CoderResult result = utf8.decode(in, out, true);
        if (result.isError()) {
            return invalid(null, CommonError.MALFORMED_UTF8, "request is not well-formed UTF-8: " + result.length()
                    + " bad byte(s) at byte " + in.position() + "; the request must be UTF-8 JSON");
        }
        utf8.flush(out);
        out.flip();
        if (out.hasRemaining() && out.get(0) == '\uFEFF') {
            out.position(1); // a byte-order mark, as some editors write: meaningless in UTF-8, so skipped
        }
        String text = out.toString();

        RequestFields read;
        try (JsonParser parser = json.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return invalid(null, CommonError.EMPTY, "request holds only white space; send a JSON object");
            }
            if (first != JsonToken.START_OBJECT) {
                parser.skipChildren();
                if (parser.nextToken() != null) {
                    return notJson("more than one JSON value");
                }
                return invalid(null, CommonError.NOT_AN_OBJECT,
                        "request must be a JSON object such as " + example + "; received " + kind(first));
            }
            read = readFields(parser);
            if (parser.nextToken() != null) {
                return notJson("more than one JSON value (something follows the object)");
            }
        } catch (StreamConstraintsException e) {
            return invalid(null, CommonError.TOO_LARGE, "request exceeds a JSON limit: " + readerMessage(e));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return notJson(readerMessage(e) + where);
        } catch (IOException e) {
            // Reading from a String does no I/O; anything else here is the reader's failure, not the request's.
            return internal(e);
        }
        return check(read);
    }

    private RequestFields readFields(JsonParser parser) throws IOException {
        RequestFields read = new RequestFields(fields);
        // The reader guarantees a field name or the end of the object here, and throws on anything else.
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            RequestFields.RawValue value;
            if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
                parser.skipChildren(); // iterative, and the nesting limit still applies to what it skips
                value = new RequestFields.RawValue(token, null);
            } else {
                value = new RequestFields.RawValue(token, parser.getText());
            }
            read.put(name, value);
        }
        return read;
    }

    private ParsedRequest<R> check(RequestFields read) {
        String id;
        try {
            id = id(read);
        } catch (RequestFields.Refusal refusal) {
            return invalid(null, refusal.code(), refusal.getMessage());
        }
        try {
            if (read.firstUnknown() != null) {
                throw new RequestFields.Refusal(CommonError.UNKNOWN_FIELD, "unknown field "
                        + RequestFields.show(read.firstUnknown()) + "; the known fields are " + knownFields);
            }
            String repeated = read.firstRepeated();
            if (repeated != null) {
                throw new RequestFields.Refusal(fields.get(repeated), repeated + " is given more than once; give it once");
            }
            return new ParsedRequest.Valid<>(checker.check(id, read));
        } catch (RequestFields.Refusal refusal) {
            return invalid(id, refusal.code(), refusal.getMessage());
        }
    }

    private static String id(RequestFields read) throws RequestFields.Refusal {
        if (read.isRepeated("id")) {
            throw new RequestFields.Refusal(CommonError.BAD_ID, "id is given more than once; give it once");
        }
        if (!read.has("id")) {
            throw new RequestFields.Refusal(CommonError.BAD_ID,
                    "id is required: a string of 1 to " + MAX_ID_LENGTH + " characters without control characters");
        }
        return read.text("id", null, MAX_ID_LENGTH);
    }

    private ParsedRequest<R> internal(Exception e) {
        return invalid(null, CommonError.INTERNAL, "rill failed while reading the request: " + e.getClass().getName());
    }

    private ParsedRequest<R> notJson(String detail) {
        return invalid(null, CommonError.NOT_JSON, "request is not valid JSON: " + detail);
    }

    private ParsedRequest<R> invalid(String id, ErrorCode code, String message) {
        return new ParsedRequest.Invalid<>(id, new RequestError(code, message));
    }

    /** The reader's explanation without its pointer into Jackson's API, bounded and printable. */
    private static String readerMessage(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        message = message.replaceAll(", from `[^`]*`", "") // where to raise the limit: not the requester's business
                .replaceAll(": enable `[^`]*` to allow", "")
                .replace('\n', ' ');
        return RequestFields.printable(message, SHOWN_READER_MESSAGE, false);
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
}
