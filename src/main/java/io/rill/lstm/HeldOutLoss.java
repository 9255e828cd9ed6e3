package io.rill.lstm;

import java.util.Arrays;

/**
 * Held-out negative log-likelihood in nats per character: the text is read as one stream after a leading
 * end-of-sequence, and every character of it, newlines included, is predicted from everything before it. The stream
 * runs in chunks with the state carried across, which gives exactly the loss of one pass over the whole text while
 * keeping memory bounded. Dropout is off.
 */
public final class HeldOutLoss {

  private static final int CHUNK = 512;

  private HeldOutLoss() {
  }

  /** Mean nats per character of {@code text}; every character must be in {@code vocabulary}. */
  public static double natsPerCharacter(LstmParams params, CharVocabulary vocabulary, String text) {
    int[] encoded = vocabulary.encode(text);
    int[] ids = new int[encoded.length + 1];
    ids[0] = CharVocabulary.EOS;
    System.arraycopy(encoded, 0, ids, 1, encoded.length);
    return natsPerCharacter(params, ids);
  }

  /** Mean nats per id of predicting ids[1..] from the ids before each. */
  public static double natsPerCharacter(LstmParams params, int[] ids) {
    if (ids.length < 2) {
      throw new IllegalArgumentException("nothing to predict");
    }
    CharLstm engine = new CharLstm(params.config(), 0);
    LstmState state = LstmState.zeros(params.config(), 1);
    double total = 0;
    int predicted = ids.length - 1;
    for (int from = 0; from < predicted; from += CHUNK) {
      int to = Math.min(predicted, from + CHUNK);
      int[][] inputs = {Arrays.copyOfRange(ids, from, to)};
      int[][] targets = {Arrays.copyOfRange(ids, from + 1, to + 1)};
      CharLstm.ChunkLoss chunk = engine.evaluateChunk(params, inputs, targets, state);
      total += chunk.loss() * (to - from);
      state = chunk.finalState();
    }
    return total / predicted;
  }
}
