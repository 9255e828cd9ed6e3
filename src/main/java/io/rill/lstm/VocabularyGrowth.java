package io.rill.lstm;

import io.rill.nn.Optimizer;
import java.util.Random;

/**
 * Adds a character to a live model: the vocabulary, the parameters, the gradient buffer and the optimizer state
 * must all grow together by one id, or shapes stop matching. Whoever owns these (the parameter server) calls
 * {@link #addCharacter} when a character arrives that the vocabulary does not know.
 */
public final class VocabularyGrowth {

  private VocabularyGrowth() {
  }

  /**
   * The id of {@code codePoint}, adding it first when it is new: a vocabulary entry, an embedding row and an output
   * column in {@code params} (see {@link LstmParams#growVocabulary}), and zero entries in {@code gradients} and
   * {@code optimizer}'s state. {@code gradients} or {@code optimizer} may be null when the caller has none.
   */
  public static int addCharacter(int codePoint, CharVocabulary vocabulary, LstmParams params,
                                 LstmGradients gradients, Optimizer optimizer, Random random) {
    int known = vocabulary.idOf(codePoint);
    if (known >= 0) {
      return known;
    }
    if (params.vocabularySize() != vocabulary.size()
        || (gradients != null && gradients.vocabularySize() != vocabulary.size())
        || (optimizer != null && !optimizer.sameShapeAs(params.tensors()))) {
      throw new IllegalStateException("vocabulary and tensors are out of step: vocabulary " + vocabulary.size()
          + ", parameters " + params.vocabularySize());
    }
    int id = vocabulary.add(codePoint);
    params.growVocabulary(random);
    if (gradients != null) {
      gradients.growVocabulary();
    }
    if (optimizer != null) {
      optimizer.padTo(params.tensors());
    }
    return id;
  }
}
