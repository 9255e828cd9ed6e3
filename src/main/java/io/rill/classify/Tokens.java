package io.rill.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the classifier cuts sentences into tokens.
 * <ul>
 *   <li><b>Labelled topics</b> ({@link #ofTopic}): lower-cased and split on white space, nothing more: the sentences
 *       of the MR set are already tokenised around punctuation ({@code "a gripping , funny film ."}), and the
 *       reference implementation splits them the same way.</li>
 *   <li><b>Requests</b> ({@link #ofRequest}): the same, then punctuation is split off the ends of each word so
 *       that text written normally meets the vocabulary learned from tokenised text: {@code "film."} and
 *       {@code "film ."} classify alike. At the end of a word, a run of one of {@code . , ; : ! ? ) ] } " …} is
 *       one token ({@code "wow!!"} → {@code wow !!}); at the start, each of {@code ( [ { "} is one. Apostrophes
 *       and hyphens stay where they are ({@code it's}, {@code well-made}, {@code characters'}), as in MR.</li>
 * </ul>
 */
public final class Tokens {

    private static final String CLOSING = ".,;:!?)]}\"\u2026";
    private static final String OPENING = "([{\"";

    private Tokens() {
    }

    /** A labelled line's sentence: lower-cased, split on white space. */
    public static List<String> ofTopic(String sentence) {
        List<String> tokens = new ArrayList<>();
        for (String token : sentence.toLowerCase(Locale.ROOT).split("\\s+")) {
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        return tokens;
    }

    /** A request's text: as a topic's, with punctuation split off the ends of words. */
    public static List<String> ofRequest(String text) {
        List<String> tokens = new ArrayList<>();
        for (String word : ofTopic(text)) {
            int start = 0;
            int end = word.length();
            List<String> leading = new ArrayList<>();
            while (start < end && OPENING.indexOf(word.charAt(start)) >= 0) {
                leading.add(word.substring(start, start + 1));
                start++;
            }
            List<String> trailing = new ArrayList<>();
            while (end > start && CLOSING.indexOf(word.charAt(end - 1)) >= 0) {
                char c = word.charAt(end - 1);
                int run = end - 1;
                while (run > start && word.charAt(run - 1) == c) {
                    run--;
                }
                trailing.add(0, word.substring(run, end));
                end = run;
            }
            tokens.addAll(leading);
            if (end > start) {
                tokens.add(word.substring(start, end));
            }
            tokens.addAll(trailing);
        }
        return tokens;
    }
}
