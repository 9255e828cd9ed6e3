package io.rill.ps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Row blocks' pull and push paths with lent arrays: rows go into the first floats, pushes read only those. */
class RowBlocksTest {

    private static final int DIM = 3;

    /** Shard 1 of 2; a new row of id i starts at (i, i, i) in block "a", at 0 in block "b". */
    private static Parameters rows() {
        return new Parameters(ServerDesign.rows(() -> new RowBlocks(DIM, 2, 1, List.of(
                new RowBlocks.Block("a", (id, values, offset, dim) -> Arrays.fill(values, offset, offset + dim, id)),
                new RowBlocks.Block("b", RowBlocks.ZEROS))), 4));
    }

    @Test
    void rowsGoIntoALentArrayLongEnoughAndElseIntoANewOneOfTheirLength() {
        Parameters rows = rows();
        float[] lent = new float[4 * DIM];
        Arrays.fill(lent, -7f);
        float[] tooShort = new float[DIM];
        float[][] pulled = rows.pullRows(List.of(new int[] {5, 3}, new int[] {1, 7}), Arrays.asList(lent, tooShort));
        assertThat(pulled[0]).isSameAs(lent).containsExactly(5, 5, 5, 3, 3, 3, -7, -7, -7, -7, -7, -7);
        assertThat(pulled[1]).isNotSameAs(tooShort).hasSize(2 * DIM).containsOnly(0f);
        float[][] fresh = rows.pullRows(List.of(new int[] {5}, new int[0]), Arrays.asList(null, null));
        assertThat(fresh[0]).containsExactly(5, 5, 5);
        assertThat(fresh[1]).isEmpty();
    }

    @Test
    void aPushReadsTheFirstFloatsOfEachArrayOnly() {
        Parameters rows = rows();
        float[] deltas = {1, 2, 3, 100, 100, 100};
        rows.pushRows(List.of(new int[] {5}, new int[0]), List.of(deltas, new float[4]), 1);
        assertThat(rows.pullRows(List.of(new int[] {5}, new int[0]))[0]).containsExactly(6, 7, 8);
        assertThat(rows.version()).isEqualTo(1);
        assertThatThrownBy(() -> rows.pushRows(List.of(new int[] {5, 3}, new int[0]),
                List.of(new float[DIM], new float[0]), 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
