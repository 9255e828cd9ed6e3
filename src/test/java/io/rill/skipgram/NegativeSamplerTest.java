package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {

    /** Checks draw frequencies per id against count^0.75 normalised, within 5 standard deviations. */
    private static void assertFrequencies(NegativeSampler sampler, Vocabulary v, long seed) {
        int n = 2_000_000;
        long[] hits = new long[v.idLimit()];
        SplitMix64 rng = new SplitMix64(seed);
        for (int i = 0; i < n; i++) hits[sampler.sample(rng)]++;
        double z = 0;
        for (int id = 0; id < v.idLimit(); id++) if (v.isTrainable(id)) z += Math.pow(v.count(id), 0.75);
        for (int id = 0; id < v.idLimit(); id++) {
            if (!v.isTrainable(id)) {
                assertThat(hits[id]).as("non-trainable %s drawn", v.word(id)).isZero();
                continue;
            }
            double p = Math.pow(v.count(id), 0.75) / z;
            double sd = Math.sqrt(n * p * (1 - p));
            assertThat((double) hits[id]).as("draws of %s", v.word(id)).isCloseTo(n * p, within(5 * sd));
        }
    }

    private static Vocabulary vocabulary(Map<String, Integer> counts) {
        Vocabulary v = new Vocabulary(100, 5);
        counts.forEach((w, c) -> {
            for (int i = 0; i < c; i++) v.observe(w);
        });
        return v;
    }

    @Test
    void drawsTrainableWordsInProportionToCountToThePowerThreeQuarters() {
        Vocabulary v = vocabulary(Map.of("a", 5, "b", 10, "c", 40, "d", 160, "e", 4, "f", 1, "g", 2000));
        NegativeSampler sampler = new NegativeSampler(1_000_000);
        assertThat(sampler.refresh(v)).isTrue(); // first trainable words: build at once
        assertFrequencies(sampler, v, 1);
    }

    @Test
    void tableFollowsChangingCountsWhenARebuildIsDue() {
        Vocabulary v = vocabulary(Map.of("a", 5, "b", 10, "e", 4));
        NegativeSampler sampler = new NegativeSampler(500);
        sampler.refresh(v);
        assertFrequencies(sampler, v, 2);

        v.observe("e"); // e becomes trainable: 3 trainable words, fewer than double the 2 built with
        for (int i = 0; i < 300; i++) v.observe("a");
        assertThat(sampler.refresh(v)).isFalse(); // 301 tokens since the build: not due
        assertThat(sampler.table().size()).isEqualTo(2);

        for (int i = 0; i < 199; i++) v.observe("b");
        assertThat(sampler.refresh(v)).isTrue(); // 500 tokens since the build
        assertThat(sampler.table().size()).isEqualTo(3);
        assertFrequencies(sampler, v, 3);
    }

    @Test
    void rebuildsEarlyWhenTheTrainableVocabularyDoubles() {
        Vocabulary v = vocabulary(Map.of("a", 5));
        NegativeSampler sampler = new NegativeSampler(1_000_000);
        assertThat(sampler.refresh(v)).isTrue();
        assertThat(sampler.refresh(v)).isFalse();
        for (int i = 0; i < 5; i++) v.observe("b");
        assertThat(sampler.refresh(v)).isTrue();
        assertThat(sampler.table().size()).isEqualTo(2);
    }

    @Test
    void emptySamplerDrawsNone() {
        NegativeSampler sampler = new NegativeSampler(10);
        Vocabulary v = vocabulary(Map.of("a", 4));
        sampler.refresh(v);
        assertThat(sampler.sample(new SplitMix64(1))).isEqualTo(Vocabulary.NONE);
    }

    @Test
    void aliasTableNeverDrawsZeroWeightsAndMatchesSkewedWeights() {
        int[] ids = {10, 20, 30, 40, 50};
        double[] w = {0, 1, 1000, 0, 3};
        AliasTable t = AliasTable.build(ids, w, ids.length);
        int n = 1_000_000;
        Map<Integer, Integer> index = Map.of(10, 0, 20, 1, 30, 2, 40, 3, 50, 4);
        long[] hits = new long[5];
        SplitMix64 rng = new SplitMix64(5);
        for (int i = 0; i < n; i++) hits[index.get(t.sample(rng))]++;
        assertThat(hits[0]).isZero();
        assertThat(hits[3]).isZero();
        for (int i : new int[] {1, 2, 4}) {
            double p = w[i] / 1004;
            assertThat((double) hits[i]).isCloseTo(n * p, within(5 * Math.sqrt(n * p * (1 - p))));
        }
    }
}
