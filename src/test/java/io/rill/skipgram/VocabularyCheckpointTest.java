package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rill.testing.StateBytes;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class VocabularyCheckpointTest {

    /** A word of a Zipf-like stream over {@code distinct} words: rank r comes with probability about 1/r. */
    static String zipfWord(SplitMix64 rng, int distinct) {
        int rank = (int) Math.exp(rng.nextDouble() * Math.log(distinct));
        return rank % 7 == 0 ? "wörd-" + rank : "w" + rank;
    }

    private static void assertSameState(Vocabulary restored, Vocabulary original) {
        assertThat(restored.totalTokens()).isEqualTo(original.totalTokens());
        assertThat(restored.size()).isEqualTo(original.size());
        assertThat(restored.trainableCount()).isEqualTo(original.trainableCount());
        assertThat(restored.idLimit()).isEqualTo(original.idLimit());
        assertThat(restored.evictedWords()).isEqualTo(original.evictedWords());
        assertThat(restored.droppedTokens()).isEqualTo(original.droppedTokens());
        for (int id = 0; id < original.capacity(); id++) {
            assertThat(restored.word(id)).isEqualTo(original.word(id));
            assertThat(restored.count(id)).isEqualTo(original.count(id));
            assertThat(restored.isTrainable(id)).isEqualTo(original.isTrainable(id));
        }
    }

    private static Vocabulary restore(Vocabulary original) {
        return StateBytes.roundTrip(original::writeTo,
                in -> Vocabulary.readFrom(in, original.capacity(), original.minCount()));
    }

    @Test
    void aRestoredVocabularyObservesAndEvictsExactlyLikeTheOriginal() {
        SplitMix64 words = new SplitMix64(11);
        Vocabulary original = new Vocabulary(64, 3, 8);
        for (int i = 0; i < 4_000; i++) original.observe(zipfWord(words, 400));
        // the cut falls where sweeps have run and several freed ids wait to be reused, in their order
        while (original.idLimit() - original.size() < 3) original.observe(zipfWord(words, 400));
        assertThat(original.evictedWords()).isPositive();
        assertThat(original.droppedTokens()).isPositive();

        Vocabulary restored = restore(original);
        assertSameState(restored, original);
        assertThat(StateBytes.of(restored::writeTo)).isEqualTo(StateBytes.of(original::writeTo));

        long evictedAtCut = original.evictedWords();
        for (int i = 0; i < 6_000; i++) {
            String word = zipfWord(words, 400);
            assertThat(restored.observe(word)).as("id of %s at call %d", word, i).isEqualTo(original.observe(word));
            if (i % 50 == 0) {
                String probe = zipfWord(words, 400);
                assertThat(restored.idOf(probe)).isEqualTo(original.idOf(probe));
            }
        }
        assertThat(original.evictedWords()).as("sweeps after the cut").isGreaterThan(evictedAtCut);
        assertSameState(restored, original);
    }

    @Test
    void anEmptyVocabularyAndOneWithMinCountOneComeBack() {
        Vocabulary empty = new Vocabulary(10);
        assertSameState(restore(empty), empty);

        Vocabulary everyWord = new Vocabulary(8, 1);
        SplitMix64 words = new SplitMix64(3);
        for (int i = 0; i < 50; i++) everyWord.observe(zipfWord(words, 30));
        Vocabulary restored = restore(everyWord);
        for (int i = 0; i < 50; i++) {
            String word = zipfWord(words, 30);
            assertThat(restored.observe(word)).isEqualTo(everyWord.observe(word));
        }
        assertSameState(restored, everyWord);
    }

    @Test
    void anotherCapacityOrMinCountIsRefused() {
        Vocabulary v = new Vocabulary(64, 3);
        v.observe("whale");
        byte[] bytes = StateBytes.of(v::writeTo);
        assertThatThrownBy(() -> Vocabulary.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)), 128, 3))
                .isInstanceOf(IOException.class).hasMessageContaining("capacity 64").hasMessageContaining("128");
        assertThatThrownBy(() -> Vocabulary.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)), 64, 5))
                .isInstanceOf(IOException.class).hasMessageContaining("min count 3");
    }

    @Test
    void truncatedOrCorruptedBytesGiveAnIOException() {
        SplitMix64 words = new SplitMix64(5);
        Vocabulary v = new Vocabulary(32, 3, 4);
        for (int i = 0; i < 1_000; i++) v.observe(zipfWord(words, 200));
        byte[] bytes = StateBytes.of(v::writeTo);
        StateBytes.Reader<Vocabulary> reader = in -> Vocabulary.readFrom(in, 32, 3);
        StateBytes.assertTruncationsFail(bytes, reader, 500);
        StateBytes.assertCorruptionsFailCleanly(bytes, reader, 1, 1_000);
    }

    @Test
    void twoIdsHoldingOneWordAreRefused() {
        Vocabulary v = new Vocabulary(8, 2);
        v.observe("ab");
        v.observe("cd");
        byte[] bytes = StateBytes.of(v::writeTo);
        // "cd" is the second word's UTF: make it "ab"
        for (int i = bytes.length - 1; i > 0; i--) {
            if (bytes[i - 1] == 'c' && bytes[i] == 'd') {
                bytes[i - 1] = 'a';
                bytes[i] = 'b';
            }
        }
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> Vocabulary.readFrom(in, 8, 2)))
                .hasMessageContaining("hold the same word");
    }
}
