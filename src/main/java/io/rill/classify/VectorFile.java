package io.rill.classify;

import io.rill.learn.WordVectors;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads word vectors in word2vec's file formats, as {@code rill export-vectors} writes them and gensim reads them:
 * a header line {@code "<count> <dimension>"}, then per word either a text line (the word and its values separated
 * by spaces) or, in the binary format, the word's UTF-8 bytes, a space, the values as little-endian float32 and an
 * optional newline. Strict: a count, dimension or value that does not fit the header is an IOException naming the
 * file and where.
 */
public final class VectorFile {

    private VectorFile() {
    }

    public static WordVectors.Vectors read(Path path, boolean binary) throws IOException {
        return binary ? readBinary(path) : readText(path);
    }

    private static WordVectors.Vectors readText(Path path) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            int[] header = header(in.readLine(), path);
            int count = header[0];
            int dimension = header[1];
            String[] words = new String[count];
            float[] vectors = new float[count * dimension];
            for (int row = 0; row < count; row++) {
                String line = in.readLine();
                if (line == null) {
                    throw new EOFException(path + ": " + row + " of " + count + " words");
                }
                String[] fields = line.trim().split(" +");
                if (fields.length != dimension + 1) {
                    throw new IOException(path + ": line " + (row + 2) + " has " + (fields.length - 1)
                            + " values, the header says " + dimension);
                }
                words[row] = fields[0];
                for (int i = 0; i < dimension; i++) {
                    try {
                        vectors[row * dimension + i] = Float.parseFloat(fields[i + 1]);
                    } catch (NumberFormatException e) {
                        throw new IOException(path + ": line " + (row + 2) + ": not a number: " + fields[i + 1], e);
                    }
                }
            }
            return new WordVectors.Vectors(words, vectors, dimension, 0);
        }
    }

    private static WordVectors.Vectors readBinary(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            int[] header = header(until(in, '\n', path), path);
            int count = header[0];
            int dimension = header[1];
            String[] words = new String[count];
            float[] vectors = new float[count * dimension];
            byte[] raw = new byte[dimension * Float.BYTES];
            for (int row = 0; row < count; row++) {
                String word = until(in, ' ', path);
                words[row] = word.startsWith("\n") ? word.substring(1) : word; // the newline after a vector
                if (in.readNBytes(raw, 0, raw.length) != raw.length) {
                    throw new EOFException(path + ": the vector of word " + row + " is cut short");
                }
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vectors, row * dimension,
                        dimension);
            }
            return new WordVectors.Vectors(words, vectors, dimension, 0);
        }
    }

    private static int[] header(String line, Path path) throws IOException {
        String[] fields = line == null ? new String[0] : line.trim().split(" +");
        if (fields.length == 2) {
            try {
                int count = Integer.parseInt(fields[0]);
                int dimension = Integer.parseInt(fields[1]);
                if (count >= 0 && dimension > 0 && (long) count * dimension < Integer.MAX_VALUE - 8) {
                    return new int[] {count, dimension};
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IOException(path + ": not a word2vec header: " + line);
    }

    /** The bytes up to {@code stop} (consumed), strictly decoded as UTF-8. */
    private static String until(InputStream in, char stop, Path path) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        for (int b; (b = in.read()) != stop; ) {
            if (b == -1) {
                throw new EOFException(path + ": ends in the middle of a word");
            }
            bytes.write(b);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(path + ": a word is not UTF-8", e);
        }
    }
}
