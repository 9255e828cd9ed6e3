package io.rill.loadtest;

import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * English text as record values: lines cut at spaces into pieces of about {@code target} characters (no word split;
 * a line's tail under half the target joins the piece before it; control characters other than tab become spaces,
 * since rill would dead-letter them). Record {@code i} is piece {@code i mod pieces}: the text over and over. Each
 * piece is tokenized once with rill's word tokenizer, so the tokens of the first N records are known.
 */
final class TextRecords {

    private final List<byte[]> values = new ArrayList<>();
    private final long[] tokens;
    private final long[] bytes;
    final int minBytes;
    final int maxBytes;

    TextRecords(List<String> lines, int target) {
        if (target < 20) {
            throw new IllegalArgumentException("record size must be at least 20 characters, got " + target);
        }
        List<String> pieces = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.codePoints().map(c -> c != '\t' && Character.isISOControl(c) ? ' ' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString()
                    .strip();
            List<String> ofLine = new ArrayList<>();
            for (int start = 0, end; start < line.length(); start = end) {
                end = line.length() - start <= target ? line.length() : line.lastIndexOf(' ', start + target);
                if (end <= start) { // one word longer than the target: cut after it
                    end = line.indexOf(' ', start + target);
                    end = end < 0 ? line.length() : end;
                }
                String piece = line.substring(start, end).strip();
                if (!piece.isEmpty() && piece.length() < target / 2 && !ofLine.isEmpty()) {
                    ofLine.set(ofLine.size() - 1, ofLine.get(ofLine.size() - 1) + " " + piece);
                } else if (!piece.isEmpty()) {
                    ofLine.add(piece);
                }
                while (end < line.length() && Character.isWhitespace(line.charAt(end))) {
                    end++;
                }
            }
            pieces.addAll(ofLine);
        }
        if (pieces.isEmpty()) {
            throw new IllegalArgumentException("the text holds no records");
        }
        Tokenizer tokenizer = Tokenizer.of(TokenizerKind.WORDS);
        tokens = new long[pieces.size() + 1];
        bytes = new long[pieces.size() + 1];
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < pieces.size(); i++) {
            byte[] value = pieces.get(i).getBytes(StandardCharsets.UTF_8);
            values.add(value);
            tokens[i + 1] = tokens[i] + tokenizer.tokenize(pieces.get(i)).tokenCount();
            bytes[i + 1] = bytes[i] + value.length;
            min = Math.min(min, value.length);
            max = Math.max(max, value.length);
        }
        minBytes = min;
        maxBytes = max;
    }

    byte[] value(long index) {
        return values.get((int) (index % values.size()));
    }

    /** Distinct pieces: one pass over the text. */
    int distinct() {
        return values.size();
    }

    /** Tokens rill's word tokenizer finds in the first {@code records} records. */
    long tokensOf(long records) {
        return (records / distinct()) * tokens[distinct()] + tokens[(int) (records % distinct())];
    }

    long bytesOf(long records) {
        return (records / distinct()) * bytes[distinct()] + bytes[(int) (records % distinct())];
    }
}
