package io.rill.skipgram.query;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * Export and import of word vectors in the two file formats of the original word2vec tool, which
 * gensim ({@code KeyedVectors.load_word2vec_format}) and most embedding tools read.
 *
 * <ul>
 *   <li><b>Text:</b> a header line {@code "<count> <dim>"}, then one line per word:
 *       the word and its dim values, separated by single spaces. Values are written with
 *       {@link Float#toString}, the shortest decimal that reads back to the same float, so a round
 *       trip is exact.</li>
 *   <li><b>Binary:</b> the ASCII header {@code "<count> <dim>\n"}, then per word: its UTF-8 bytes, a
 *       space, dim little-endian IEEE-754 float32 values, and {@code '\n'}.</li>
 * </ul>
 *
 * <p>Both formats end a word at whitespace, so a word that is empty, contains a whitespace or space
 * character ({@link Character#isWhitespace}, {@link Character#isSpaceChar}) or is not encodable as
 * UTF-8 (a lone surrogate) cannot be written: such words are skipped, the header counts only the
 * words written, and {@link Written#skipped()} says how many were left out. Files are written
 * atomically ({@link AtomicWrite}). The readers are strict: a count, dimension or value that does not
 * match the header is an {@link IOException}, and so is a duplicate word. The binary reader takes
 * the newline after each vector as optional, so it also reads the files gensim 4 writes.
 */
public final class Word2VecFormat {

    /** What an export wrote: the words in the file and the words left out as unrepresentable. */
    public record Written(int words, int skipped) {
    }

    private Word2VecFormat() {
    }

    public static Written writeText(Path path, EmbeddingSnapshot snapshot) throws IOException {
        int[] rows = representableRows(snapshot);
        int dim = snapshot.dim();
        float[] vectors = snapshot.rawVectors();
        AtomicWrite.write(path, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(rows.length + " " + dim + "\n");
            StringBuilder line = new StringBuilder();
            for (int row : rows) {
                line.setLength(0);
                line.append(snapshot.word(row));
                for (int i = row * dim, end = i + dim; i < end; i++) line.append(' ').append(vectors[i]);
                w.write(line.append('\n').toString());
            }
            w.flush();
        });
        return new Written(rows.length, snapshot.size() - rows.length);
    }

    public static Written writeBinary(Path path, EmbeddingSnapshot snapshot) throws IOException {
        int[] rows = representableRows(snapshot);
        int dim = snapshot.dim();
        float[] vectors = snapshot.rawVectors();
        AtomicWrite.write(path, out -> {
            out.write((rows.length + " " + dim + "\n").getBytes(StandardCharsets.US_ASCII));
            ByteBuffer values = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int row : rows) {
                out.write(snapshot.word(row).getBytes(StandardCharsets.UTF_8));
                out.write(' ');
                values.clear();
                for (int i = row * dim, end = i + dim; i < end; i++) values.putFloat(vectors[i]);
                out.write(values.array(), 0, values.position());
                out.write('\n');
            }
        });
        return new Written(rows.length, snapshot.size() - rows.length);
    }

    /** Whether {@code word} can stand in a word2vec file (see the class comment). */
    public static boolean isRepresentable(String word) {
        if (word.isEmpty()) return false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isSurrogate((char) cp)) return false;
            i += Character.charCount(cp);
        }
        return true;
    }

    /** Reads a text-format file into a snapshot with version 0 and tokens 0. */
    public static EmbeddingSnapshot readText(Path path) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            int[] header = parseHeader(in.readLine(), path);
            int count = header[0], dim = header[1];
            String[] words = new String[count];
            float[] vectors = new float[count * dim];
            for (int row = 0; row < count; row++) {
                String line = in.readLine();
                if (line == null) throw new EOFException(path + ": " + row + " of " + count + " words");
                String[] parts = line.stripTrailing().split(" ", -1); // word2vec.c ends lines with a space
                if (parts.length != dim + 1) {
                    throw new IOException(path + ": line " + (row + 2) + " has " + (parts.length - 1) + " values, not " + dim);
                }
                words[row] = parts[0];
                for (int i = 0; i < dim; i++) vectors[row * dim + i] = parseFloat(parts[i + 1], path, row + 2);
            }
            if (in.readLine() != null) throw new IOException(path + ": more than " + count + " words");
            return snapshot(words, vectors, dim, path);
        }
    }

    /** Reads a binary-format file into a snapshot with version 0 and tokens 0. */
    public static EmbeddingSnapshot readBinary(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            int[] header = parseHeader(readUntil(in, '\n', path, StandardCharsets.US_ASCII.newDecoder()), path);
            int count = header[0], dim = header[1];
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
            String[] words = new String[count];
            float[] vectors = new float[count * dim];
            byte[] raw = new byte[dim * Float.BYTES];
            ByteBuffer values = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (int row = 0; row < count; row++) {
                words[row] = readUntil(in, ' ', path, utf8);
                if (in.readNBytes(raw, 0, raw.length) != raw.length) {
                    throw new EOFException(path + ": vector of word " + row + " is cut short");
                }
                values.rewind().asFloatBuffer().get(vectors, row * dim, dim);
                in.mark(1);
                if (in.read() != '\n') in.reset(); // word2vec.c writes it, gensim 4 does not
            }
            if (in.read() != -1) throw new IOException(path + ": bytes after " + count + " words");
            return snapshot(words, vectors, dim, path);
        }
    }

    private static int[] representableRows(EmbeddingSnapshot snapshot) {
        return IntStream.range(0, snapshot.size())
                .filter(row -> isRepresentable(snapshot.word(row)))
                .toArray();
    }

    private static int[] parseHeader(String line, Path path) throws IOException {
        String[] parts = line == null ? new String[0] : line.trim().split(" ");
        try {
            if (parts.length == 2) {
                int count = Integer.parseInt(parts[0]), dim = Integer.parseInt(parts[1]);
                if (count >= 0 && dim >= 1 && (long) count * dim <= Integer.MAX_VALUE) return new int[] {count, dim};
            }
        } catch (NumberFormatException e) {
            // reported below with the line
        }
        throw new IOException(path + ": bad header line " + line);
    }

    private static float parseFloat(String s, Path path, int lineNo) throws IOException {
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new IOException(path + ": line " + lineNo + ": bad value " + s, e);
        }
    }

    /** Bytes up to (not including) {@code stop}, decoded strictly; the stop byte is consumed. */
    private static String readUntil(InputStream in, char stop, Path path, CharsetDecoder decoder)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        for (int b; (b = in.read()) != stop; ) {
            if (b == -1) throw new EOFException(path + ": ends before '" + (stop == ' ' ? "space" : "newline") + "'");
            bytes.write(b);
        }
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes.toByteArray()));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IOException(path + ": word is not valid " + decoder.charset(), e);
        }
    }

    /** The snapshot of what was read; a duplicate word or a non-finite value makes the file invalid. */
    private static EmbeddingSnapshot snapshot(String[] words, float[] vectors, int dim, Path path) throws IOException {
        try {
            return EmbeddingSnapshot.wrap(words, vectors, dim, 0, 0);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }
}
