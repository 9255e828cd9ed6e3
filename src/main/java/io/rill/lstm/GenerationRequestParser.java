package io.rill.lstm;

import io.rill.request.CommonError;
import io.rill.request.ParsedRequest;
import io.rill.request.RequestFields;
import io.rill.request.RequestReader;
import java.util.List;
import java.util.Objects;

/**
 * Reads a generation request and checks every field against {@link GenerationLimits}, or says precisely why it
 * cannot: it never throws, whatever the bytes. What every request shares (bytes, JSON, id, unknown and repeated
 * fields) is {@link RequestReader}'s; this class reads the generation fields:
 *
 * <pre>{"id": "r1", "model": "names", "count": 5, "temperature": 0.8, "topK": 0, "prefix": "Ma", "maxLength": 24,
 *  "novelOnly": true}</pre>
 *
 * <p>Thread-safe.
 */
public final class GenerationRequestParser {

    public static final String DEFAULT_MODEL = "names";
    public static final int MAX_ID_LENGTH = RequestReader.MAX_ID_LENGTH;
    public static final int MAX_MODEL_LENGTH = 100;
    public static final double MAX_TEMPERATURE = 100;
    public static final int MAX_TOP_K = 10_000;
    public static final int MAX_NESTING_DEPTH = RequestReader.MAX_NESTING_DEPTH;

    private static final List<RequestReader.Field> FIELDS = List.of(
            new RequestReader.Field("model", CommonError.BAD_MODEL),
            new RequestReader.Field("count", GenerationError.BAD_COUNT),
            new RequestReader.Field("temperature", GenerationError.BAD_TEMPERATURE),
            new RequestReader.Field("topK", GenerationError.BAD_TOP_K),
            new RequestReader.Field("prefix", GenerationError.BAD_PREFIX),
            new RequestReader.Field("maxLength", GenerationError.BAD_MAX_LENGTH),
            new RequestReader.Field("novelOnly", GenerationError.BAD_NOVEL_ONLY));

    private final GenerationLimits limits;
    private final RequestReader<GenerationRequest> reader;

    public GenerationRequestParser(GenerationLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.reader = new RequestReader<>(limits.maxRequestBytes(), FIELDS, "{\"id\":\"r1\"}", this::check);
    }

    public GenerationLimits limits() {
        return limits;
    }

    /** The shared reader, for the request path. */
    public RequestReader<GenerationRequest> reader() {
        return reader;
    }

    /** Reads one record value; never throws. */
    public ParsedRequest<GenerationRequest> parse(byte[] value) {
        return reader.parse(value);
    }

    private GenerationRequest check(String id, RequestFields fields) throws RequestFields.Refusal {
        String model = fields.text("model", DEFAULT_MODEL, MAX_MODEL_LENGTH);
        int count = fields.integer("count", 1, 1, limits.maxCount());
        double temperature = fields.positive("temperature", 1.0, MAX_TEMPERATURE);
        int topK = fields.integer("topK", 0, 0, MAX_TOP_K);
        // Room for at least one generated character; a newline is the end-of-sequence symbol.
        String prefix = fields.text("prefix", "", 0, limits.maxLength() - 1, " (a newline is the end-of-sequence symbol)");
        int maxLength = maxLength(fields, prefix.codePointCount(0, prefix.length()));
        boolean novelOnly = fields.bool("novelOnly", false);
        return new GenerationRequest(id, model, count, temperature, topK, prefix, maxLength, novelOnly);
    }

    private int maxLength(RequestFields fields, int prefixLength) throws RequestFields.Refusal {
        // Absent: the default length, unless the prefix alone fills it; then the default's worth of room after it.
        int absent = prefixLength < limits.defaultMaxLength() ? limits.defaultMaxLength()
                : Math.min(limits.maxLength(), prefixLength + limits.defaultMaxLength());
        int maxLength = fields.integer("maxLength", absent, 1, limits.maxLength());
        if (maxLength <= prefixLength) {
            throw fields.refuse("maxLength", "maxLength counts the prefix, so it must be greater than the prefix's "
                    + prefixLength + " characters (and at most " + limits.maxLength() + "); received " + maxLength);
        }
        return maxLength;
    }
}
