package io.rill.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words of a sentence as the translator reads them: the text lower-cased (root locale), then every run of word
 * characters is a token and every other character that is not white space is a token of its own. This is the
 * reference translator's rule ({@code re.findall(r'\w+|[^\w\s]', s.lower())} on a Python string), character class
 * for character class, so that both read the same tokens from the same data:
 * <ul>
 *   <li>a word character is a letter (Unicode categories Lu, Ll, Lt, Lm, Lo), a number (Nd, Nl, No) or {@code _};
 *       a combining mark is not (a decomposed accent stands apart, as in the reference);</li>
 *   <li>white space is Python's: the separators (Zs, Zl, Zp, so also the no-break space), the ASCII controls TAB to
 *       CR, U+001C to U+001F and U+0085.</li>
 * </ul>
 * So {@code "Qu'est-ce que c'est ?"} is {@code qu ' est - ce que c ' est ?} and {@code "I'm 20."} is
 * {@code i ' m 20 .}. Stateless and thread-safe.
 */
public final class SentenceTokens {

    private SentenceTokens() {
    }

    /** The tokens of {@code text}. */
    public static List<String> of(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = lower.length();
        while (i < n) {
            int cp = lower.codePointAt(i);
            if (isWordCharacter(cp)) {
                int start = i;
                while (i < n && isWordCharacter(cp = lower.codePointAt(i))) {
                    i += Character.charCount(cp);
                }
                tokens.add(lower.substring(start, i));
            } else {
                int next = i + Character.charCount(cp);
                if (!isSpace(cp)) {
                    tokens.add(lower.substring(i, next));
                }
                i = next;
            }
        }
        return tokens;
    }

    /** Python's {@code \w} on a str: alphanumeric ({@code str.isalnum}) or underscore. */
    static boolean isWordCharacter(int cp) {
        if (cp < 128) {
            return cp >= 'a' && cp <= 'z' || cp >= 'A' && cp <= 'Z' || cp >= '0' && cp <= '9' || cp == '_';
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    /** Python's {@code \s} on a str ({@code str.isspace}). */
    static boolean isSpace(int cp) {
        return cp >= 0x09 && cp <= 0x0D || cp >= 0x1C && cp <= 0x20 || cp == 0x85 || Character.isSpaceChar(cp);
    }
}
