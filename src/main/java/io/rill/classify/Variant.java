package io.rill.classify;

import java.util.Arrays;
import java.util.Locale;

/**
 * The four word-vector variants of Kim (2014): where the words' rows come from and whether they learn.
 * <ul>
 *   <li>{@code rand}: rows drawn from U[−a, a] and trained;</li>
 *   <li>{@code static}: pre-trained rows, never trained;</li>
 *   <li>{@code non-static}: initialised from the pre-trained rows and fine-tuned;</li>
 *   <li>{@code multichannel}: two channels of the same rows, one fixed and one fine-tuned; every filter spans both
 *       (their responses add).</li>
 * </ul>
 */
public enum Variant {
    RAND("rand", true, false, false),
    STATIC("static", false, true, true),
    NON_STATIC("non-static", true, false, true),
    MULTICHANNEL("multichannel", true, true, true);

    private final String configName;
    private final boolean trained;
    private final boolean fixedChannel;
    private final boolean pretrained;

    Variant(String configName, boolean trained, boolean fixedChannel, boolean pretrained) {
        this.configName = configName;
        this.trained = trained;
        this.fixedChannel = fixedChannel;
        this.pretrained = pretrained;
    }

    public String configName() {
        return configName;
    }

    /** Whether the words' rows learn (a trained channel: base + a learned offset). */
    public boolean trained() {
        return trained;
    }

    /** Whether there is a channel of the base rows as they are. */
    public boolean fixedChannel() {
        return fixedChannel;
    }

    /** Whether the rows come from pre-trained vectors. */
    public boolean pretrained() {
        return pretrained;
    }

    /** Channels of the input matrix: the trained one first, then the fixed one. */
    public int channels() {
        return (trained ? 1 : 0) + (fixedChannel ? 1 : 0);
    }

    public static Variant parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (wanted.equals("nonstatic")) {
            return NON_STATIC;
        }
        return Arrays.stream(values()).filter(v -> v.configName.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown variant \"" + name + "\": one of rand, "
                        + "static, non-static, multichannel"));
    }
}
