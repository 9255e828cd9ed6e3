package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rill.testing.StateBytes;
import org.junit.jupiter.api.Test;

class WindowPairsCheckpointTest {

    private static void assertSamePairs(PairBuffer actual, PairBuffer expected) {
        assertThat(actual.size()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.center(i)).isEqualTo(expected.center(i));
            assertThat(actual.context(i)).isEqualTo(expected.context(i));
        }
    }

    /**
     * Cuts a stream of documents at many points (mid-document, right after a document's end, before the window
     * fills): from each cut on, the restored window must emit the original's pairs.
     */
    @Test
    void aRestoredWindowEmitsTheSamePairsFromTheSameTokens() {
        for (int window : new int[] {1, 3, 5}) {
            SplitMix64 stream = new SplitMix64(window);
            WindowPairs original = new WindowPairs(window, 77);
            PairBuffer expected = new PairBuffer();
            PairBuffer actual = new PairBuffer();
            for (int cut = 0; cut < 200; cut++) {
                WindowPairs restored = StateBytes.roundTrip(original::writeTo, in -> WindowPairs.readFrom(in, window));
                assertThat(restored.pending()).isEqualTo(original.pending());
                for (int step = 0, steps = stream.nextInt(12); step < steps; step++) {
                    expected.clear();
                    actual.clear();
                    if (stream.nextInt(8) == 0) {
                        original.endDocument(expected);
                        restored.endDocument(actual);
                    } else {
                        int id = stream.nextInt(1_000);
                        original.add(id, expected);
                        restored.add(id, actual);
                    }
                    assertSamePairs(actual, expected);
                }
                original = restored; // the next cut is taken from the copy: restoring a restored window works too
            }
        }
    }

    @Test
    void anotherWindowSizeIsRefused() {
        WindowPairs pairs = new WindowPairs(5, 1);
        byte[] bytes = StateBytes.of(pairs::writeTo);
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> WindowPairs.readFrom(in, 4)))
                .hasMessageContaining("size 5, not the configured 4");
    }

    @Test
    void truncatedOrCorruptedBytesGiveAnIOException() {
        WindowPairs pairs = new WindowPairs(5, 1);
        PairBuffer out = new PairBuffer();
        for (int id = 0; id < 13; id++) pairs.add(id, out);
        byte[] bytes = StateBytes.of(pairs::writeTo);
        StateBytes.Reader<WindowPairs> reader = in -> WindowPairs.readFrom(in, 5);
        StateBytes.assertTruncationsFail(bytes, reader, 500);
        StateBytes.assertCorruptionsFailCleanly(bytes, reader, 3, 1_000);
    }
}
