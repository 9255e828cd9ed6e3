package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class HeldOutLossTest {

  @Test
  void chunkedStreamEqualsOneChunkOverTheWholeTextWithALeadingNewline() {
    String text = "the quick brown fox\njumps over\nthe lazy dog\n".repeat(15);
    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters(text);
    LstmConfig config = LstmConfig.lstm(5, 7).withDataType(DataType.DOUBLE);
    LstmParams params = LstmParams.initialize(config, vocabulary.size(), 2);

    int[] ids = vocabulary.encode("\n" + text);
    int[][] inputs = {Arrays.copyOfRange(ids, 0, ids.length - 1)};
    int[][] targets = {Arrays.copyOfRange(ids, 1, ids.length)};
    double whole = new CharLstm(config, 0).evaluateChunk(params, inputs, targets, LstmState.zeros(config, 1)).loss();

    assertThat(text.length()).isGreaterThan(512);
    assertThat(HeldOutLoss.natsPerCharacter(params, vocabulary, text)).isCloseTo(whole, within(1e-12));
    assertThat(whole).isCloseTo(Math.log(vocabulary.size()), within(1.0));
  }
}
