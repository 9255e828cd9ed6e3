package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * min-count within a horizon of tokens: a word that is too slow to reach it starts counting again; a word of a
 * corpus replayed with the corpus's size as horizon is trainable exactly when it reaches min-count in one pass.
 */
class VocabularyHorizonTest {

    /** {@code word} once every {@code every} tokens, {@code times} times, the gaps filled with one other word. */
    private static void feed(Vocabulary v, String word, int every, int times) {
        for (int t = 0; t < times; t++) {
            v.observe(word);
            for (int i = 1; i < every; i++) v.observe("filler");
        }
    }

    @Test
    void aWordSlowerThanMinCountPerHorizonNeverBecomesTrainable() {
        Vocabulary v = new Vocabulary(100, 5, 12, 1000);
        feed(v, "slow", 300, 40); // 4 per 1200 tokens: never 5 within 1000
        assertThat(v.isTrainable(v.idOf("slow"))).isFalse();
        assertThat(v.count(v.idOf("slow"))).isBetween(1L, 4L);
        feed(v, "steady", 150, 7); // 5 within 600 tokens
        assertThat(v.isTrainable(v.idOf("steady"))).isTrue();
        assertThat(v.count(v.idOf("steady"))).isEqualTo(7);
        assertThat(v.isTrainable(v.idOf("filler"))).isTrue();

        Vocabulary unlimited = new Vocabulary(100, 5, 12);
        feed(unlimited, "slow", 300, 40);
        assertThat(unlimited.isTrainable(unlimited.idOf("slow"))).isTrue();
        assertThat(unlimited.horizon()).isZero();
    }

    @Test
    void aReplayedCorpusWithItsSizeAsHorizonKeepsTheWordsOfOnePass() {
        // 1,000-token passes: "four" occurs 4 times a pass, "five" 5 times, spread over the pass
        String[] pass = new String[1000];
        for (int i = 0; i < pass.length; i++) pass[i] = "w" + (i % 50);
        for (int k = 0; k < 4; k++) pass[100 + 230 * k] = "four";
        for (int k = 0; k < 5; k++) pass[7 + 190 * k] = "five";
        Vocabulary perPass = new Vocabulary(1000, 5, 125, pass.length);
        Vocabulary overAll = new Vocabulary(1000, 5, 125);
        for (int p = 0; p < 5; p++) {
            for (String w : pass) {
                perPass.observe(w);
                overAll.observe(w);
            }
        }
        assertThat(perPass.isTrainable(perPass.idOf("five"))).isTrue();
        assertThat(perPass.isTrainable(perPass.idOf("four"))).isFalse();
        assertThat(overAll.isTrainable(overAll.idOf("four"))).isTrue();
    }

    @Test
    void theCountsStartsSurviveACheckpoint() throws IOException {
        Vocabulary v = new Vocabulary(100, 5, 12, 1000);
        feed(v, "slow", 300, 9);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        v.writeTo(new DataOutputStream(bytes));
        Vocabulary restored = Vocabulary.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                100, 5, 1000);
        feed(v, "slow", 300, 13);
        feed(restored, "slow", 300, 13);
        assertThat(restored.count(restored.idOf("slow"))).isEqualTo(v.count(v.idOf("slow")));
        assertThat(restored.isTrainable(restored.idOf("slow"))).isFalse();
        // a vocabulary written without a horizon, read with one: every count's horizon starts now
        Vocabulary none = new Vocabulary(100, 5, 12);
        feed(none, "slow", 300, 3);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        none.writeTo(new DataOutputStream(plain));
        Vocabulary withHorizon = Vocabulary.readFrom(new DataInputStream(new ByteArrayInputStream(
                plain.toByteArray())), 100, 5, 1000);
        withHorizon.observe("slow");
        withHorizon.observe("slow");
        assertThat(withHorizon.isTrainable(withHorizon.idOf("slow"))).isTrue();
    }
}
