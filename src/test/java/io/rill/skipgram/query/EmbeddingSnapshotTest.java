package io.rill.skipgram.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rill.skipgram.Vocabulary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EmbeddingSnapshotTest {

    // Orthogonal directions: each word is a sum of a few of them, so every cosine is known exactly.
    private static final int ROYAL = 0, PERSON = 1, MALE = 2, FEMALE = 3, FRUIT = 4, YOUNG = 5, DIM = 6;

    private static float[] sum(int... directions) {
        float[] v = new float[DIM];
        for (int d : directions) v[d] += 1;
        return v;
    }

    private static EmbeddingSnapshot family() {
        String[] words = {"king", "queen", "man", "woman", "prince", "apple", "pear"};
        float[][] rows = {
            sum(ROYAL, MALE), sum(ROYAL, FEMALE), sum(PERSON, MALE), sum(PERSON, FEMALE),
            sum(ROYAL, MALE, YOUNG), sum(FRUIT), sum(FRUIT, FRUIT, YOUNG)};
        float[] flat = new float[words.length * DIM];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, flat, i * DIM, DIM);
        // scale rows by different lengths: cosine queries must not care
        for (int i = 0; i < flat.length; i++) flat[i] *= 1 + (i / DIM);
        return EmbeddingSnapshot.wrap(words, flat, DIM, 42, 1000);
    }

    private static List<String> words(List<Neighbor> neighbors) {
        return neighbors.stream().map(Neighbor::word).toList();
    }

    @Test
    void analogyFindsQueenWithCosineOne() {
        EmbeddingSnapshot s = family();
        // man : king :: woman : ? — unit(king) + unit(woman) − unit(man) ∝ royal + female = queen
        List<Neighbor> answer = s.analogy("man", "king", "woman", 3).orElseThrow();
        assertThat(answer.get(0).word()).isEqualTo("queen");
        assertThat(answer.get(0).cosine()).isCloseTo(1.0, within(1e-6));
        assertThat(words(answer)).doesNotContain("man", "king", "woman").hasSize(3);
        // and the other way round
        assertThat(s.analogy("woman", "queen", "man", 1).orElseThrow().get(0).word()).isEqualTo("king");
    }

    @Test
    void nearestRanksByCosineAndExcludesTheWordItself() {
        EmbeddingSnapshot s = family();
        List<Neighbor> near = s.nearest("king", 3).orElseThrow();
        // prince shares two of its three unit directions with king: 2/(√2·√3); queen and man share one: 1/2
        assertThat(words(near)).containsExactly("prince", "queen", "man");
        assertThat(near.get(0).cosine()).isCloseTo(2 / Math.sqrt(6), within(1e-6));
        assertThat(near.get(1).cosine()).isCloseTo(0.5, within(1e-6));
        assertThat(near.get(2).cosine()).isCloseTo(0.5, within(1e-6)); // tie: the lower row comes first
        assertThat(s.nearest("apple", 1).orElseThrow().get(0).word()).isEqualTo("pear");
    }

    @Test
    void nearestToAVectorHonoursExclusionsAndIgnoresUnknownOnes() {
        EmbeddingSnapshot s = family();
        List<Neighbor> near = s.nearest(sum(ROYAL, FEMALE), 2, Set.of("queen", "no-such-word"));
        assertThat(words(near)).containsExactly("king", "woman");
        assertThat(near.get(0).cosine()).isCloseTo(0.5, within(1e-6));
    }

    @Test
    void kLargerThanTheVocabularyReturnsEveryOtherWord() {
        EmbeddingSnapshot s = family();
        assertThat(s.nearest("king", 100).orElseThrow()).hasSize(s.size() - 1);
        assertThat(s.analogy("man", "king", "woman", 100).orElseThrow()).hasSize(s.size() - 3);
        assertThatThrownBy(() -> s.nearest("king", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownWordsAreAResultNotACrash() {
        EmbeddingSnapshot s = family();
        QueryResult<List<Neighbor>> r = s.nearest("King", 3); // lookups are case-sensitive
        assertThat(r.isOk()).isFalse();
        assertThat(r.unknownWords()).containsExactly("King");
        assertThat(r.error()).isEqualTo("unknown word: King");
        assertThatThrownBy(r::orElseThrow).isInstanceOf(NoSuchElementException.class).hasMessage("unknown word: King");

        QueryResult<List<Neighbor>> a = s.analogy("man", "kong", "wolman", 3);
        assertThat(a.unknownWords()).containsExactly("kong", "wolman");
        assertThat(a.error()).isEqualTo("unknown words: kong, wolman");
        assertThat(s.similarity("pear", "plum").unknownWords()).containsExactly("plum");
        assertThat(s.similarity("pear", "apple").isOk()).isTrue();
    }

    @Test
    void similarityIsSymmetricAndEqualsTheCosine() {
        Random random = new Random(11);
        int n = 20, d = 9;
        String[] words = new String[n];
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) words[i] = "w" + i;
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        EmbeddingSnapshot s = EmbeddingSnapshot.wrap(words, v.clone(), d, 0, 0);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double ab = s.similarity(words[a], words[b]).orElseThrow();
                assertThat(ab).isEqualTo(s.similarity(words[b], words[a]).orElseThrow());
                assertThat(ab).isCloseTo(cosine(v, a, b, d), within(1e-6));
            }
        }
    }

    @Test
    void zeroVectorHasCosineZeroWithEverything() {
        EmbeddingSnapshot s = EmbeddingSnapshot.wrap(new String[] {"zero", "one"}, new float[] {0, 0, 1, 0}, 2, 0, 0);
        assertThat(s.similarity("zero", "one").orElseThrow()).isEqualTo(0.0);
        assertThat(s.nearest("one", 1).orElseThrow().get(0).cosine()).isEqualTo(0.0);
    }

    @Test
    void heapScanAgreesWithAFullSortOnRandomVectors() {
        Random random = new Random(5);
        int n = 2000, d = 16;
        String[] words = new String[n];
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) words[i] = "w" + i;
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        EmbeddingSnapshot s = EmbeddingSnapshot.wrap(words, v.clone(), d, 0, 0);
        for (int query : new int[] {0, 7, 1999}) {
            for (int k : new int[] {1, 10, 57}) {
                List<Neighbor> got = s.nearest(words[query], k).orElseThrow();
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < n; i++) if (i != query) expected.add(i);
                final int q = query;
                expected.sort(Comparator.comparingDouble((Integer i) -> -cosine(v, q, i, d)));
                assertThat(words(got)).containsExactlyElementsOf(
                        expected.subList(0, k).stream().map(i -> words[i]).toList());
                for (int i = 1; i < got.size(); i++) {
                    assertThat(got.get(i).cosine()).isLessThanOrEqualTo(got.get(i - 1).cosine());
                }
            }
        }
    }

    @Test
    void wrapRejectsInconsistentInput() {
        assertThatThrownBy(() -> EmbeddingSnapshot.wrap(new String[] {"a", "a"}, new float[4], 2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> EmbeddingSnapshot.wrap(new String[] {"a"}, new float[3], 2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddingSnapshot.wrap(new String[] {"a"}, new float[] {1, Float.NaN}, 2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-finite");
        EmbeddingSnapshot s = family();
        assertThatThrownBy(() -> s.nearest(new float[DIM - 1], 1, Set.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void captureCopiesTheRowsOfTrainableWordsOnly() {
        Vocabulary vocabulary = new Vocabulary(16, 2);
        for (String w : "a b a c b a d".split(" ")) vocabulary.observe(w); // a: 3, b: 2, c: 1, d: 1
        int dim = 2;
        float[] wIn = new float[vocabulary.capacity() * dim];
        for (int i = 0; i < wIn.length; i++) wIn[i] = i;
        EmbeddingSnapshot s = EmbeddingSnapshot.capture(vocabulary, wIn, dim, 9);
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.contains("c")).isFalse();
        int b = vocabulary.idOf("b");
        assertThat(s.vector("b")).hasValueSatisfying(v -> assertThat(v).containsExactly(2 * b, 2 * b + 1));
        assertThat(s.version()).isEqualTo(9);
        assertThat(s.tokens()).isEqualTo(7);
        wIn[2 * b] = -1; // a copy: later training does not reach the snapshot
        assertThat(s.vector("b").orElseThrow()[0]).isEqualTo(2f * b);
    }

    private static double cosine(float[] v, int a, int b, int d) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < d; i++) {
            dot += (double) v[a * d + i] * v[b * d + i];
            na += (double) v[a * d + i] * v[a * d + i];
            nb += (double) v[b * d + i] * v[b * d + i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
