package io.rill.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits decoded text into tokens, line by line. A record is a sequence of lines separated by '\n'; the end of the
 * record ends its last line. Each line becomes one list of tokens (possibly empty, so that blank lines stay visible
 * to the learners, who use them as document boundaries).
 */
public interface Tokenizer {

    /** Appends the tokens of {@code text[from, to)}, one line without its newline, to {@code out}. */
    void tokenizeLine(String text, int from, int to, List<String> out);

    /** Tokenizes a whole record: one token list per line. */
    default TokenizedText tokenize(String text) {
        List<List<String>> lines = new ArrayList<>();
        int tokens = 0;
        int start = 0;
        while (true) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline;
            List<String> line = new ArrayList<>(Math.max(4, (end - start) / 5)); // about one token per 5 chars
            tokenizeLine(text, start, end, line);
            tokens += line.size();
            lines.add(line);
            if (newline < 0 || newline == text.length() - 1) {
                break; // a trailing newline closes the last line; it does not open an empty one
            }
            start = newline + 1;
        }
        return new TokenizedText(lines, tokens);
    }

    static Tokenizer of(TokenizerKind kind) {
        return switch (kind) {
            case WORDS -> new WordTokenizer();
            case CHARACTERS -> new CharacterTokenizer();
            case LINES -> new LineTokenizer();
        };
    }
}
