package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.testing.StateBytes;
import org.junit.jupiter.api.Test;

class LossAverageCheckpointTest {

    @Test
    void aRestoredAverageMovesLikeTheOriginal() {
        LossAverage fresh = new LossAverage(1_000);
        LossAverage freshCopy = StateBytes.roundTrip(fresh::writeTo, in -> LossAverage.readFrom(in, 1_000));
        assertThat(freshCopy.value()).isNaN();

        SplitMix64 rng = new SplitMix64(4);
        LossAverage original = new LossAverage(1_000);
        for (int i = 0; i < 20; i++) original.add(rng.nextDouble() * 100, 1 + rng.nextInt(200));
        LossAverage restored = StateBytes.roundTrip(original::writeTo, in -> LossAverage.readFrom(in, 1_000));
        for (int i = 0; i < 20; i++) {
            double loss = rng.nextDouble() * 100;
            int pairs = 1 + rng.nextInt(200);
            original.add(loss, pairs);
            restored.add(loss, pairs);
            assertThat(restored.value()).isEqualTo(original.value());
        }
    }

    @Test
    void truncatedBytesGiveAnIOException() {
        StateBytes.assertTruncationsFail(StateBytes.of(new LossAverage(10)::writeTo),
                in -> LossAverage.readFrom(in, 10), 100);
    }
}
