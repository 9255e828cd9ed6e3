package io.rill.wire;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Numeric arrays of the messages between nodes, each written as one CBOR byte string instead of a CBOR array of
 * numbers (5 bytes a float, and a header per array). Mark a record component with {@link Floats}, {@link Ints},
 * {@link IntArrays}, {@link FloatArrays} or {@link Longs}; each bundles the {@code @JsonSerialize}/{@code @JsonDeserialize} pair, and Java
 * carries an annotation on a record component over to the field, the accessor and the constructor parameter, where
 * Jackson finds it.
 *
 * <ul>
 *   <li>{@code float[]}: little-endian float32, 4 bytes a value, exact;</li>
 *   <li>{@code int[]}: unsigned LEB128 varints of the 32-bit values. The ints of rill's messages are word and
 *       character ids and code points, never negative save a rare -1: a varint takes 1 byte below 128, 2 below 16384,
 *       3 below 2^21, against 4 for int32 (measured by {@code WireSizes}: a skip-gram shard push's ids take 2.37
 *       bytes each, 2.65 as zig-zag varints, 2.98 as CBOR numbers). A negative int takes 5;</li>
 *   <li>{@code List<int[]>}: the number of arrays, then each as its length and its values, all varints;</li>
 *   <li>{@code List<float[]>}: the number of arrays and their lengths as varints, then all the values as
 *       little-endian float32;</li>
 *   <li>{@code long[]}: unsigned LEB128 varints of the 64-bit values (counts), 1 to 10 bytes each.</li>
 * </ul>
 *
 * <p>Readers trust nothing: a byte string whose length is not whole values, a varint that runs past the end or past
 * its width, or a count larger than the bytes that remain is refused with an {@link IOException} saying so. Every
 * value takes at least one byte, so nothing read is allocated larger than a few times the bytes received.
 */
public final class BinaryArrays {

    private BinaryArrays() {
    }

    /** A {@code float[]} as little-endian float32. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @JacksonAnnotationsInside
    @JsonSerialize(using = FloatsSerializer.class)
    @JsonDeserialize(using = FloatsDeserializer.class)
    public @interface Floats {
    }

    /** An {@code int[]} as varints. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @JacksonAnnotationsInside
    @JsonSerialize(using = IntsSerializer.class)
    @JsonDeserialize(using = IntsDeserializer.class)
    public @interface Ints {
    }

    /** A {@code List<int[]>} as varints; read back as an immutable list. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @JacksonAnnotationsInside
    @JsonSerialize(using = IntArraysSerializer.class)
    @JsonDeserialize(using = IntArraysDeserializer.class)
    public @interface IntArrays {
    }

    /** A {@code List<float[]>} as the arrays' lengths, then their values as float32. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @JacksonAnnotationsInside
    @JsonSerialize(using = FloatArraysSerializer.class)
    @JsonDeserialize(using = FloatArraysDeserializer.class)
    public @interface FloatArrays {
    }

    /** A {@code long[]} as varints. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @JacksonAnnotationsInside
    @JsonSerialize(using = LongsSerializer.class)
    @JsonDeserialize(using = LongsDeserializer.class)
    public @interface Longs {
    }

    /** Little-endian float32, the values in order. */
    public static byte[] floatBytes(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    /** The floats of {@link #floatBytes}; refuses a length that is not whole floats. */
    public static float[] floatsOf(byte[] bytes) throws IOException {
        if (bytes.length % Float.BYTES != 0) {
            throw new IOException(bytes.length + " bytes are not whole float32 values");
        }
        float[] values = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /** The values as varints, one after another. */
    public static byte[] varintBytes(int[] values) {
        Writer out = new Writer(values.length + 16);
        for (int value : values) {
            out.varint(value);
        }
        return out.toByteArray();
    }

    /** The ints of {@link #varintBytes}: as many as the bytes hold. */
    public static int[] intsOf(byte[] bytes) throws IOException {
        int count = 0;
        for (byte b : bytes) {
            if (b >= 0) count++; // a varint ends on a byte without the continuation bit
        }
        Reader in = new Reader(bytes, "int varints");
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.varint();
        }
        in.requireEnd();
        return values;
    }

    /** The number of arrays, then each as its length and values, all varints. */
    public static byte[] varintBytes(List<int[]> arrays) {
        Writer out = new Writer(64);
        out.varint(arrays.size());
        for (int[] array : arrays) {
            out.varint(array.length);
            for (int value : array) {
                out.varint(value);
            }
        }
        return out.toByteArray();
    }

    /** The arrays of {@link #varintBytes(List)}, as an immutable list. */
    public static List<int[]> intArraysOf(byte[] bytes) throws IOException {
        Reader in = new Reader(bytes, "int arrays");
        int count = in.count();
        List<int[]> arrays = new ArrayList<>(count);
        for (int a = 0; a < count; a++) {
            int[] array = new int[in.count()];
            for (int i = 0; i < array.length; i++) {
                array[i] = in.varint();
            }
            arrays.add(array);
        }
        in.requireEnd();
        return Collections.unmodifiableList(arrays);
    }

    /** The number of arrays and each one's length as varints, then every array's values as little-endian float32. */
    public static byte[] floatArraysBytes(List<float[]> arrays) {
        Writer header = new Writer(16);
        header.varint(arrays.size());
        long floats = 0;
        for (float[] array : arrays) {
            header.varint(array.length);
            floats += array.length;
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(header.size() + Float.BYTES * floats))
                .order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(header.toByteArray());
        for (float[] array : arrays) {
            for (float value : array) {
                bytes.putFloat(value);
            }
        }
        return bytes.array();
    }

    /** The arrays of {@link #floatArraysBytes}, as an immutable list; refuses lengths the bytes do not hold. */
    public static List<float[]> floatArraysOf(byte[] bytes) throws IOException {
        Reader in = new Reader(bytes, "float arrays");
        int count = in.count();
        int[] lengths = new int[count];
        long floats = 0;
        for (int a = 0; a < count; a++) {
            lengths[a] = in.varint();
            floats += lengths[a];
            if (lengths[a] < 0 || Float.BYTES * floats > bytes.length) {
                throw new IOException("float arrays: " + floats + " floats announced in " + bytes.length + " bytes");
            }
        }
        int start = in.position();
        if (bytes.length - start != Float.BYTES * floats) {
            throw new IOException("float arrays: " + (bytes.length - start) + " bytes of values for " + floats
                    + " floats");
        }
        ByteBuffer values = ByteBuffer.wrap(bytes, start, bytes.length - start).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> arrays = new ArrayList<>(count);
        for (int length : lengths) {
            float[] array = new float[length];
            values.asFloatBuffer().get(array);
            values.position(values.position() + Float.BYTES * length);
            arrays.add(array);
        }
        return Collections.unmodifiableList(arrays);
    }

    /** The values as 64-bit varints, one after another. */
    public static byte[] varintBytes(long[] values) {
        Writer out = new Writer(values.length + 16);
        for (long value : values) {
            out.varint(value);
        }
        return out.toByteArray();
    }

    /** The longs of {@link #varintBytes(long[])}: as many as the bytes hold. */
    public static long[] longsOf(byte[] bytes) throws IOException {
        int count = 0;
        for (byte b : bytes) {
            if (b >= 0) count++;
        }
        Reader in = new Reader(bytes, "long varints");
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.longVarint();
        }
        in.requireEnd();
        return values;
    }

    /** Appends LEB128 varints: 7 bits a byte, low bits first, the high bit set on every byte but the last. */
    private static final class Writer extends ByteArrayOutputStream {
        Writer(int capacity) {
            super(capacity);
        }

        void varint(int value) {
            while ((value & ~0x7F) != 0) {
                write((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            write(value);
        }

        void varint(long value) {
            while ((value & ~0x7FL) != 0) {
                write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            write((int) value);
        }
    }

    /** Reads what {@link Writer} wrote, refusing truncated, over-long and left-over input. */
    private static final class Reader {
        private final byte[] bytes;
        private final String what;
        private int position;

        Reader(byte[] bytes, String what) {
            this.bytes = bytes;
            this.what = what;
        }

        int varint() throws IOException {
            long value = longVarint();
            if (value >>> 32 != 0) {
                throw new IOException(what + ": varint at byte " + position + " exceeds 32 bits");
            }
            return (int) value;
        }

        long longVarint() throws IOException {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                if (position == bytes.length) {
                    throw new IOException(what + ": truncated varint at byte " + position);
                }
                byte b = bytes[position++];
                if (shift > 63 || shift == 63 && (b & 0x7E) != 0) { // bit 64 and beyond
                    throw new IOException(what + ": varint at byte " + position + " exceeds 64 bits");
                }
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
        }

        /** A length: each element takes at least one byte, so one larger than the bytes left is damage. */
        int count() throws IOException {
            int count = varint();
            if (count < 0 || count > bytes.length - position) {
                throw new IOException(what + ": count " + Integer.toUnsignedString(count) + " at byte " + position
                        + ", but " + (bytes.length - position) + " bytes are left");
            }
            return count;
        }

        int position() {
            return position;
        }

        void requireEnd() throws IOException {
            if (position != bytes.length) {
                throw new IOException(what + ": " + (bytes.length - position) + " bytes left over");
            }
        }
    }

    public static final class FloatsSerializer extends StdSerializer<float[]> {
        public FloatsSerializer() {
            super(float[].class);
        }

        @Override
        public void serialize(float[] values, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeBinary(floatBytes(values));
        }
    }

    public static final class FloatsDeserializer extends StdDeserializer<float[]> {
        public FloatsDeserializer() {
            super(float[].class);
        }

        @Override
        public float[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return floatsOf(p.getBinaryValue());
        }
    }

    public static final class IntsSerializer extends StdSerializer<int[]> {
        public IntsSerializer() {
            super(int[].class);
        }

        @Override
        public void serialize(int[] values, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeBinary(varintBytes(values));
        }
    }

    public static final class IntsDeserializer extends StdDeserializer<int[]> {
        public IntsDeserializer() {
            super(int[].class);
        }

        @Override
        public int[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return intsOf(p.getBinaryValue());
        }
    }

    public static final class IntArraysSerializer extends StdSerializer<List<int[]>> {
        @SuppressWarnings("unchecked")
        public IntArraysSerializer() {
            super((Class<List<int[]>>) (Class<?>) List.class);
        }

        @Override
        public void serialize(List<int[]> arrays, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeBinary(varintBytes(arrays));
        }
    }

    public static final class IntArraysDeserializer extends StdDeserializer<List<int[]>> {
        public IntArraysDeserializer() {
            super(List.class);
        }

        @Override
        public List<int[]> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return intArraysOf(p.getBinaryValue());
        }
    }

    public static final class FloatArraysSerializer extends StdSerializer<List<float[]>> {
        @SuppressWarnings("unchecked")
        public FloatArraysSerializer() {
            super((Class<List<float[]>>) (Class<?>) List.class);
        }

        @Override
        public void serialize(List<float[]> arrays, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeBinary(floatArraysBytes(arrays));
        }
    }

    public static final class FloatArraysDeserializer extends StdDeserializer<List<float[]>> {
        public FloatArraysDeserializer() {
            super(List.class);
        }

        @Override
        public List<float[]> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return floatArraysOf(p.getBinaryValue());
        }
    }

    public static final class LongsSerializer extends StdSerializer<long[]> {
        public LongsSerializer() {
            super(long[].class);
        }

        @Override
        public void serialize(long[] values, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeBinary(varintBytes(values));
        }
    }

    public static final class LongsDeserializer extends StdDeserializer<long[]> {
        public LongsDeserializer() {
            super(long[].class);
        }

        @Override
        public long[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return longsOf(p.getBinaryValue());
        }
    }
}
