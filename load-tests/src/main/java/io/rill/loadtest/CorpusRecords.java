package io.rill.loadtest;

import io.rill.text.Tokenizer;
import io.rill.text.TokenizerKind;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's record values: English text cut from the lines of a corpus file into pieces of about
 * {@code targetChars} characters, at spaces, so that no word is split. A line's short tail (under half the target)
 * joins the piece before it, so every piece of a long line is between half and one and a half times the target;
 * a line shorter than that is one piece. Control characters other than tab become spaces (rill would dead-letter
 * them, and the benchmark measures ingest, not refusal). The pieces of one pass over the corpus are kept in memory
 * and repeated, in order, as often as the record count needs.
 *
 * <p>Each piece is also tokenized once with rill's own word tokenizer, so that the benchmark knows how many tokens
 * rill must count for any number of records.
 */
final class CorpusRecords {

    private final List<byte[]> values;
    private final long[] tokenPrefix;  // tokenPrefix[i] = tokens of pieces [0, i)
    private final long[] bytePrefix;   // bytePrefix[i] = bytes of pieces [0, i)
    private final int minBytes;
    private final int maxBytes;

    private CorpusRecords(List<byte[]> values, long[] tokenPrefix, long[] bytePrefix, int minBytes, int maxBytes) {
        this.values = values;
        this.tokenPrefix = tokenPrefix;
        this.bytePrefix = bytePrefix;
        this.minBytes = minBytes;
        this.maxBytes = maxBytes;
    }

    static CorpusRecords cut(Path corpus, int targetChars) throws IOException {
        checkTarget(targetChars);
        List<String> pieces = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                cutLine(clean(line), targetChars, pieces);
            }
        }
        return of(pieces, corpus.toString());
    }

    /** The same cut of lines already in memory; {@code origin} names them in an error. */
    static CorpusRecords cut(List<String> lines, int targetChars, String origin) {
        checkTarget(targetChars);
        List<String> pieces = new ArrayList<>();
        for (String line : lines) {
            cutLine(clean(line), targetChars, pieces);
        }
        return of(pieces, origin);
    }

    private static void checkTarget(int targetChars) {
        if (targetChars < 20) {
            throw new IllegalArgumentException("record size must be at least 20 characters, got " + targetChars);
        }
    }

    private static CorpusRecords of(List<String> pieces, String origin) {
        if (pieces.isEmpty()) {
            throw new IllegalArgumentException("corpus " + origin + " holds no text");
        }
        Tokenizer tokenizer = Tokenizer.of(TokenizerKind.WORDS);
        List<byte[]> values = new ArrayList<>(pieces.size());
        long[] tokens = new long[pieces.size() + 1];
        long[] bytes = new long[pieces.size() + 1];
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
        return new CorpusRecords(List.copyOf(values), tokens, bytes, min, max);
    }

    private static String clean(String line) {
        StringBuilder out = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != '\t' && Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(line);
                }
                out.setCharAt(i, ' ');
            }
        }
        return (out == null ? line : out.toString()).strip();
    }

    private static void cutLine(String line, int target, List<String> pieces) {
        int start = 0;
        int length = line.length();
        List<String> ofLine = new ArrayList<>();
        while (start < length) {
            int end;
            if (length - start <= target) {
                end = length;
            } else {
                end = line.lastIndexOf(' ', start + target);
                if (end <= start) { // one word longer than the target: cut after it
                    end = line.indexOf(' ', start + target);
                    if (end < 0) {
                        end = length;
                    }
                }
            }
            String piece = line.substring(start, end).strip();
            if (!piece.isEmpty()) {
                if (piece.length() < target / 2 && !ofLine.isEmpty()) {
                    ofLine.set(ofLine.size() - 1, ofLine.get(ofLine.size() - 1) + " " + piece);
                } else {
                    ofLine.add(piece);
                }
            }
            start = end;
            while (start < length && Character.isWhitespace(line.charAt(start))) {
                start++;
            }
        }
        pieces.addAll(ofLine);
    }

    /** The value of record number {@code index} (0-based): the pieces in corpus order, over and over. */
    byte[] value(long index) {
        return values.get((int) (index % values.size()));
    }

    /** Distinct pieces in one pass over the corpus. */
    int distinct() {
        return values.size();
    }

    /** Tokens rill's word tokenizer finds in the first {@code records} records. */
    long tokensOf(long records) {
        return sumOf(tokenPrefix, records);
    }

    /** Value bytes of the first {@code records} records. */
    long bytesOf(long records) {
        return sumOf(bytePrefix, records);
    }

    private long sumOf(long[] prefix, long records) {
        int n = values.size();
        return (records / n) * prefix[n] + prefix[(int) (records % n)];
    }

    int minBytes() {
        return minBytes;
    }

    int maxBytes() {
        return maxBytes;
    }
}
