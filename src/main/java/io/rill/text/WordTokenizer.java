package io.rill.text;

import java.util.List;

/**
 * Word tokens for corpus topics, the same rule that produced the shared benchmark tokens, widened to every script:
 * <ul>
 *   <li>a word is a run of letters, lower-cased (root locale), optionally joined by one apostrophe (' or U+2019) to
 *       a further run of letters: {@code don't}, {@code o'brien}; the apostrophe is kept as ';</li>
 *   <li>a run of digits is a token of its own: {@code 1790};</li>
 *   <li>everything else (punctuation, symbols, white space) separates tokens and is dropped.</li>
 * </ul>
 * Not thread-safe: it reuses one builder.
 */
public final class WordTokenizer implements Tokenizer {

    private final StringBuilder word = new StringBuilder(32);

    @Override
    public void tokenizeLine(String text, int from, int to, List<String> out) {
        int i = from;
        while (i < to) {
            int cp = text.codePointAt(i);
            if (Character.isLetter(cp)) {
                word.setLength(0);
                i = appendLetters(text, i, to);
                if (i + 1 < to && isApostrophe(text.charAt(i)) && Character.isLetter(text.codePointAt(i + 1))) {
                    word.append('\'');
                    i = appendLetters(text, i + 1, to);
                }
                out.add(word.toString());
            } else if (Character.isDigit(cp)) {
                int start = i;
                while (i < to && Character.isDigit(text.charAt(i))) {
                    i++;
                }
                out.add(text.substring(start, i));
            } else {
                i += Character.charCount(cp);
            }
        }
    }

    /** Appends the letter run starting at {@code i}, lower-cased, to the builder; returns the index after it. */
    private int appendLetters(String text, int i, int to) {
        while (i < to) {
            int cp = text.codePointAt(i);
            if (!Character.isLetter(cp)) {
                break;
            }
            word.appendCodePoint(Character.toLowerCase(cp));
            i += Character.charCount(cp);
        }
        return i;
    }

    private static boolean isApostrophe(char c) {
        return c == '\'' || c == '\u2019';
    }
}
