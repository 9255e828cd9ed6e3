package io.rill.translate;

import java.util.List;

/**
 * Reads one line of a parallel topic: {@code source<TAB>target}, any further tab-separated columns ignored (so a
 * Tatoeba file with its attribution column goes in as it is), both sides cut into words by {@link SentenceTokens}.
 * A line is refused, with one of the reasons below (the dead-letter topic's reason and the JMX counter's key):
 * <ul>
 *   <li>{@value #NO_TAB}: the line has no tab, so no target;</li>
 *   <li>{@value #EMPTY_SIDE}: the source or the target has no word;</li>
 *   <li>{@value #TOO_LONG}: a side has more than {@code max-sentence-words} words, or a word of more than
 *       {@value WordVocabulary#MAX_WORD_LENGTH} characters.</li>
 * </ul>
 */
public final class ParallelLine {

    public static final String NO_TAB = "no-tab";
    public static final String EMPTY_SIDE = "empty-side";
    public static final String TOO_LONG = "too-long";

    private ParallelLine() {
    }

    /** What a line gives: a pair, or the reason it is refused and a detail for a person. */
    public sealed interface Parsed {
    }

    public record Pair(List<String> source, List<String> target) implements Parsed {
    }

    public record Refused(String reason, String detail) implements Parsed {
    }

    public static Parsed parse(String line, int maxWords) {
        int tab = line.indexOf('\t');
        if (tab < 0) {
            return new Refused(NO_TAB, "a line must be source<TAB>target; this one has no tab");
        }
        int end = line.indexOf('\t', tab + 1);
        List<String> source = SentenceTokens.of(line.substring(0, tab));
        List<String> target = SentenceTokens.of(line.substring(tab + 1, end < 0 ? line.length() : end));
        if (source.isEmpty() || target.isEmpty()) {
            return new Refused(EMPTY_SIDE, "the " + (source.isEmpty() ? "source" : "target") + " has no word");
        }
        for (List<String> side : List.of(source, target)) {
            String which = side == source ? "source" : "target";
            if (side.size() > maxWords) {
                return new Refused(TOO_LONG, "the " + which + " has " + side.size() + " words, more than max-sentence-words "
                        + maxWords);
            }
            for (String word : side) {
                if (word.length() > WordVocabulary.MAX_WORD_LENGTH) {
                    return new Refused(TOO_LONG, "the " + which + " has a word of " + word.length()
                            + " characters, more than " + WordVocabulary.MAX_WORD_LENGTH);
                }
            }
        }
        return new Pair(source, target);
    }
}
