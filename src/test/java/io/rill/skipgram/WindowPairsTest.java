package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPairsTest {

    private static List<String> drain(PairBuffer out) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) pairs.add(out.center(i) + ">" + out.context(i));
        out.clear();
        return pairs;
    }

    private static int[] randomDocument(int length, int vocab, SplitMix64 rng) {
        int[] doc = new int[length];
        for (int i = 0; i < length; i++) doc[i] = rng.nextInt(vocab);
        return doc;
    }

    /** Feeds the documents, each in chunks of random length (or whole if {@code split} is null). */
    private static List<String> pairsOf(int[][] docs, int window, long seed, SplitMix64 split) {
        WindowPairs w = new WindowPairs(window, seed);
        PairBuffer out = new PairBuffer(4);
        List<String> pairs = new ArrayList<>();
        for (int[] doc : docs) {
            int at = 0;
            while (at < doc.length) {
                int to = split == null ? doc.length : Math.min(doc.length, at + split.nextInt(12));
                w.add(doc, at, to, out);
                pairs.addAll(drain(out));
                at = to;
            }
            w.endDocument(out);
            pairs.addAll(drain(out));
        }
        return pairs;
    }

    @Test
    void windowOfOnePairsNeighboursInOrder() {
        WindowPairs w = new WindowPairs(1, 0);
        PairBuffer out = new PairBuffer();
        w.add(new int[] {10, 11, 12}, 0, 3, out);
        w.endDocument(out);
        assertThat(drain(out)).containsExactly("10>11", "11>10", "11>12", "12>11");
    }

    @Test
    void documentSplitAcrossCallsYieldsExactlyThePairsOfOneCall() {
        SplitMix64 rng = new SplitMix64(11);
        int[][] docs = {randomDocument(300, 50, rng), randomDocument(7, 50, rng), randomDocument(120, 50, rng)};
        List<String> whole = pairsOf(docs, 5, 42, null);
        assertThat(whole).hasSizeGreaterThan(1000);
        for (long s = 0; s < 5; s++) {
            assertThat(pairsOf(docs, 5, 42, new SplitMix64(s))).isEqualTo(whole);
        }
        // and the seed matters: a different seed shrinks windows differently
        assertThat(pairsOf(docs, 5, 43, null)).isNotEqualTo(whole);
    }

    @Test
    void noPairCrossesADocumentEndAndEveryPairIsWithinTheWindow() {
        int[] first = new int[200], second = new int[200];
        for (int i = 0; i < 200; i++) {
            first[i] = i;
            second[i] = 1000 + i;
        }
        WindowPairs w = new WindowPairs(5, 3);
        PairBuffer out = new PairBuffer();
        w.add(first, 0, 150, out);
        w.add(first, 150, 200, out);
        w.endDocument(out);
        assertThat(w.pending()).isZero();
        w.add(second, 0, 200, out);
        w.endDocument(out);
        for (int i = 0; i < out.size(); i++) {
            int c = out.center(i), o = out.context(i);
            assertThat(c >= 1000).as("pair %d>%d", c, o).isEqualTo(o >= 1000);
            assertThat(Math.abs(c - o)).isBetween(1, 5);
        }
    }

    @Test
    void centerIsEmittedOnceItsWholeRightContextHasArrived() {
        WindowPairs w = new WindowPairs(3, 1);
        PairBuffer out = new PairBuffer();
        for (int i = 0; i < 3; i++) w.add(i, out);
        assertThat(out.size()).isZero();
        assertThat(w.pending()).isEqualTo(3);
        w.add(3, out);
        assertThat(w.pending()).isEqualTo(3);
        assertThat(out.size()).isPositive();
        for (int i = 0; i < out.size(); i++) assertThat(out.center(i)).isZero();
    }

    @Test
    void effectiveWindowIsUniformOverOneToWindow() {
        int window = 5, n = 50_000;
        WindowPairs w = new WindowPairs(window, 8);
        PairBuffer out = new PairBuffer();
        for (int i = 0; i < n; i++) w.add(i, out);
        w.endDocument(out);
        // ids are positions: a center's pairs span [c-b, c+b], so b is its count of left neighbours
        int[] left = new int[n];
        int[] right = new int[n];
        for (int i = 0; i < out.size(); i++) {
            if (out.context(i) < out.center(i)) left[out.center(i)]++;
            else right[out.center(i)]++;
        }
        long[] histogram = new long[window + 1];
        int interior = 0;
        for (int c = window; c < n - window; c++) {
            assertThat(left[c]).isEqualTo(right[c]).isBetween(1, window);
            histogram[left[c]]++;
            interior++;
        }
        double p = 1.0 / window, sd = Math.sqrt(interior * p * (1 - p));
        for (int b = 1; b <= window; b++) assertThat((double) histogram[b]).isCloseTo(interior * p, within(5 * sd));
    }
}
