package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    private static void observe(Vocabulary v, String word, int times) {
        for (int i = 0; i < times; i++) v.observe(word);
    }

    @Test
    void idsAreDenseInFirstSeenOrderAndCountsAccumulate() {
        Vocabulary v = new Vocabulary(100, 5);
        assertThat(v.observe("the")).isEqualTo(0);
        assertThat(v.observe("cat")).isEqualTo(1);
        assertThat(v.observe("the")).isEqualTo(0);
        assertThat(v.observe("sat")).isEqualTo(2);
        assertThat(v.idOf("cat")).isEqualTo(1);
        assertThat(v.idOf("dog")).isEqualTo(Vocabulary.NONE);
        assertThat(v.word(2)).isEqualTo("sat");
        assertThat(v.count(0)).isEqualTo(2);
        assertThat(v.count(1)).isEqualTo(1);
        assertThat(v.totalTokens()).isEqualTo(4);
        assertThat(v.size()).isEqualTo(3);
        assertThat(v.idLimit()).isEqualTo(3);
        // a different String instance with the same characters is the same word
        assertThat(v.observe(new String(new char[] {'c', 'a', 't'}))).isEqualTo(1);
    }

    @Test
    void wordBecomesTrainableExactlyAtMinCount() {
        Vocabulary v = new Vocabulary(100, 5);
        observe(v, "x", 4);
        int x = v.idOf("x");
        assertThat(v.isTrainable(x)).isFalse();
        assertThat(v.trainableCount()).isZero();
        v.observe("x");
        assertThat(v.isTrainable(x)).isTrue();
        assertThat(v.trainableCount()).isEqualTo(1);
        observe(v, "x", 10);
        assertThat(v.trainableCount()).isEqualTo(1);
    }

    @Test
    void fullTableEvictsLowestCountNonTrainableWordsAndRecyclesTheirIds() {
        Vocabulary v = new Vocabulary(4, 3, 1);
        observe(v, "a", 3); // trainable
        observe(v, "b", 2);
        observe(v, "c", 1);
        observe(v, "d", 1);
        int a = v.idOf("a"), b = v.idOf("b"), c = v.idOf("c"), d = v.idOf("d");

        int e = v.observe("e");

        // threshold 1 reaches the target of 1 word; both count-1 words go
        assertThat(v.idOf("c")).isEqualTo(Vocabulary.NONE);
        assertThat(v.idOf("d")).isEqualTo(Vocabulary.NONE);
        assertThat(v.evictedWords()).isEqualTo(2);
        assertThat(e).isIn(c, d);
        assertThat(v.idOf("a")).isEqualTo(a);
        assertThat(v.idOf("b")).isEqualTo(b);
        assertThat(v.count(b)).isEqualTo(2);
        assertThat(v.count(e)).isEqualTo(1);
        assertThat(v.size()).isEqualTo(3);
        // an evicted word that returns restarts from 1 in the other freed id
        int c2 = v.observe("c");
        assertThat(c2).isIn(c, d).isNotEqualTo(e);
        assertThat(v.count(c2)).isEqualTo(1);
        assertThat(v.idLimit()).isEqualTo(4);
    }

    @Test
    void sweepRaisesTheThresholdUntilTheTargetIsMet() {
        Vocabulary v = new Vocabulary(4, 5, 1);
        observe(v, "w1", 4);
        observe(v, "w2", 3);
        observe(v, "w3", 2);
        observe(v, "w4", 2);
        v.observe("new");
        assertThat(v.idOf("w3")).isEqualTo(Vocabulary.NONE);
        assertThat(v.idOf("w4")).isEqualTo(Vocabulary.NONE);
        assertThat(v.idOf("w1")).isNotEqualTo(Vocabulary.NONE);
        assertThat(v.idOf("w2")).isNotEqualTo(Vocabulary.NONE);
        assertThat(v.idOf("new")).isNotEqualTo(Vocabulary.NONE);
    }

    @Test
    void trainableWordsAreNeverEvictedAndNewWordsAreDroppedWhenAllAreTrainable() {
        Vocabulary v = new Vocabulary(2, 1);
        int a = v.observe("a");
        int b = v.observe("b");
        assertThat(v.observe("c")).isEqualTo(Vocabulary.NONE);
        assertThat(v.observe("c")).isEqualTo(Vocabulary.NONE);
        assertThat(v.idOf("a")).isEqualTo(a);
        assertThat(v.idOf("b")).isEqualTo(b);
        assertThat(v.droppedTokens()).isEqualTo(2);
        assertThat(v.totalTokens()).isEqualTo(4);
        assertThat(v.evictedWords()).isZero();
    }

    @Test
    void afterASweepThatFreesTooLittleNewWordsAreDroppedUntilTheTargetHasArrived() {
        Vocabulary v = new Vocabulary(4, 2, 2);
        observe(v, "a", 2);
        observe(v, "b", 2);
        observe(v, "c", 2);
        v.observe("d");
        assertThat(v.observe("e")).isNotEqualTo(Vocabulary.NONE); // sweep frees only d
        assertThat(v.idOf("d")).isEqualTo(Vocabulary.NONE);
        assertThat(v.observe("f")).isEqualTo(Vocabulary.NONE); // 1 new word since the sweep: no sweep yet
        assertThat(v.idOf("e")).isNotEqualTo(Vocabulary.NONE);
        assertThat(v.observe("g")).isNotEqualTo(Vocabulary.NONE); // 2 since: sweeps out e
        assertThat(v.idOf("e")).isEqualTo(Vocabulary.NONE);
        assertThat(v.droppedTokens()).isEqualTo(1);
    }

    /** Drives the vocabulary and a straightforward map-based model of the documented rule side by side. */
    @Test
    void matchesAReferenceModelOfTheEvictionRuleOnARandomStream() {
        int capacity = 50, minCount = 3, target = 6;
        Vocabulary v = new Vocabulary(capacity, minCount, target);
        Map<String, Long> model = new HashMap<>();
        long newSinceSweep = target;
        SplitMix64 rng = new SplitMix64(3);
        for (int step = 0; step < 20_000; step++) {
            // Zipf-like over 300 words: a few frequent, a long tail
            String w = "w" + (int) Math.floor(Math.exp(rng.nextDouble() * Math.log(300)));
            if (model.containsKey(w)) {
                model.merge(w, 1L, Long::sum);
            } else {
                newSinceSweep++;
                boolean admit = model.size() < capacity;
                if (!admit && newSinceSweep >= target) {
                    newSinceSweep = 0;
                    List<Long> small = new ArrayList<>();
                    for (long c : model.values()) if (c < minCount) small.add(c);
                    small.sort(null);
                    if (!small.isEmpty()) {
                        long threshold = small.get(Math.min(target, small.size()) - 1);
                        model.values().removeIf(c -> c <= threshold);
                    }
                    admit = model.size() < capacity;
                }
                if (admit) model.put(w, 1L);
            }
            int id = v.observe(w);
            assertThat(id == Vocabulary.NONE).isEqualTo(!model.containsKey(w));
        }
        assertThat(v.size()).isEqualTo(model.size());
        assertThat(v.evictedWords()).isPositive();
        Set<Integer> ids = new HashSet<>();
        int trainable = 0;
        for (Map.Entry<String, Long> e : model.entrySet()) {
            int id = v.idOf(e.getKey());
            assertThat(id).isBetween(0, capacity - 1);
            assertThat(ids.add(id)).isTrue();
            assertThat(v.word(id)).isEqualTo(e.getKey());
            assertThat(v.count(id)).isEqualTo(e.getValue());
            assertThat(v.isTrainable(id)).isEqualTo(e.getValue() >= minCount);
            if (e.getValue() >= minCount) trainable++;
        }
        assertThat(v.trainableCount()).isEqualTo(trainable);
    }
}
