package io.rill.skipgram.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Word2VecFormatTest {
    @TempDir
    Path dir;

    /** Two words, three dims: values with exact float32 bit patterns, written out by hand below. */
    private static EmbeddingSnapshot tiny() {
        return EmbeddingSnapshot.wrap(new String[] {"ab", "é"}, new float[] {1f, -2f, 0.5f, 0.25f, 3f, -1f}, 3, 0, 0);
    }

    /** Awkward values and words, including five that no word2vec file can hold. */
    private static EmbeddingSnapshot mixed() {
        String[] words = {"the", "has space", "naïve", "tab\there", "日本", "new\nline", "", "nbsp\u00a0x", "😀x"};
        int dim = 4;
        float[] v = new float[words.length * dim];
        float[] specials = {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, -123456.78f, 0.1f, (float) Math.PI};
        for (int i = 0; i < v.length; i++) v[i] = specials[i % specials.length] * (i % 3 == 0 ? -1 : 1);
        return EmbeddingSnapshot.wrap(words, v, dim, 0, 0);
    }

    private static void assertSameRepresentableRows(EmbeddingSnapshot read, EmbeddingSnapshot written) {
        List<String> expected = Stream.of("the", "naïve", "日本", "😀x").toList();
        assertThat(read.size()).isEqualTo(expected.size());
        assertThat(read.dim()).isEqualTo(written.dim());
        for (int row = 0; row < read.size(); row++) {
            String word = read.word(row);
            assertThat(word).isEqualTo(expected.get(row));
            float[] got = read.vector(word).orElseThrow(), want = written.vector(word).orElseThrow();
            for (int i = 0; i < got.length; i++) {
                assertThat(Float.floatToRawIntBits(got[i])).as(word + "[" + i + "]").isEqualTo(Float.floatToRawIntBits(want[i]));
            }
        }
    }

    @Test
    void textRoundTripIsExactAndSkipsUnrepresentableWords() throws IOException {
        Path file = dir.resolve("v.txt");
        Word2VecFormat.Written written = Word2VecFormat.writeText(file, mixed());
        assertThat(written).isEqualTo(new Word2VecFormat.Written(4, 5));
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8).get(0)).isEqualTo("4 4");
        assertSameRepresentableRows(Word2VecFormat.readText(file), mixed());
    }

    @Test
    void binaryRoundTripIsExactAndSkipsUnrepresentableWords() throws IOException {
        Path file = dir.resolve("v.bin");
        assertThat(Word2VecFormat.writeBinary(file, mixed())).isEqualTo(new Word2VecFormat.Written(4, 5));
        assertSameRepresentableRows(Word2VecFormat.readBinary(file), mixed());
    }

    @Test
    void binaryLayoutIsExactlyWhatWord2vecAndGensimRead() throws IOException {
        Path file = dir.resolve("tiny.bin");
        Word2VecFormat.writeBinary(file, tiny());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("2 3\n".getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(new byte[] {'a', 'b', ' '});
        expected.writeBytes(bytes(0x00, 0x00, 0x80, 0x3F, /* 1.0 */ 0x00, 0x00, 0x00, 0xC0, /* -2.0 */
                0x00, 0x00, 0x00, 0x3F /* 0.5 */, '\n'));
        expected.writeBytes(bytes(0xC3, 0xA9 /* é in UTF-8 */, ' '));
        expected.writeBytes(bytes(0x00, 0x00, 0x80, 0x3E, /* 0.25 */ 0x00, 0x00, 0x40, 0x40, /* 3.0 */
                0x00, 0x00, 0x80, 0xBF /* -1.0 */, '\n'));
        assertThat(Files.readAllBytes(file)).containsExactly(expected.toByteArray());
    }

    @Test
    void textLayoutIsOneLinePerWord() throws IOException {
        Path file = dir.resolve("tiny.txt");
        Word2VecFormat.writeText(file, tiny());
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("2 3\nab 1.0 -2.0 0.5\né 0.25 3.0 -1.0\n");
    }

    @Test
    void readersAcceptTheVariantsOfOtherWriters() throws IOException {
        // gensim 4 writes no newline after a binary vector; word2vec.c ends text lines with a space
        Path bin = dir.resolve("gensim.bin");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("2 1\nx ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(bytes(0x00, 0x00, 0x80, 0x3F));
        b.writeBytes("y ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(bytes(0x00, 0x00, 0x00, 0x40));
        Files.write(bin, b.toByteArray());
        EmbeddingSnapshot fromBinary = Word2VecFormat.readBinary(bin);
        assertThat(fromBinary.vector("y")).hasValueSatisfying(v -> assertThat(v).containsExactly(2f));

        Path txt = dir.resolve("c.txt");
        Files.writeString(txt, "1 2\nx 0.5 -1.5 \n");
        assertThat(Word2VecFormat.readText(txt).vector("x")).hasValueSatisfying(v -> assertThat(v).containsExactly(0.5f, -1.5f));
    }

    @Test
    void readersRejectFilesThatDisagreeWithTheirHeader() throws IOException {
        Path txt = dir.resolve("bad.txt");
        Files.writeString(txt, "2 2\nx 1 2\n");
        assertThatThrownBy(() -> Word2VecFormat.readText(txt)).isInstanceOf(IOException.class);
        Files.writeString(txt, "1 2\nx 1 2 3\n");
        assertThatThrownBy(() -> Word2VecFormat.readText(txt)).isInstanceOf(IOException.class).hasMessageContaining("3 values");
        Files.writeString(txt, "2 1\nx 1\nx 2\n");
        assertThatThrownBy(() -> Word2VecFormat.readText(txt)).isInstanceOf(IOException.class).hasMessageContaining("duplicate");

        Path bin = dir.resolve("cut.bin");
        Word2VecFormat.writeBinary(bin, tiny());
        byte[] whole = Files.readAllBytes(bin);
        Files.write(bin, Arrays.copyOf(whole, whole.length - 3));
        assertThatThrownBy(() -> Word2VecFormat.readBinary(bin)).isInstanceOf(IOException.class);
    }

    @Test
    void writeReplacesTheFileAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("v.txt");
        Files.writeString(file, "old");
        Word2VecFormat.writeText(file, tiny());
        assertThat(Word2VecFormat.readText(file).size()).isEqualTo(2);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("v.txt");
        }
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndRemovesTheTemporaryOne() throws IOException {
        Path file = dir.resolve("keep.txt");
        Files.writeString(file, "old content");
        assertThatThrownBy(() -> AtomicWrite.write(file, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(file)).isEqualTo("old content");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
        }
    }

    @Test
    void representableWordsHaveNoWhitespace() {
        assertThat(Word2VecFormat.isRepresentable("word")).isTrue();
        assertThat(Word2VecFormat.isRepresentable("l'été")).isTrue();
        assertThat(Word2VecFormat.isRepresentable("two words")).isFalse();
        assertThat(Word2VecFormat.isRepresentable("cr\r")).isFalse();
        assertThat(Word2VecFormat.isRepresentable("\u2003em")).isFalse();
        assertThat(Word2VecFormat.isRepresentable("lone\ud800")).isFalse();
        assertThat(Word2VecFormat.isRepresentable("")).isFalse();
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }
}
