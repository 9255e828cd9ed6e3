package io.rill.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rill.testing.StateBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StateFormatTest {

    private static DataInputStream input(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    @Test
    void stringsOfAnyLengthComeBackTheSame() {
        String[] strings = {"", "whale", "café 鯨 🐋", "鯨".repeat(21_845), "鯨".repeat(21_846), "a".repeat(100_000),
                "🐋".repeat(40_000)};
        for (String s : strings) {
            String back = StateBytes.roundTrip(out -> StateFormat.writeString(out, s),
                    in -> StateFormat.readString(in, "test"));
            assertThat(back).isEqualTo(s);
        }
    }

    @Test
    void aLoneSurrogateIsRefusedRatherThanWrittenWrong() {
        String lone = "x".repeat(30_000) + '\uD83D';
        assertThatThrownBy(() -> StateFormat.writeString(new DataOutputStream(new ByteArrayOutputStream()), lone))
                .isInstanceOf(CharacterCodingException.class);
    }

    @Test
    void arraysAroundTheChunkSizeComeBackTheSame() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n : new int[] {0, 1, 16_383, 16_384, 16_385, 40_000}) {
            float[] floats = new float[n + 3];
            int[] ints = new int[n + 3];
            long[] longs = new long[n + 3];
            boolean[] flags = new boolean[n + 3];
            for (int i = 0; i < n + 3; i++) {
                floats[i] = (float) random.nextGaussian();
                ints[i] = random.nextInt();
                longs[i] = random.nextLong();
                flags[i] = random.nextBoolean();
            }
            float[] floatsBack = StateBytes.roundTrip(out -> StateFormat.writeFloats(out, floats, 3, n),
                    in -> StateFormat.readFloats(in, n, "floats"));
            int[] intsBack = StateBytes.roundTrip(out -> StateFormat.writeInts(out, ints, 3, n),
                    in -> StateFormat.readInts(in, n, "ints"));
            long[] longsBack = StateBytes.roundTrip(out -> StateFormat.writeLongs(out, longs, 3, n),
                    in -> StateFormat.readLongs(in, n, "longs"));
            boolean[] flagsBack = StateBytes.roundTrip(out -> StateFormat.writeBooleans(out, flags, 3, n),
                    in -> StateFormat.readBooleans(in, n, "flags"));
            assertThat(floatsBack).isEqualTo(Arrays.copyOfRange(floats, 3, n + 3));
            assertThat(intsBack).isEqualTo(Arrays.copyOfRange(ints, 3, n + 3));
            assertThat(longsBack).isEqualTo(Arrays.copyOfRange(longs, 3, n + 3));
            assertThat(flagsBack).isEqualTo(Arrays.copyOfRange(flags, 3, n + 3));
        }
    }

    @Test
    void bulkWritesAreTheBytesOfDataOutputsOwnCalls() throws IOException {
        float[] floats = {1.5f, -0f, Float.NaN, Float.MIN_VALUE};
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(expected);
        out.writeInt(floats.length);
        for (float f : floats) out.writeFloat(f);
        assertThat(StateBytes.of(o -> StateFormat.writeFloats(o, floats, 0, floats.length)))
                .isEqualTo(expected.toByteArray());
    }

    @Test
    void aHugeLengthInAShortStreamEndsInEofWithoutAllocatingIt() {
        byte[] huge = ByteBuffer.allocate(12).putInt(Integer.MAX_VALUE).putLong(42).array();
        assertThatThrownBy(() -> StateFormat.readFloats(input(huge), Integer.MAX_VALUE, "rows"))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> StateFormat.readLongs(input(huge), Integer.MAX_VALUE, "counts"))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> StateFormat.readBooleans(input(huge), Integer.MAX_VALUE, "flags"))
                .isInstanceOf(EOFException.class);
        byte[] hugeString = ByteBuffer.allocate(9).put((byte) 2).putInt(Integer.MAX_VALUE).putInt(7).array();
        assertThatThrownBy(() -> StateFormat.readString(input(hugeString), "word")).isInstanceOf(EOFException.class);
    }

    @Test
    void negativeOrTooLongLengthsAndUnknownVersionsAreRefusedByName() {
        byte[] negative = ByteBuffer.allocate(4).putInt(-1).array();
        assertThatThrownBy(() -> StateFormat.readInts(input(negative), 10, "free ids"))
                .isInstanceOf(IOException.class).hasMessageContaining("free ids length -1");
        byte[] tooLong = ByteBuffer.allocate(4).putInt(11).array();
        assertThatThrownBy(() -> StateFormat.readInts(input(tooLong), 10, "free ids"))
                .isInstanceOf(IOException.class).hasMessageContaining("11 is not in 0..10");
        assertThatThrownBy(() -> StateFormat.readVersion(input(new byte[] {3}), "vocabulary", 2))
                .isInstanceOf(IOException.class).hasMessageContaining("vocabulary: format version 3");
        assertThatThrownBy(() -> StateFormat.readBooleans(input(new byte[] {0, 0, 0, 1, 7}), 5, "flags"))
                .isInstanceOf(IOException.class).hasMessageContaining("not a boolean");
        assertThatThrownBy(() -> StateFormat.readString(input(new byte[] {9}), "word"))
                .isInstanceOf(IOException.class).hasMessageContaining("string kind 9");
        byte[] badUtf8 = ByteBuffer.allocate(7).put((byte) 2).putInt(2).put((byte) 0xC3).put((byte) 0x28).array();
        assertThatThrownBy(() -> StateFormat.readString(input(badUtf8), "word")).isInstanceOf(IOException.class);
    }

    @Test
    void unprefixedValuesGoStraightBetweenBuffersAndTheStream() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n : new int[] {1, 16_384, 40_000}) {
            FloatBuffer floats = FloatBuffer.allocate(n + 2);
            DoubleBuffer doubles = DoubleBuffer.allocate(n + 2);
            for (int i = 0; i < n + 2; i++) {
                floats.put(i, (float) random.nextGaussian());
                doubles.put(i, random.nextGaussian());
            }
            FloatBuffer floatSource = floats.position(1).slice().limit(n);
            byte[] floatBytes = StateBytes.of(out -> StateFormat.writeValues(out, floatSource));
            assertThat(floatBytes).hasSize(4 * n);
            assertThat(floatSource.position()).isZero();
            FloatBuffer floatsBack = FloatBuffer.allocate(n);
            StateBytes.read(floatBytes, in -> {
                StateFormat.readValues(in, floatsBack);
                return null;
            });
            assertThat(floatsBack.array()).isEqualTo(Arrays.copyOfRange(floats.array(), 1, n + 1));
            float[] floatValues = StateBytes.read(floatBytes, in -> StateFormat.readFloatValues(in, n));
            assertThat(floatValues).isEqualTo(floatsBack.array());

            DoubleBuffer doubleSource = doubles.position(2).slice();
            byte[] doubleBytes = StateBytes.of(out -> StateFormat.writeValues(out, doubleSource));
            DoubleBuffer doublesBack = DoubleBuffer.allocate(n);
            StateBytes.read(doubleBytes, in -> {
                StateFormat.readValues(in, doublesBack);
                return null;
            });
            assertThat(doublesBack.array()).isEqualTo(Arrays.copyOfRange(doubles.array(), 2, n + 2));
            double[] doubleValues = StateBytes.read(doubleBytes, in -> StateFormat.readDoubleValues(in, n));
            assertThat(doubleValues).isEqualTo(doublesBack.array());
        }
        byte[] short8 = new byte[8];
        assertThatThrownBy(() -> StateFormat.readFloatValues(input(short8), Integer.MAX_VALUE - 8))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void idsAreCheckedAgainstTheirBoundAndIntVersionsAgainstTheOneThisBuildReads() {
        byte[] ids = StateBytes.of(out -> StateFormat.writeInts(out, new int[] {4, 0, 3}, 0, 3));
        int[] back = StateBytes.read(ids, in -> StateFormat.readIds(in, in.readInt(), 5, "lane"));
        assertThat(back).containsExactly(4, 0, 3);
        assertThatThrownBy(() -> StateBytes.read(ids, in -> StateFormat.readIds(in, in.readInt(), 4, "lane")))
                .hasMessageContaining("lane: id 4 at 0 is outside [0, 4)");
        assertThatThrownBy(() -> StateFormat.readIds(input(new byte[12]), Integer.MAX_VALUE - 8, 1, "lane"))
                .isInstanceOf(EOFException.class);

        byte[] one = ByteBuffer.allocate(4).putInt(1).array();
        assertThatThrownBy(() -> StateFormat.readIntVersion(input(one), 2, "parameters"))
                .isInstanceOf(IOException.class)
                .hasMessage("parameters: format version 1, this build reads version 2");
        assertThatThrownBy(() -> StateFormat.require(false, "stored for RNN, expected LSTM"))
                .isInstanceOf(IOException.class).hasMessage("stored for RNN, expected LSTM");
    }
}
