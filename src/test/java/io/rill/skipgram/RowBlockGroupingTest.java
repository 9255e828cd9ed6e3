package io.rill.skipgram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A planned batch grouped by shard: each shard's rows are contiguous and hold only its words, lookups follow the
 * renumbering, and training on the grouped rows still reproduces training in place.
 */
class RowBlockGroupingTest {

    @Test
    void eachShardsRowsAreContiguousAndLookupsFollowTheRenumbering() {
        RowBlock block = new RowBlock(2);
        int[] words = {7, 3, 9, 4, 3, 12, 5000, 8, 7};
        for (int w : words) block.rowOf(w);
        assertThat(block.size()).isEqualTo(7);
        int[] remap = block.groupBy(3);
        Set<Integer> seen = new HashSet<>();
        for (int g = 0; g < 3; g++) {
            for (int r = block.groupStart(g); r < block.groupEnd(g); r++) {
                assertThat(block.ids()[r] % 3).isEqualTo(g);
                assertThat(block.find(block.ids()[r])).isEqualTo(r);
                assertThat(seen.add(block.ids()[r])).isTrue();
            }
            assertThat(block.groupIds(g)).containsExactly(java.util.Arrays.copyOfRange(block.ids(),
                    block.groupStart(g), block.groupEnd(g)));
        }
        assertThat(block.groupEnd(2)).isEqualTo(7);
        // in their old order within a group: 3, 9, 12 (group 0) as first used
        assertThat(block.groupIds(0)).containsExactly(3, 9, 12);
        assertThat(remap[0]).isEqualTo(block.find(7)); // 7 was row 0
        assertThat(block.find(6)).isEqualTo(-1);
        block.clear();
        assertThat(block.find(7)).isEqualTo(-1);
        assertThat(block.rowOf(12)).isZero();
    }

    @Test
    void groupedRowsTrainAsTheMatricesDo() {
        int rows = 50, dim = 16, k = 5, shards = 3;
        SplitMix64 rng = new SplitMix64(41);
        float[] denseIn = new float[rows * dim], denseOut = new float[rows * dim];
        for (int i = 0; i < denseIn.length; i++) {
            denseIn[i] = rng.nextFloat() - 0.5f;
            denseOut[i] = rng.nextFloat() - 0.5f;
        }
        int pairs = 400;
        int[] centers = new int[pairs + 10], contexts = new int[pairs + 10];
        for (int p = 0; p < centers.length; p++) {
            centers[p] = rng.nextInt(rows);
            contexts[p] = rng.nextInt(rows);
        }
        int[] negatives = new int[pairs * k];
        for (int j = 0; j < negatives.length; j++) negatives[j] = rng.nextInt(rows);
        SgnsKernel kernel = new SgnsKernel(dim, k);
        SparseBatch sparse = new SparseBatch(dim, k);
        sparse.plan(centers, contexts, 10, 10 + pairs, negatives); // a range of the arrays, as a worker plans
        sparse.groupByShard(shards);
        float[] pushedIn = denseIn.clone(), pushedOut = denseOut.clone();
        sparse.input().pullFrom(pushedIn);
        sparse.output().pullFrom(pushedOut);
        double sparseLoss = sparse.train(kernel, 0.1f);
        PairBuffer buffer = new PairBuffer();
        for (int p = 10; p < 10 + pairs; p++) buffer.add(centers[p], contexts[p]);
        double denseLoss = kernel.train(denseIn, denseOut, buffer, negatives, 0.1f);
        assertThat(sparseLoss).isEqualTo(denseLoss);
        sparse.input().addDeltasTo(pushedIn);
        sparse.output().addDeltasTo(pushedOut);
        for (int i = 0; i < denseIn.length; i++) {
            assertThat(pushedIn[i]).isCloseTo(denseIn[i], within(1e-6f));
            assertThat(pushedOut[i]).isCloseTo(denseOut[i], within(1e-6f));
        }
    }
}
