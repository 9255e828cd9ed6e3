package io.rill.translate;

/**
 * A decoded translation: the target word ids (without the end-of-sentence symbol), its log-probability under the
 * model (the end-of-sentence symbol's included when it {@code ended}), and the attention weights of each target word
 * over the source words, {@code attention[i][j]} for target word i and source word j (each row sums to 1).
 */
public record Translation(int[] words, double logProbability, double[][] attention, boolean ended) {

    /** The log-probability per word, the end-of-sentence symbol counted as a word: how beam search ranks. */
    public double normalizedScore() {
        return logProbability / (words.length + (ended ? 1 : 0));
    }
}
