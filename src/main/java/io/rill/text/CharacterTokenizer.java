package io.rill.text;

import java.util.List;

/**
 * Character tokens for names topics: every Unicode code point of a line is a token, case kept (a name's capital
 * letter is something a generator should learn). Tabs and spaces are characters too. The line's end is not a token
 * here; the learners add their own end-of-sequence symbol per line.
 */
public final class CharacterTokenizer implements Tokenizer {

    private static final String[] ASCII = new String[128];

    static {
        for (int c = 0; c < ASCII.length; c++) {
            ASCII[c] = String.valueOf((char) c);
        }
    }

    @Override
    public void tokenizeLine(String text, int from, int to, List<String> out) {
        int i = from;
        while (i < to) {
            int cp = text.codePointAt(i);
            out.add(cp < 128 ? ASCII[cp] : new String(Character.toChars(cp)));
            i += Character.charCount(cp);
        }
    }
}
