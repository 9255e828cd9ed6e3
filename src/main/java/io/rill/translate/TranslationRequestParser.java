package io.rill.translate;

import io.rill.request.CommonError;
import io.rill.request.ParsedRequest;
import io.rill.request.RequestFields;
import io.rill.request.RequestReader;
import java.util.List;

/**
 * Reads a translation request, or says precisely why it cannot: it never throws, whatever the bytes. What every
 * request shares (bytes, JSON, id, unknown and repeated fields) is {@link RequestReader}'s; this class reads:
 *
 * <pre>{"id": "t1", "model": "en-fr", "text": "i am cold .", "beam": 5, "maxLength": 30}</pre>
 *
 * {@code text} is required; {@code model} defaults to {@value #DEFAULT_MODEL}, {@code beam} and {@code maxLength} to
 * the configured defaults. Thread-safe.
 */
public final class TranslationRequestParser {

    public static final String DEFAULT_MODEL = "en-fr";
    public static final int MAX_MODEL_LENGTH = 100;
    /** Longest text in characters: far more than any sentence of max-text-words words. */
    public static final int MAX_TEXT_LENGTH = 10_000;

    private static final List<RequestReader.Field> FIELDS = List.of(
            new RequestReader.Field("model", CommonError.BAD_MODEL),
            new RequestReader.Field("text", TranslationError.BAD_TEXT),
            new RequestReader.Field("beam", TranslationError.BAD_BEAM),
            new RequestReader.Field("maxLength", TranslationError.BAD_MAX_LENGTH));

    private final TranslationSettings settings;
    private final RequestReader<TranslationRequest> reader;

    public TranslationRequestParser(TranslationSettings settings) {
        this.settings = settings;
        this.reader = new RequestReader<>(settings.requests().maxRequestBytes(), FIELDS,
                "{\"id\":\"t1\",\"text\":\"i am cold .\"}", this::check);
    }

    /** The shared reader, for the request path. */
    public RequestReader<TranslationRequest> reader() {
        return reader;
    }

    /** Reads one record value; never throws. */
    public ParsedRequest<TranslationRequest> parse(byte[] value) {
        return reader.parse(value);
    }

    private TranslationRequest check(String id, RequestFields fields) throws RequestFields.Refusal {
        String model = fields.text("model", DEFAULT_MODEL, MAX_MODEL_LENGTH);
        if (!fields.has("text")) {
            throw fields.refuse("text", "text is required: the sentence to translate, e.g. \"i am cold .\"");
        }
        String text = fields.text("text", null, 1, MAX_TEXT_LENGTH, " (send one sentence per request)");
        List<String> words = SentenceTokens.of(text);
        if (words.isEmpty()) {
            throw new RequestFields.Refusal(TranslationError.NO_WORDS, "text has no word to translate: received "
                    + RequestFields.show(text));
        }
        if (words.size() > settings.maxTextWords()) {
            throw new RequestFields.Refusal(TranslationError.TEXT_TOO_LONG, "text has " + words.size()
                    + " words (punctuation marks count), at most " + settings.maxTextWords() + " are translated");
        }
        int beam = fields.integer("beam", settings.defaultBeam(), 1, settings.maxBeam());
        int maxLength = fields.integer("maxLength", settings.defaultMaxLength(), 1, settings.maxLength());
        return new TranslationRequest(id, model, text, words, beam, maxLength);
    }
}
