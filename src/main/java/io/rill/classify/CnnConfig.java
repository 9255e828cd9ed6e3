package io.rill.classify;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The shape of a sentence CNN: its variant, the word vectors' dimension k, the filter widths (words) with
 * {@code maps} feature maps each, the zero rows padded before and after every sentence, dropout on the pooled
 * vector while training, and the data type (FLOAT to train, DOUBLE for gradient checks).
 *
 * <p>Derived sizes: the input row of a token is {@code channels · k} wide; filter taps are laid out width after
 * width, each width's {@code h} taps of {@code maps} rows ({@link #tapOffset}); the pooled vector has one entry per
 * width and map ({@link #pooledSize}).
 */
public record CnnConfig(Variant variant, int dimension, int[] widths, int maps, int padding, double dropout,
                        DataType dataType) {

    public CnnConfig {
        widths = widths.clone();
        if (dimension < 1 || maps < 1 || padding < 0 || widths.length == 0) {
            throw new IllegalArgumentException("a CNN needs a dimension, maps and widths, and padding >= 0: "
                    + dimension + ", " + maps + ", " + Arrays.toString(widths) + ", " + padding);
        }
        for (int width : widths) {
            if (width < 1 || width > 64) {
                throw new IllegalArgumentException("filter widths must be 1 to 64 words: " + Arrays.toString(widths));
            }
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1): " + dropout);
        }
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("FLOAT or DOUBLE, not " + dataType);
        }
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    public int width(int w) {
        return widths[w];
    }

    public int widthCount() {
        return widths.length;
    }

    public int widest() {
        return Arrays.stream(widths).max().orElseThrow();
    }

    public int channels() {
        return variant.channels();
    }

    /** The width of a token's input row: channels × k. */
    public int inputWidth() {
        return channels() * dimension;
    }

    /** The taps of all widths: Σ h × maps (the rows of the filter tensor). */
    public int taps() {
        return Arrays.stream(widths).sum() * maps;
    }

    /** The first tap row of width {@code w}; its tap j of map f is row {@code tapOffset(w) + j·maps + f}. */
    public int tapOffset(int w) {
        int offset = 0;
        for (int i = 0; i < w; i++) {
            offset += widths[i] * maps;
        }
        return offset;
    }

    /** One pooled value per width and map. */
    public int pooledSize() {
        return widths.length * maps;
    }

    /** The padded length of a sentence of {@code tokens} tokens: padding on both sides, at least the widest filter. */
    public int paddedLength(int tokens) {
        return Math.max(tokens + 2 * padding, widest());
    }

    public CnnConfig withDataType(DataType type) {
        return new CnnConfig(variant, dimension, widths, maps, padding, dropout, type);
    }

    public CnnConfig withDropout(double rate) {
        return new CnnConfig(variant, dimension, widths, maps, padding, rate, dataType);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CnnConfig c && variant == c.variant && dimension == c.dimension
                && Arrays.equals(widths, c.widths) && maps == c.maps && padding == c.padding
                && Double.compare(dropout, c.dropout) == 0 && dataType == c.dataType;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(widths) * 31 + java.util.Objects.hash(variant, dimension, maps, padding, dropout,
                dataType);
    }

    @Override
    public String toString() {
        return variant.configName() + ", k " + dimension + ", widths " + Arrays.toString(widths) + " x " + maps
                + " maps, padding " + padding + ", dropout " + dropout + ", " + dataType;
    }
}
