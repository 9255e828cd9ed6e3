package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.testing.StateBytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class VocabularyStateTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static SkipGramSettings settings(int capacity, int minCount) {
        return new SkipGramSettings(true, 16, 5, 5, minCount, 1e-3, new LearningRate(0.025f, 1e4, 0.001f),
                capacity, 800, 2, 1, 1024, 4, 7);
    }

    private static List<String[]> batch(SplitMix64 rng) {
        List<String[]> lines = new ArrayList<>();
        for (int line = 0, n = 1 + rng.nextInt(6); line < n; line++) {
            String[] words = new String[rng.nextInt(20)];
            for (int i = 0; i < words.length; i++) words[i] = VocabularyCheckpointTest.zipfWord(rng, 500);
            lines.add(words);
        }
        return lines;
    }

    private static void assertSameObservation(VocabularyState.Observation actual,
                                              VocabularyState.Observation expected) {
        assertThat(actual.seen()).isEqualTo(expected.seen());
        assertThat(actual.trainable()).isEqualTo(expected.trainable());
        assertThat(actual.kept()).isEqualTo(expected.kept());
        assertThat(actual.lines()).hasSameSizeAs(expected.lines());
        for (int i = 0; i < expected.lines().size(); i++) {
            assertThat(actual.lines().get(i)).isEqualTo(expected.lines().get(i));
        }
    }

    @Test
    void aRestoredStateKeepsTheSameIdsDrawsTheSameNegativesAndSetsTheSameRate() {
        SkipGramSettings settings = settings(150, 3);
        SplitMix64 text = new SplitMix64(1);
        VocabularyState original = new VocabularyState(settings);
        for (int i = 0; i < 150; i++) original.observe(batch(text));
        assertThat(original.vocabulary().evictedWords()).isPositive();

        VocabularyState restored = StateBytes.roundTrip(original::writeTo,
                in -> VocabularyState.readFrom(in, settings));
        long keptAfterCut = 0;
        for (int i = 0; i < 150; i++) {
            List<String[]> lines = batch(text);
            VocabularyState.Observation expected = original.observe(lines);
            assertSameObservation(restored.observe(lines), expected);
            keptAfterCut += expected.kept();
            assertThat(restored.learningRate()).isEqualTo(original.learningRate());
            SplitMix64 a = new SplitMix64(i);
            SplitMix64 b = new SplitMix64(i);
            for (int draw = 0; draw < 20; draw++) {
                assertThat(restored.negatives().sample(b)).isEqualTo(original.negatives().sample(a));
            }
        }
        assertThat(keptAfterCut).isPositive();
        assertThat(StateBytes.of(restored::writeTo)).isEqualTo(StateBytes.of(original::writeTo));
    }

    @Test
    void anActorStartedFromARestoredStateAnswersAsTheOriginalWould() {
        SkipGramSettings settings = settings(300, 2);
        SplitMix64 text = new SplitMix64(2);
        VocabularyState original = new VocabularyState(settings);
        for (int i = 0; i < 50; i++) original.observe(batch(text));
        VocabularyState restored = StateBytes.roundTrip(original::writeTo,
                in -> VocabularyState.readFrom(in, settings));

        ActorRef<VocabularyActor.Command> actor = testKit.spawn(VocabularyActor.create(restored,
                new SkipGramMetrics()));
        TestProbe<VocabularyActor.Observed> replies = testKit.createTestProbe();
        for (int i = 0; i < 10; i++) {
            List<String[]> lines = batch(text);
            VocabularyState.Observation expected = original.observe(lines);
            actor.tell(new VocabularyActor.Observe(lines, replies.getRef()));
            VocabularyActor.Observed observed = replies.receiveMessage();
            assertThat(observed.lines()).hasSameSizeAs(expected.lines());
            for (int line = 0; line < expected.lines().size(); line++) {
                assertThat(observed.lines().get(line)).isEqualTo(expected.lines().get(line));
            }
            assertThat(observed.learningRate()).isEqualTo(original.learningRate());
            assertThat(observed.negatives().size()).isEqualTo(original.negatives().size());
        }
    }

    @Test
    void truncatedOrCorruptedBytesOrAnotherConfigurationGiveAnIOException() {
        SkipGramSettings settings = settings(60, 3);
        SplitMix64 text = new SplitMix64(3);
        VocabularyState state = new VocabularyState(settings);
        for (int i = 0; i < 40; i++) state.observe(batch(text));
        byte[] bytes = StateBytes.of(state::writeTo);
        StateBytes.Reader<VocabularyState> reader = in -> VocabularyState.readFrom(in, settings);
        StateBytes.assertTruncationsFail(bytes, reader, 400);
        StateBytes.assertCorruptionsFailCleanly(bytes, reader, 4, 800);
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> VocabularyState.readFrom(in, settings(61, 3))))
                .hasMessageContaining("capacity 60");
    }
}
