package io.rill.text;

import java.util.List;

/**
 * One token per line, the line itself: for topics whose lines carry fields ({@code label<TAB>sentence},
 * {@code source<TAB>target}) that their learners split and check themselves, so that a bad line can be refused on its
 * own while the rest of the record is used. An empty line gives no token.
 */
public final class LineTokenizer implements Tokenizer {

    @Override
    public void tokenizeLine(String text, int from, int to, List<String> out) {
        if (to > from) {
            out.add(text.substring(from, to));
        }
    }
}
