package io.rill.text;

/**
 * Receives the word tokens of ASCII text straight from its bytes ({@link WordTokenizer#scanAscii}): no String and
 * no copy per token. A token is {@code text[from, to)} read with every byte OR-ed with 0x20, which lower-cases
 * ASCII letters and leaves digits and the apostrophe as they are.
 */
public interface AsciiTokenSink {

    /** One token: {@code text[from, to)}, to be read lower-cased (each byte | 0x20). */
    void token(byte[] text, int from, int to);

    /** A newline: the tokens after it belong to the next line. */
    void lineBreak();
}
