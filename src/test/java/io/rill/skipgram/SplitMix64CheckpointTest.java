package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.testing.StateBytes;
import org.junit.jupiter.api.Test;

class SplitMix64CheckpointTest {

    @Test
    void aRestoredGeneratorContinuesTheSequence() {
        SplitMix64 original = new SplitMix64(-5);
        for (int i = 0; i < 1_000; i++) original.nextLong();
        SplitMix64 restored = StateBytes.roundTrip(original::writeTo, SplitMix64::readFrom);
        for (int i = 0; i < 1_000; i++) {
            assertThat(restored.nextLong()).isEqualTo(original.nextLong());
            assertThat(restored.nextInt(17)).isEqualTo(original.nextInt(17));
            assertThat(restored.nextDouble()).isEqualTo(original.nextDouble());
        }
    }

    @Test
    void truncatedBytesGiveAnIOException() {
        StateBytes.assertTruncationsFail(StateBytes.of(new SplitMix64(1)::writeTo), SplitMix64::readFrom, 100);
    }
}
