package io.rill.loadtest;

import io.rill.text.BundledText;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The good records of the fault scenarios, from the data bundled in rill's jar for the demo, so the harness needs no
 * files beside the repository: the Moby name lists (8,849 names; one name per record, as {@code rill produce} sends
 * a names file) and Moby-Dick, its hard-wrapped lines joined into paragraphs and cut at spaces into records of about
 * {@code recordChars} characters ({@link CorpusRecords}). Record {@code i} of a topic is always the same value, the
 * data over and over.
 */
final class FaultData {


    private final CorpusRecords corpus;
    private final List<byte[]> names;

    private FaultData(CorpusRecords corpus, List<byte[]> names) {
        this.corpus = corpus;
        this.names = names;
    }

    static FaultData load(int recordChars) {
        List<byte[]> names = BundledText.names().stream().map(name -> name.getBytes(StandardCharsets.UTF_8)).toList();
        return new FaultData(CorpusRecords.cut(BundledText.paragraphs(BundledText.lines(BundledText.MOBY_DICK)),
                recordChars, BundledText.MOBY_DICK), names);
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
}
