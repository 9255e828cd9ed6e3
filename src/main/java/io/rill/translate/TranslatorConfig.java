package io.rill.translate;

import io.rill.nn.CellType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The architecture of an attention translator: word embeddings of {@code embeddingSize} on both sides, a
 * bidirectional encoder of {@code hiddenSize} units each way (so source states of D = 2·hiddenSize), a decoder of D
 * units, additive attention with {@code attentionSize} units, and the recurrent cell of both. {@code dataType} is
 * FLOAT for training and DOUBLE for gradient checks.
 */
public record TranslatorConfig(int embeddingSize, int hiddenSize, int attentionSize, CellType cell,
                               DataType dataType) {

    public TranslatorConfig {
        if (embeddingSize < 1 || hiddenSize < 1 || attentionSize < 1) {
            throw new IllegalArgumentException("sizes must be positive: embedding " + embeddingSize + ", hidden "
                    + hiddenSize + ", attention " + attentionSize);
        }
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("a translator is FLOAT or DOUBLE, not " + dataType);
        }
    }

    /** An LSTM translator in float. */
    public static TranslatorConfig of(int embeddingSize, int hiddenSize, int attentionSize) {
        return new TranslatorConfig(embeddingSize, hiddenSize, attentionSize, CellType.LSTM, DataType.FLOAT);
    }

    public TranslatorConfig withDataType(DataType type) {
        return new TranslatorConfig(embeddingSize, hiddenSize, attentionSize, cell, type);
    }

    /** Width of a source state h_j = [forward, backward], and of the decoder's state. */
    public int stateSize() {
        return 2 * hiddenSize;
    }

    /** Width of the decoder's input: the previous word's embedding and the context. */
    public int decoderInputSize() {
        return embeddingSize + stateSize();
    }

    /** Width of what the output layer reads: the decoder's state and the context. */
    public int outputInputSize() {
        return 2 * stateSize();
    }
}
