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
 * This runs for every token of every record, so ASCII words take a fast path (a table of character classes, the
 * hash computed while scanning), and repeated words come back as the same String instance from a small cache:
 * no allocation, and a later hash-map lookup finds its key by identity with the hash already cached. Other scripts
 * take the general path, code point by code point. Not thread-safe: one per stream.
 */
public final class WordTokenizer implements Tokenizer {

    private static final byte OTHER = 0;
    private static final byte LETTER = 1;
    private static final byte DIGIT = 2;
    private static final byte[] ASCII_CLASS = new byte[128];
    private static final int CACHE_SIZE = 1 << 16;

    static {
        for (int c = 'a'; c <= 'z'; c++) {
            ASCII_CLASS[c] = LETTER;
            ASCII_CLASS[c - 'a' + 'A'] = LETTER;
        }
        for (int c = '0'; c <= '9'; c++) {
            ASCII_CLASS[c] = DIGIT;
        }
    }

    /** The class of every byte value for {@link #scanAscii}; bytes of 0x80 and above are never passed to it. */
    private static final byte NEWLINE = 3;
    private static final byte[] BYTE_CLASS = new byte[256];

    static {
        System.arraycopy(ASCII_CLASS, 0, BYTE_CLASS, 0, ASCII_CLASS.length);
        BYTE_CLASS['\n'] = NEWLINE;
    }

    /**
     * The word tokens of {@code text[0, length)}, which must be ASCII (every byte below 0x80: what
     * {@link RecordDecoder#decodeUnlessAscii} accepted), straight from the bytes: the same rule and the same tokens as
     * {@link #tokenize} of the same text, handed to {@code sink} as byte ranges, and a
     * {@link AsciiTokenSink#lineBreak} at every newline. Returns the number of tokens.
     */
    public static int scanAscii(byte[] text, int length, AsciiTokenSink sink) {
        byte[] classes = BYTE_CLASS;
        int tokens = 0;
        int i = 0;
        while (i < length) {
            byte kind = classes[text[i] & 0xFF];
            if (kind == OTHER) {
                i++;
                continue;
            }
            if (kind == NEWLINE) {
                sink.lineBreak();
                i++;
                continue;
            }
            int start = i++;
            if (kind == LETTER) {
                while (i < length && classes[text[i] & 0xFF] == LETTER) {
                    i++;
                }
                // One apostrophe joins a further run of letters: don't, o'brien (rock'n'roll is rock'n, roll).
                if (i + 1 < length && text[i] == '\'' && classes[text[i + 1] & 0xFF] == LETTER) {
                    i += 2;
                    while (i < length && classes[text[i] & 0xFF] == LETTER) {
                        i++;
                    }
                }
            } else {
                while (i < length && classes[text[i] & 0xFF] == DIGIT) {
                    i++;
                }
            }
            sink.token(text, start, i);
            tokens++;
        }
        return tokens;
    }

    private final StringBuilder word = new StringBuilder(32);
    private char[] chars = new char[64];
    /** Recent tokens by hash slot; a collision simply replaces the older one, so memory stays bounded. */
    private final String[] cache = new String[CACHE_SIZE];

    @Override
    public void tokenizeLine(String text, int from, int to, List<String> out) {
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (c < 128) {
                byte kind = ASCII_CLASS[c];
                if (kind == OTHER) {
                    i++;
                    continue;
                }
                int end = kind == LETTER ? asciiWord(text, i, to) : asciiDigits(text, i, to);
                if (end >= 0) {
                    out.add(canonical(length));
                    i = end;
                    continue;
                }
            }
            i = generalToken(text, i, to, out);
        }
    }

    private int length;
    private int hash;

    /**
     * Scans an ASCII word (letters, optionally ' and letters) from {@code i} into {@code chars}, lower-cased;
     * returns its end, or -1 if it runs into a non-ASCII letter or apostrophe (the general path then takes it).
     */
    private int asciiWord(String text, int i, int to) {
        int n = 0;
        int h = 0;
        boolean apostrophe = false;
        while (i < to) {
            char c = text.charAt(i);
            if (c >= 128) {
                if (Character.isLetter(c) || Character.isSurrogate(c) || c == '\u2019') {
                    return -1;
                }
                break;
            }
            if (ASCII_CLASS[c] == LETTER) {
                char lower = (char) (c | 0x20);
                ensure(n + 1);
                chars[n++] = lower;
                h = 31 * h + lower;
                i++;
            } else if (c == '\'' && !apostrophe && i + 1 < to && isLetterStart(text.charAt(i + 1))) {
                if (text.charAt(i + 1) >= 128) {
                    return -1;
                }
                apostrophe = true;
                ensure(n + 1);
                chars[n++] = '\'';
                h = 31 * h + '\'';
                i++;
            } else {
                break;
            }
        }
        length = n;
        hash = h;
        return i;
    }

    private static boolean isLetterStart(char c) {
        return c < 128 ? ASCII_CLASS[c] == LETTER : Character.isLetter(c) || Character.isHighSurrogate(c);
    }

    private int asciiDigits(String text, int i, int to) {
        int n = 0;
        int h = 0;
        while (i < to) {
            char c = text.charAt(i);
            if (c >= 128 || ASCII_CLASS[c] != DIGIT) {
                if (c >= 128 && Character.isDigit(c)) {
                    return -1;
                }
                break;
            }
            ensure(n + 1);
            chars[n++] = c;
            h = 31 * h + c;
            i++;
        }
        length = n;
        hash = h;
        return i;
    }

    /** The token in {@code chars[0, n)}: the cached instance if the same token was seen recently. */
    private String canonical(int n) {
        int slot = (hash ^ (hash >>> 16)) & (CACHE_SIZE - 1);
        String cached = cache[slot];
        if (cached != null && cached.length() == n && cached.hashCode() == hash && matches(cached, n)) {
            return cached;
        }
        String token = new String(chars, 0, n);
        cache[slot] = token;
        return token;
    }

    private boolean matches(String cached, int n) {
        for (int k = 0; k < n; k++) {
            if (cached.charAt(k) != chars[k]) {
                return false;
            }
        }
        return true;
    }

    private void ensure(int capacity) {
        if (capacity > chars.length) {
            chars = java.util.Arrays.copyOf(chars, Math.max(capacity, chars.length * 2));
        }
    }

    /** The general path, code point by code point: one token (or one separator) starting at {@code i}. */
    private int generalToken(String text, int i, int to, List<String> out) {
        int cp = text.codePointAt(i);
        if (Character.isLetter(cp)) {
            word.setLength(0);
            i = appendLetters(text, i, to);
            if (i + 1 < to && isApostrophe(text.charAt(i)) && Character.isLetter(text.codePointAt(i + 1))) {
                word.append('\'');
                i = appendLetters(text, i + 1, to);
            }
            out.add(word.toString());
            return i;
        }
        if (Character.isDigit(cp)) {
            int start = i;
            while (i < to && Character.isDigit(text.charAt(i))) {
                i++;
            }
            out.add(text.substring(start, i));
            return i;
        }
        return i + Character.charCount(cp);
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
