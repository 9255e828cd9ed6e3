package io.rill.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The good records of the fault scenarios, from the data bundled in rill's jar for the demo, so the harness needs no
 * files beside the repository: the Moby name lists (8,849 names; one name per record, as {@code rill produce} sends
 * a names file) and Moby-Dick, its hard-wrapped lines joined into paragraphs and cut at spaces into records of about
 * {@code recordChars} characters ({@link CorpusRecords}). Record {@code i} of a topic is always the same value, the
 * data over and over.
 */
final class FaultData {

    private static final String NAMES = "/demo/names.txt.gz";
    private static final String CORPUS = "/demo/moby-dick.txt.gz";

    private final CorpusRecords corpus;
    private final List<byte[]> names;

    private FaultData(CorpusRecords corpus, List<byte[]> names) {
        this.corpus = corpus;
        this.names = names;
    }

    static FaultData load(int recordChars) {
        List<byte[]> names = new ArrayList<>();
        for (String line : lines(NAMES)) {
            if (!line.isBlank()) {
                names.add(line.strip().getBytes(StandardCharsets.UTF_8));
            }
        }
        return new FaultData(CorpusRecords.cut(paragraphs(lines(CORPUS)), recordChars, CORPUS), List.copyOf(names));
    }

    byte[] corpusValue(long index) {
        return corpus.value(index);
    }

    byte[] nameValue(long index) {
        return names.get((int) (index % names.size()));
    }

    /** Records of one pass over the corpus, and their sizes in bytes. */
    String describe() {
        return String.format(java.util.Locale.ROOT, "corpus: Moby-Dick in %,d records of %d-%d bytes; names: %,d "
                + "names, one per record", corpus.distinct(), corpus.minBytes(), corpus.maxBytes(), names.size());
    }

    /** Lines joined into paragraphs: a blank line ends one. */
    private static List<String> paragraphs(List<String> lines) {
        List<String> paragraphs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank()) {
                if (current.length() > 0) {
                    paragraphs.add(current.toString());
                    current.setLength(0);
                }
            } else {
                if (current.length() > 0) {
                    current.append(' ');
                }
                current.append(line.strip());
            }
        }
        if (current.length() > 0) {
            paragraphs.add(current.toString());
        }
        return paragraphs;
    }

    private static List<String> lines(String resource) {
        InputStream raw = FaultData.class.getResourceAsStream(resource);
        if (raw == null) {
            throw new IllegalStateException(resource + " is not on the classpath (it comes with rill's jar)");
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return lines;
    }
}
