package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.rill.ps.Parameters;
import io.rill.testing.StateBytes;
import org.junit.jupiter.api.Test;

/**
 * A skip-gram shard's rows (a generic parameter server's row blocks, as {@link SkipGramLearner#shardDesign} lays them
 * out): pulls create rows from their ids' seeds, pushes add deltas one version each, and the state restores exactly.
 */
class ShardRowsTest {

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

    /** The rows of shard {@code index} of {@code shards}, dimension {@code dim}, as a node with seed {@code seed}. */
    static Parameters shard(int index, int shards, int dim, long seed) {
        return new Parameters(SkipGramLearner.shardDesign(settings(shards, dim, seed), index));
    }

    static SkipGramSettings settings(int shards, int dim, long seed) {
        return SkipGramSettings.of(ConfigFactory.parseString("shards = %d, dimension = %d, seed = %d"
                .formatted(shards, dim, seed)).withFallback(ConfigFactory.load().getConfig("rill.skipgram")));
    }

    static Parameters read(java.io.DataInput in, int index, int shards, int dim, long seed) throws java.io.IOException {
        return Parameters.readFrom(in, SkipGramLearner.shardDesign(settings(shards, dim, seed), index), "shard");
    }

    static float[] copyInputRows(Parameters rows, int[] ids) {
        return rows.pullRows(java.util.List.of(ids, new int[0]))[SkipGramLearner.INPUT];
    }

    static float[] copyOutputRows(Parameters rows, int[] ids) {
        return rows.pullRows(java.util.List.of(new int[0], ids))[SkipGramLearner.OUTPUT];
    }

    static float[] inputRowsBelow(Parameters rows, int limit) {
        return rows.rows().rowsBelow(SkipGramLearner.INPUT, limit);
    }

    static void apply(Parameters rows, int[] in, float[] inDeltas, int[] out, float[] outDeltas) {
        rows.pushRows(java.util.List.of(in, out), java.util.List.of(inDeltas, outDeltas), 1);
    }

    /** A worker's round: pull some rows (creating new ones), push deltas for them. */
    private static void round(Parameters rows, SplitMix64 rng, int reach, float[][] pulled) {
        int[] in = ids(rng, reach);
        int[] out = ids(rng, reach);
        pulled[0] = copyInputRows(rows, in);
        pulled[1] = copyOutputRows(rows, out);
        apply(rows, in, deltas(rng, in.length), out, deltas(rng, out.length));
    }

    @Test
    void restoredRowsServeAndApplyExactlyLikeTheOriginal() {
        Parameters original = shard(INDEX, SHARDS, DIM, SEED);
        SplitMix64 work = new SplitMix64(1);
        float[][] pulled = new float[2][];
        for (int i = 0; i < 300; i++) round(original, work, 20 + i / 3, pulled);

        Parameters restored = StateBytes.roundTrip(original::writeTo,
                in -> read(in, INDEX, SHARDS, DIM, SEED));
        assertThat(restored.version()).isEqualTo(original.version()).isEqualTo(300);
        assertThat(inputRowsBelow(restored, 400)).isEqualTo(inputRowsBelow(original, 400));

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
        assertThat(inputRowsBelow(restored, 3 * 500)).isEqualTo(inputRowsBelow(original, 3 * 500));
        assertThat(copyOutputRows(restored, new int[] {INDEX, 3 * 400 + INDEX}))
                .isEqualTo(copyOutputRows(original, new int[] {INDEX, 3 * 400 + INDEX}));
    }

    @Test
    void emptyRowsComeBackEmptyAndARowStartsFromItsIdsSeed() {
        Parameters empty = shard(0, 2, 4, 9);
        Parameters restored = StateBytes.roundTrip(empty::writeTo, in -> read(in, 0, 2, 4, 9));
        assertThat(restored.version()).isZero();
        assertThat(inputRowsBelow(restored, 10)).containsOnly(0f).hasSize(5 * 4);
        float[] late = copyInputRows(restored, new int[] {8});
        Parameters other = shard(0, 2, 4, 9);
        copyInputRows(other, new int[] {0, 2, 4});
        assertThat(copyInputRows(other, new int[] {8})).isEqualTo(late); // the order rows appear in does not matter
    }

    @Test
    void aMillionFloatsRoundTripQuickly() {
        Parameters rows = shard(0, 1, 100, 3);
        int[] ids = new int[5_000];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        copyInputRows(rows, ids);
        long start = System.nanoTime();
        Parameters restored = StateBytes.roundTrip(rows::writeTo, in -> read(in, 0, 1, 100, 3));
        assertThat(inputRowsBelow(restored, 5_000)).isEqualTo(inputRowsBelow(rows, 5_000));
        assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(1.5);
    }

    @Test
    void rowsOfAnotherShardOrLayoutAreRefused() {
        Parameters rows = shard(INDEX, SHARDS, DIM, SEED);
        copyInputRows(rows, new int[] {INDEX});
        byte[] bytes = StateBytes.of(rows::writeTo);
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> read(in, 2, SHARDS, DIM, SEED)))
                .hasMessageContaining("shard 1 of 3").hasMessageContaining("not the configured shard 2 of 3");
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> read(in, INDEX, 4, DIM, SEED)))
                .hasMessageContaining("not the configured");
        assertThatThrownBy(() -> StateBytes.read(bytes, in -> read(in, INDEX, SHARDS, 16, SEED)))
                .hasMessageContaining("dimension 16");
    }

    @Test
    void truncatedOrCorruptedBytesGiveAnIOException() {
        Parameters rows = shard(INDEX, SHARDS, DIM, SEED);
        SplitMix64 work = new SplitMix64(3);
        float[][] pulled = new float[2][];
        for (int i = 0; i < 20; i++) round(rows, work, 30, pulled);
        byte[] bytes = StateBytes.of(rows::writeTo);
        StateBytes.Reader<Parameters> reader = in -> read(in, INDEX, SHARDS, DIM, SEED);
        StateBytes.assertTruncationsFail(bytes, reader, 500);
        StateBytes.assertCorruptionsFailCleanly(bytes, reader, 5, 1_000);
    }
}
