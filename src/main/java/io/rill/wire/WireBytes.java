package io.rill.wire;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The wire form of a payload class that already writes itself for checkpoints: the bytes of its {@code writeTo}
 * ({@link io.rill.state.StateFormat#toBytes}), read back here with its {@code readFrom}, which checks what it reads.
 * Travels in a message as one CBOR byte string (the class marks its {@code toWireBytes} {@code @JsonValue} and its
 * {@code fromWireBytes} {@code @JsonCreator}).
 */
public final class WireBytes {

    public interface Reader<T> {
        T readFrom(DataInput in) throws IOException;
    }

    private WireBytes() {
    }

    /** Reads {@code bytes} with {@code reader}, refusing bytes left over: they mean the form was damaged. */
    public static <T> T read(byte[] bytes, Reader<T> reader, String what) throws IOException {
        ByteArrayInputStream stream = new ByteArrayInputStream(bytes);
        T value;
        try {
            value = reader.readFrom(new DataInputStream(stream));
        } catch (EOFException e) {
            throw new IOException(what + ": truncated, " + bytes.length + " bytes end inside it", e);
        }
        if (stream.available() != 0) {
            throw new IOException(what + ": " + stream.available() + " bytes left over after " + bytes.length);
        }
        return value;
    }
}
