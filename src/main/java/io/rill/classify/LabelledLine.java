package io.rill.classify;

import java.util.List;

/**
 * One line of a labelled topic, {@code label<TAB>sentence}, read or refused. The label is the text before the first
 * tab, without surrounding white space; the sentence is the rest, lower-cased and split on white space
 * ({@link Tokens#ofTopic}). A line is refused, with a reason its dead letter carries, when it has no tab, an empty
 * label or sentence, a label over {@code max-label-length} characters, or more than {@code max-line-length}
 * characters in all; a label beyond the model's class limit is refused later, by the model ({@link #TOO_MANY_CLASSES}).
 */
public sealed interface LabelledLine {

    String NO_TAB = "no-tab";
    String EMPTY_LABEL = "empty-label";
    String EMPTY_SENTENCE = "empty-sentence";
    String LABEL_TOO_LONG = "label-too-long";
    String LINE_TOO_LONG = "line-too-long";
    String TOO_MANY_CLASSES = "too-many-classes";

    /** A good line: its label and its sentence's tokens. */
    record Example(String label, List<String> tokens) implements LabelledLine {
        /** The sentence as the held-out split hashes it: the tokens joined by single spaces. */
        public String sentence() {
            return String.join(" ", tokens);
        }
    }

    /** A refused line: the reason (a short code) and a detail for a person. */
    record Refused(String reason, String detail) implements LabelledLine {
    }

    static LabelledLine parse(String line, int maxLineLength, int maxLabelLength) {
        int length = line.codePointCount(0, line.length());
        if (length > maxLineLength) {
            return new Refused(LINE_TOO_LONG, "the line has " + length + " characters, the limit is " + maxLineLength
                    + " (rill.classify.max-line-length)");
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            return new Refused(NO_TAB, "a labelled line is label<TAB>sentence; this one has no tab");
        }
        String label = line.substring(0, tab).strip();
        if (label.isEmpty()) {
            return new Refused(EMPTY_LABEL, "the label before the tab is empty");
        }
        int labelLength = label.codePointCount(0, label.length());
        if (labelLength > maxLabelLength) {
            return new Refused(LABEL_TOO_LONG, "the label has " + labelLength + " characters, the limit is "
                    + maxLabelLength);
        }
        List<String> tokens = Tokens.ofTopic(line.substring(tab + 1));
        if (tokens.isEmpty()) {
            return new Refused(EMPTY_SENTENCE, "the sentence after the tab is empty");
        }
        return new Example(label, tokens);
    }
}
