package io.rill.ps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rill.skipgram.SplitMix64;
import io.rill.testing.StateBytes;
import org.junit.jupiter.api.Test;

class EmbeddingRowsTest {

    private static final int SHARDS = 3;
    private static final int INDEX = 1;
    private static final int DIM = 8;
    private static final long SEED = 5;

    /** Ids of this shard, below {@code limit} rows: the stream's vocabulary grows, so later ids reach further. */
    private static int[] ids(SplitMix64 rng, int rows) {
        int[] ids = new int[1 + rng.nextInt(6)];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(rows) * SHARDS + INDEX;
        return ids;
    }

    private static float[] deltas(SplitMix64 rng, int rows) {
        float[] deltas = new float[rows * DIM];
        for (int i = 0; i < deltas.length; i++) deltas[i] = rng.nextFloat() - 0.5f;
        return deltas;
    }

    /** A worker's round: pull some rows (creating new ones), push deltas for them. */
    private static void round(EmbeddingRows rows, SplitMix64 rng, int reach, float[][] pulled) {
        int[] in = ids(rng, reach);
        int[] out = ids(rng, reach);
        pulled[0] = rows.copyInputRows(in);
        pulled[1] = rows.copyOutputRows(out);
        rows.apply(in, deltas(rng, in.length), out, deltas(rng, out.length));
    }

    @Test
    void restoredRowsServeAndApplyExactlyLikeTheOriginal() {
        EmbeddingRows original = new EmbeddingRows(INDEX, SHARDS, DIM, SEED);
        SplitMix64 work = new SplitMix64(1);
        float[][] pulled = new float[2][];
        for (int i = 0; i < 300; i++) round(original, work, 20 + i / 3, pulled);

        EmbeddingRows restored = StateBytes.roundTrip(original::writeTo,
                in -> EmbeddingRows.readFrom(in, INDEX, SHARDS, DIM, SEED));
        assertThat(restored.version()).isEqualTo(original.version()).isEqualTo(300);
        assertThat(restored.inputRowsBelow(400)).isEqualTo(original.inputRowsBelow(400));

        SplitMix64 workCopy = new SplitMix64(2);
        SplitMix64 workOriginal = new SplitMix64(2);
        float[][] pulledCopy = new float[2][];
        for (int i = 0; i < 300; i++) {
            // reaching past the rows written: restored rows must grow and initialise new ones the same way
            round(original, workOriginal, 120 + i, pulled);
            round(restored, workCopy, 120 + i, pulledCopy);
            assertThat(pulledCopy[0]).isEqualTo(pulled[0]);
            assertThat(pulledCopy[1]).isEqualTo(pulled[1]);
            assertThat(restored.version()).isEqualTo(original.version());
        }
        assertThat(restored.inputRowsBelow(3 * 500)).isEqualTo(original.inputRowsBelow(3 * 500));
        assertThat(restored.copyOutputRows(new int[] {INDEX, 3 * 400 + INDEX}))
                .isEqualTo(original.copyOutputRows(new int[] {INDEX, 3 * 400 + INDEX}));
    }

    @Test
    void emptyRowsComeBackEmptyAndARowStartsFromItsIdsSeed() {
        EmbeddingRows empty = new EmbeddingRows(0, 2, 4, 9);
        EmbeddingRows restored = StateBytes.roundTrip(empty::writeTo, in -> EmbeddingRows.readFrom(in, 0, 2, 4, 9));
        assertThat(restored.version()).isZero();
        assertThat(restored.inputRowsBelow(10)).containsOnly(0f).hasSize(5 * 4);
        float[] late = restored.copyInputRows(new int[] {8});
        EmbeddingRows other = new EmbeddingRows(0, 2, 4, 9);
        other.copyInputRows(new int[] {0, 2, 4});
        assertThat(other.copyInputRows(new int[] {8})).isEqualTo(late); // the order rows appear in does not matter
    }

    @Test
    void aMillionFloatsRoundTripQuickly() {
        EmbeddingRows rows = new EmbeddingRows(0, 1, 100, 3);
        int[] ids = new int[5_000];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        rows.copyInputRows(ids);
        long start = System.nanoTime();
        EmbeddingRows restored = StateBytes.roundTrip(rows::writeTo, in -> EmbeddingRows.readFrom(in, 0, 1, 100, 3));
        assertThat(restored.inputRowsBelow(5_000)).isEqualTo(rows.inputRowsBelow(5_000));
        assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(1.5);
    }

    @Test
    void rowsOfAnotherShardOrLayoutAreRefused() {
        EmbeddingRows rows = new EmbeddingRows(INDEX, SHARDS, DIM, SEED);
        rows.copyInputRows(new int[] {INDEX});
        byte[] bytes = StateBytes.of(rows::writeTo);
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> EmbeddingRows.readFrom(in, 2, SHARDS, DIM, SEED)))
                .hasMessageContaining("shard 1 of 3").hasMessageContaining("not the configured shard 2 of 3");
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> EmbeddingRows.readFrom(in, INDEX, 4, DIM, SEED)))
                .hasMessageContaining("not the configured");
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> EmbeddingRows.readFrom(in, INDEX, SHARDS, 16, SEED)))
                .hasMessageContaining("dimension 16");
    }

    @Test
    void truncatedOrCorruptedBytesGiveAnIOException() {
        EmbeddingRows rows = new EmbeddingRows(INDEX, SHARDS, DIM, SEED);
        SplitMix64 work = new SplitMix64(3);
        float[][] pulled = new float[2][];
        for (int i = 0; i < 20; i++) round(rows, work, 30, pulled);
        byte[] bytes = StateBytes.of(rows::writeTo);
        StateBytes.Reader<EmbeddingRows> reader = in -> EmbeddingRows.readFrom(in, INDEX, SHARDS, DIM, SEED);
        StateBytes.assertTruncationsFail(bytes, reader, 500);
        StateBytes.assertCorruptionsFailCleanly(bytes, reader, 5, 1_000);
    }
}
