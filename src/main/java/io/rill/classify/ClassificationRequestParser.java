package io.rill.classify;

import io.rill.request.CommonError;
import io.rill.request.ParsedRequest;
import io.rill.request.RequestFields;
import io.rill.request.RequestReader;
import java.util.List;

/**
 * Reads a classification request, or says precisely why it cannot; never throws, whatever the bytes. What every
 * request shares (bytes, JSON, id, unknown and repeated fields) is {@link RequestReader}'s; this class reads
 *
 * <pre>{"id": "r1", "model": "mr", "text": "a gripping , funny film .", "explain": true}</pre>
 *
 * {@code model} defaults to {@value #DEFAULT_MODEL}, {@code explain} to false; {@code text} is required: 1 to
 * {@code max-text-length} characters, not only white space, no control characters. Thread-safe.
 */
public final class ClassificationRequestParser {

    public static final String DEFAULT_MODEL = "mr";
    public static final int MAX_MODEL_LENGTH = 100;

    private static final List<RequestReader.Field> FIELDS = List.of(
            new RequestReader.Field("model", CommonError.BAD_MODEL),
            new RequestReader.Field("text", ClassificationError.BAD_TEXT),
            new RequestReader.Field("explain", ClassificationError.BAD_EXPLAIN));

    private final int maxTextLength;
    private final RequestReader<ClassificationRequest> reader;

    public ClassificationRequestParser(int maxRequestBytes, int maxTextLength) {
        this.maxTextLength = maxTextLength;
        this.reader = new RequestReader<>(maxRequestBytes, FIELDS,
                "{\"id\":\"r1\",\"model\":\"mr\",\"text\":\"a gripping , funny film .\"}", this::check);
    }

    public RequestReader<ClassificationRequest> reader() {
        return reader;
    }

    public ParsedRequest<ClassificationRequest> parse(byte[] value) {
        return reader.parse(value);
    }

    private ClassificationRequest check(String id, RequestFields fields) throws RequestFields.Refusal {
        String model = fields.text("model", DEFAULT_MODEL, MAX_MODEL_LENGTH);
        if (!fields.has("text")) {
            throw fields.refuse("text", "text is required: the sentence to classify, 1 to " + maxTextLength
                    + " characters");
        }
        String text = fields.text("text", null, 1, maxTextLength, " (a request classifies one sentence)");
        if (text.isBlank()) {
            throw fields.refuse("text", "text must hold at least one word; received only white space");
        }
        boolean explain = fields.bool("explain", false);
        return new ClassificationRequest(id, model, text, explain);
    }
}
