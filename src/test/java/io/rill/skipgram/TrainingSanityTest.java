package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.nn.FloatVectors;
import org.junit.jupiter.api.Test;

/**
 * End to end through every kernel piece on a synthetic corpus with planted structure: G groups of
 * words, each document drawn from a single group, so a_i always co-occurs with b_i and never with
 * the words of other groups. Words of a group share their contexts, so their input vectors should
 * align; a random model has all cosines near 0 and fails the same check.
 */
class TrainingSanityTest {
    private static final int GROUPS = 8;
    private static final int PER_GROUP = 4;
    private static final int DIM = 16;

    @Test
    void wordsThatCoOccurEndUpCloserThanUnrelatedWords() {
        SplitMix64 rng = new SplitMix64(2024);
        Vocabulary vocab = new Vocabulary(1000, 5);
        Subsampler subsampler = new Subsampler();
        NegativeSampler negatives = new NegativeSampler(10_000);
        WindowPairs window = new WindowPairs(3, 99);
        SgnsKernel kernel = new SgnsKernel(DIM, 5);
        LearningRate schedule = new LearningRate(0.025f, 1e5, 0.005f);
        LossAverage loss = new LossAverage(20_000);

        float[] wIn = new float[vocab.capacity() * DIM];
        float[] wOut = new float[vocab.capacity() * DIM];
        for (int r = 0; r < vocab.capacity(); r++) SgnsKernel.initInputRow(wIn, r, DIM, rng);
        int[] ids = new int[GROUPS * PER_GROUP];
        for (int w = 0; w < ids.length; w++) ids[w] = vocab.observe("g" + w / PER_GROUP + "w" + w % PER_GROUP);
        assertThat(separated(wIn, ids)).as("a random model must fail the check").isFalse();

        PairBuffer pairs = new PairBuffer();
        int[] negativeIds = new int[0];
        double firstLoss = Double.NaN;
        for (int doc = 0; doc < 12_000; doc++) {
            int group = rng.nextInt(GROUPS);
            for (int t = 0; t < 20; t++) {
                int id = vocab.observe("g" + group + "w" + rng.nextInt(PER_GROUP));
                if (!vocab.isTrainable(id) || !subsampler.keep(vocab.count(id), vocab.totalTokens(), rng)) continue;
                window.add(id, pairs);
            }
            window.endDocument(pairs);
            negatives.refresh(vocab);
            if (pairs.size() >= 256) {
                if (negativeIds.length < pairs.size() * kernel.negatives()) negativeIds = new int[2 * pairs.size() * kernel.negatives()];
                negatives.sample(negativeIds, 0, pairs.size() * kernel.negatives(), rng);
                loss.add(kernel.train(wIn, wOut, pairs, negativeIds, schedule.at(vocab.totalTokens())), pairs.size());
                if (Double.isNaN(firstLoss)) firstLoss = loss.value();
                pairs.clear();
            }
        }
        assertThat(loss.value()).isLessThan(0.8 * firstLoss);
        assertThat(separated(wIn, ids)).as(describe(wIn, ids)).isTrue();
    }

    /** Every same-group cosine exceeds 0.5 and beats every cross-group cosine by at least 0.2. */
    private static boolean separated(float[] wIn, int[] ids) {
        double[] s = extremes(wIn, ids);
        return s[0] > 0.5 && s[0] > s[1] + 0.2;
    }

    private static String describe(float[] wIn, int[] ids) {
        double[] s = extremes(wIn, ids);
        return String.format("worst same-group cosine %.3f, best cross-group cosine %.3f", s[0], s[1]);
    }

    /** {worst same-group cosine, best cross-group cosine}. */
    private static double[] extremes(float[] wIn, int[] ids) {
        double worstSame = 1, bestOther = -1;
        for (int a = 0; a < ids.length; a++) {
            for (int b = a + 1; b < ids.length; b++) {
                double c = cosine(wIn, ids[a], ids[b]);
                if (a / PER_GROUP == b / PER_GROUP) worstSame = Math.min(worstSame, c);
                else bestOther = Math.max(bestOther, c);
            }
        }
        return new double[] {worstSame, bestOther};
    }

    private static double cosine(float[] w, int a, int b) {
        double dot = FloatVectors.dot(w, a * DIM, w, b * DIM, DIM);
        double na = FloatVectors.dot(w, a * DIM, w, a * DIM, DIM);
        double nb = FloatVectors.dot(w, b * DIM, w, b * DIM, DIM);
        return dot / Math.sqrt(na * nb);
    }
}
