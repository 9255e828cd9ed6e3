package io.rill.text;

import java.util.Locale;

/**
 * How a topic's text is cut into tokens: words for corpus topics, characters for names topics, whole lines for topics
 * whose lines have fields of their own (labelled sentences, sentence pairs), which their learners read.
 */
public enum TokenizerKind {
    WORDS("words"),
    CHARACTERS("characters"),
    LINES("lines");

    private final String configName;

    TokenizerKind(String configName) {
        this.configName = configName;
    }

    /** The configuration spelling. */
    public String configName() {
        return configName;
    }

    /** Parses the configuration spelling: {@code words}, {@code characters} or {@code lines}. */
    public static TokenizerKind parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "words" -> WORDS;
            case "characters", "chars" -> CHARACTERS;
            case "lines" -> LINES;
            default -> throw new IllegalArgumentException(
                    "unknown tokenizer '" + name + "': expected 'words', 'characters' or 'lines'");
        };
    }
}
