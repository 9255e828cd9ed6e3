package io.rill.text;

import java.util.Locale;

/** How a topic's text is cut into tokens: words for corpus topics, characters for names topics. */
public enum TokenizerKind {
    WORDS,
    CHARACTERS;

    /** Parses the configuration spelling: {@code words} or {@code characters}. */
    public static TokenizerKind parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "words" -> WORDS;
            case "characters", "chars" -> CHARACTERS;
            default -> throw new IllegalArgumentException(
                    "unknown tokenizer '" + name + "': expected 'words' or 'characters'");
        };
    }
}
