package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rill.testing.StateBytes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class NegativeSamplerCheckpointTest {

    @Test
    void aRestoredSamplerDrawsTheSameIdsAndRebuildsAtTheSameMoment() throws IOException {
        SplitMix64 words = new SplitMix64(21);
        Vocabulary vocabulary = new Vocabulary(200, 3);
        NegativeSampler sampler = new NegativeSampler(700);
        SplitMix64 draws = new SplitMix64(99);
        for (int batch = 0; batch < 40; batch++) {
            for (int i = 0; i < 50; i++) vocabulary.observe(VocabularyCheckpointTest.zipfWord(words, 300));
            sampler.refresh(vocabulary);
            sampler.sample(draws);
        }
        assertThat(sampler.table().size()).isPositive();

        // vocabulary, sampler and generator go into one checkpoint, one after the other
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        vocabulary.writeTo(out);
        sampler.writeTo(out);
        draws.writeTo(out);
        record Restored(Vocabulary vocabulary, NegativeSampler sampler, SplitMix64 draws) {
        }
        Restored restored = StateBytes.read(bytes.toByteArray(), in -> {
            Vocabulary v = Vocabulary.readFrom(in, 200, 3);
            return new Restored(v, NegativeSampler.readFrom(in, 700, v), SplitMix64.readFrom(in));
        });

        int rebuilds = 0;
        int[] expected = new int[25];
        int[] actual = new int[25];
        for (int batch = 0; batch < 60; batch++) {
            for (int i = 0; i < 50; i++) {
                String word = VocabularyCheckpointTest.zipfWord(words, 300);
                vocabulary.observe(word);
                restored.vocabulary().observe(word);
            }
            boolean rebuilt = sampler.refresh(vocabulary);
            assertThat(restored.sampler().refresh(restored.vocabulary())).as("rebuild at batch %d", batch)
                    .isEqualTo(rebuilt);
            rebuilds += rebuilt ? 1 : 0;
            sampler.sample(expected, 0, expected.length, draws);
            restored.sampler().sample(actual, 0, actual.length, restored.draws());
            assertThat(actual).isEqualTo(expected);
            assertThat(restored.sampler().table().size()).isEqualTo(sampler.table().size());
        }
        assertThat(rebuilds).as("rebuilds after the cut").isGreaterThanOrEqualTo(3);
    }

    @Test
    void anEmptySamplerComesBackEmpty() {
        Vocabulary vocabulary = new Vocabulary(10, 5);
        NegativeSampler sampler = new NegativeSampler(100);
        NegativeSampler restored = StateBytes.roundTrip(sampler::writeTo,
                in -> NegativeSampler.readFrom(in, 100, vocabulary));
        assertThat(restored.table()).isSameAs(AliasTable.EMPTY);
        assertThat(restored.sample(new SplitMix64(1))).isEqualTo(Vocabulary.NONE);
    }

    @Test
    void aTableDrawingWordsTheVocabularyDoesNotTrainIsRefused() {
        Vocabulary vocabulary = new Vocabulary(10, 2);
        for (String w : new String[] {"a", "a", "b", "b", "c", "c"}) vocabulary.observe(w);
        NegativeSampler sampler = new NegativeSampler(100);
        sampler.rebuild(vocabulary);
        byte[] bytes = StateBytes.of(sampler::writeTo);

        Vocabulary other = new Vocabulary(10, 2);
        for (String w : new String[] {"a", "a", "b", "c"}) other.observe(w); // b and c not trainable here
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> NegativeSampler.readFrom(in, 100, other)))
                .hasMessageContaining("corrupted state");
    }

    @Test
    void truncatedOrCorruptedBytesGiveAnIOException() {
        SplitMix64 words = new SplitMix64(8);
        Vocabulary vocabulary = new Vocabulary(100, 2);
        for (int i = 0; i < 2_000; i++) vocabulary.observe(VocabularyCheckpointTest.zipfWord(words, 150));
        NegativeSampler sampler = new NegativeSampler(1_000);
        sampler.refresh(vocabulary);
        byte[] bytes = StateBytes.of(sampler::writeTo);
        StateBytes.Reader<NegativeSampler> reader = in -> NegativeSampler.readFrom(in, 1_000, vocabulary);
        StateBytes.assertTruncationsFail(bytes, reader, 500);
        StateBytes.assertCorruptionsFailCleanly(bytes, reader, 2, 1_000);
    }
}
