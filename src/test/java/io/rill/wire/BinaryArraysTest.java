package io.rill.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte-string forms of numeric arrays: exact for every value, sizes as documented, damage refused. */
class BinaryArraysTest {

    @Test
    void floatsComeBackBitForBitAsLittleEndianFloat32() throws IOException {
        float[] values = {0f, -0f, 1.5f, Float.NaN, Float.intBitsToFloat(0x7FC00123), Float.MIN_VALUE,
                Float.NEGATIVE_INFINITY, Float.MAX_VALUE};
        byte[] bytes = BinaryArrays.floatBytes(values);
        assertThat(bytes).hasSize(4 * values.length);
        assertThat(bytes[8]).isZero(); // 1.5f = 0x3FC00000, low byte first
        assertThat(bytes[11]).isEqualTo((byte) 0x3F);
        float[] back = BinaryArrays.floatsOf(bytes);
        for (int i = 0; i < values.length; i++) {
            assertThat(Float.floatToRawIntBits(back[i])).isEqualTo(Float.floatToRawIntBits(values[i]));
        }
        assertThat(BinaryArrays.floatsOf(new byte[0])).isEmpty();
    }

    @Test
    void intsAndLongsComeBackExactlyAndSmallOnesTakeFewBytes() throws IOException {
        int[] ints = {0, 1, 127, 128, 16_383, 16_384, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
        assertThat(BinaryArrays.intsOf(BinaryArrays.varintBytes(ints))).containsExactly(ints);
        assertThat(BinaryArrays.varintBytes(new int[] {127})).hasSize(1);
        assertThat(BinaryArrays.varintBytes(new int[] {16_383})).hasSize(2);
        assertThat(BinaryArrays.varintBytes(new int[] {-1})).hasSize(5);
        long[] longs = {0, 5, 1L << 40, -1, Long.MIN_VALUE, Long.MAX_VALUE};
        assertThat(BinaryArrays.longsOf(BinaryArrays.varintBytes(longs))).containsExactly(longs);
        assertThat(BinaryArrays.varintBytes(new long[] {-1})).hasSize(10);

        List<int[]> arrays = List.of(new int[0], new int[] {3, 300, -7}, new int[] {Integer.MAX_VALUE});
        List<int[]> back = BinaryArrays.intArraysOf(BinaryArrays.varintBytes(arrays));
        assertThat(back).hasSize(3);
        for (int i = 0; i < arrays.size(); i++) {
            assertThat(back.get(i)).containsExactly(arrays.get(i));
        }
        assertThat(BinaryArrays.varintBytes(List.of(new int[] {1, 2}))).containsExactly(1, 2, 1, 2);
    }

    @Test
    void damagedVarintsAreRefusedSayingWhy() {
        assertThatThrownBy(() -> BinaryArrays.intsOf(new byte[] {1, (byte) 0x80}))
                .isInstanceOf(IOException.class).hasMessageContaining("bytes left over");
        assertThatThrownBy(() -> BinaryArrays.intsOf(new byte[] {-1, -1, -1, -1, 0x1F}))
                .hasMessageContaining("exceeds 32 bits");
        assertThatThrownBy(() -> BinaryArrays.longsOf(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, 0x02}))
                .hasMessageContaining("exceeds 64 bits");
        assertThatThrownBy(() -> BinaryArrays.intArraysOf(new byte[] {2, 1, 5}))
                .hasMessageContaining("truncated varint");
        assertThatThrownBy(() -> BinaryArrays.intArraysOf(new byte[] {1, 0, 0}))
                .hasMessageContaining("1 bytes left over");
        assertThatThrownBy(() -> BinaryArrays.intArraysOf(new byte[] {1, 5, 1, 2}))
                .hasMessageContaining("count 5");
    }
}
