package io.rill.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RecordDecoderTest {

    private final RecordDecoder decoder = new RecordDecoder(64);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RejectReason reasonOf(byte[] value) {
        Decoded decoded = decoder.decode(value);
        assertThat(decoded).isInstanceOf(Decoded.Rejected.class);
        return ((Decoded.Rejected) decoded).reason();
    }

    @Test
    void acceptsAsciiAndMultiByteText() {
        assertThat(decoder.decode(utf8("Ishmael\tand Queequeg\n"))).isEqualTo(new Decoded.Text("Ishmael\tand Queequeg\n"));
        assertThat(decoder.decode(utf8("Zoë, 東京, 🐋"))).isEqualTo(new Decoded.Text("Zoë, 東京, 🐋"));
    }

    @Test
    void refusesNullAndEmptyAndBlank() {
        assertThat(reasonOf(null)).isEqualTo(RejectReason.NULL_VALUE);
        assertThat(reasonOf(new byte[0])).isEqualTo(RejectReason.EMPTY);
        assertThat(reasonOf(utf8(" \n\t\n"))).isEqualTo(RejectReason.EMPTY);
    }

    @Test
    void refusesMalformedAndTruncatedUtf8InsteadOfReplacingIt() {
        assertThat(reasonOf(new byte[] {'a', (byte) 0xC3, '('})).isEqualTo(RejectReason.MALFORMED_UTF8);
        assertThat(reasonOf(new byte[] {'a', (byte) 0xE2, (byte) 0x82})).isEqualTo(RejectReason.MALFORMED_UTF8);
        assertThat(reasonOf(new byte[] {(byte) 0xC0, (byte) 0x80})).isEqualTo(RejectReason.MALFORMED_UTF8); // overlong NUL
        assertThat(reasonOf(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).isEqualTo(RejectReason.MALFORMED_UTF8); // surrogate
        Decoded.Rejected rejected = (Decoded.Rejected) decoder.decode(new byte[] {'a', 'b', (byte) 0xFF});
        assertThat(rejected.detail()).contains("byte 2");
    }

    @Test
    void refusesControlCharactersButNewlineAndTab() {
        assertThat(reasonOf(utf8("a\rb"))).isEqualTo(RejectReason.CONTROL_CHARACTER);
        assertThat(reasonOf(utf8("a\u0000b"))).isEqualTo(RejectReason.CONTROL_CHARACTER);
        assertThat(reasonOf(utf8("\u001b[0m"))).isEqualTo(RejectReason.CONTROL_CHARACTER);
        assertThat(reasonOf(utf8("a\u0085b"))).isEqualTo(RejectReason.CONTROL_CHARACTER); // C1 control
        assertThat(((Decoded.Rejected) decoder.decode(utf8("ab\u0007"))).detail()).contains("U+0007").contains("char 2");
    }

    @Test
    void refusesRecordsOverTheLimitWithoutDecodingThem() {
        assertThat(decoder.decode(utf8("x".repeat(64)))).isInstanceOf(Decoded.Text.class);
        assertThat(reasonOf(utf8("x".repeat(65)))).isEqualTo(RejectReason.TOO_LARGE);
    }
}
