package io.rill.text;

import java.util.List;

/** A record's tokens, one list per line, and their total count. */
public record TokenizedText(List<List<String>> lines, int tokenCount) {
}
