package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.Adam;
import io.rill.nn.Softmax;
import io.rill.ps.Parameters;
import io.rill.ps.ServerDesign;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VocabularyGrowthTest {

  @Test
  void newlineIsEndOfSequenceAndNewCharactersGetTheNextIds() {
    CharVocabulary vocabulary = new CharVocabulary();
    assertThat(vocabulary.size()).isEqualTo(1);
    assertThat(vocabulary.idOf('\n')).isEqualTo(CharVocabulary.EOS);
    assertThat(vocabulary.add('q')).isEqualTo(1);
    assertThat(vocabulary.add('é')).isEqualTo(2);
    assertThat(vocabulary.add('q')).isEqualTo(1);
    assertThat(vocabulary.encode("qé\nq")).containsExactly(1, 2, 0, 1);
    assertThat(vocabulary.decode(new int[] {2, 1, 0})).isEqualTo("éq\n");
    assertThat(vocabulary.idOf('z')).isEqualTo(-1);
    assertThatThrownBy(() -> vocabulary.encode("z")).isInstanceOf(IllegalArgumentException.class);
    assertThat(CharVocabulary.ofSortedCharacters("cab\n").encode("abc\n")).containsExactly(1, 2, 3, 0);
  }

  @Test
  void growingKeepsOldPredictionsAndShapesValidAndTrainingGoesOn() {
    CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters("abc");
    LstmConfig config = LstmConfig.lstm(4, 8);
    LstmParams params = LstmParams.initialize(config, vocabulary.size(), 3);
    LstmGradients gradients = LstmGradients.zerosLike(params);
    Adam adam = new Adam(params.tensors());
    // The parameter server's own state over these parameters, growing as a character model's server grows them.
    Parameters server = new Parameters(ServerDesign.dense(params::tensors, tensors -> adam,
        Map.of(LstmTensors.VOCABULARY, LstmParams.newCharacters(new Random(1))), 0, List.of(), 8, 0));
    CharLstm engine = new CharLstm(config, 0);
    int[][] inputs = {{1, 2, 3, 0}, {3, 3, 1, 2}};
    int[][] targets = {{2, 3, 0, 1}, {3, 1, 2, 0}};
    CharLstm.ChunkResult before = engine.trainChunk(params, inputs, targets, LstmState.zeros(config, 2), gradients);
    adam.step(params.tensors(), gradients.tensors());
    double[][] oldLogits = new double[1][4];
    engine.step(params, new int[] {2}, LstmState.zeros(config, 1), oldLogits);

    int id = vocabulary.add('z');
    assertThat(server.grow(LstmTensors.VOCABULARY, vocabulary.size())).isTrue();
    params = LstmParams.wrap(config, server.dense());
    gradients.tensors().padTo(server.dense());

    assertThat(id).isEqualTo(4);
    assertThat(vocabulary.size()).isEqualTo(5);
    assertThat(params.embedding().shape()).containsExactly(5, 4);
    assertThat(params.outputWeights().shape()).containsExactly(8, 5);
    assertThat(params.outputBias().shape()).containsExactly(1, 5);
    assertThat(gradients.sameShapeAs(params)).isTrue();
    assertThat(adam.firstMoment().get(LstmTensors.EMBEDDING).rows()).isEqualTo(5);
    // Old ids keep their logits exactly; the new one starts no likelier than the least likely old id would be alone.
    double[][] newLogits = new double[1][5];
    engine.step(params, new int[] {2}, LstmState.zeros(config, 1), newLogits);
    for (int v = 0; v < 4; v++) {
      assertThat(newLogits[0][v]).isCloseTo(oldLogits[0][v], within(1e-6));
    }
    // The new embedding row is drawn like the initial ones (N(0, 1)): the new character is visible as an input.
    assertThat(params.embedding().getRow(4).norm2Number().doubleValue()).isBetween(0.2, 5.0);
    assertThat(Math.abs(params.outputWeights().getDouble(0, 4))).isLessThan(0.1);
    assertThat(Softmax.logProbability(newLogits[0], 4)).isLessThan(Math.log(0.5));
    // Adding a known character changes nothing.
    assertThat(vocabulary.add('a')).isEqualTo(1);
    assertThat(server.grow(LstmTensors.VOCABULARY, vocabulary.size())).isFalse();
    assertThat(params.vocabularySize()).isEqualTo(5);

    int[][] grownInputs = {{1, 4, 3, 0}, {4, 3, 1, 2}};
    int[][] grownTargets = {{4, 3, 0, 1}, {3, 1, 4, 0}};
    CharLstm.ChunkResult after = engine.trainChunk(params, grownInputs, grownTargets, before.finalState(), gradients);
    assertThat(after.loss()).isFinite();
    assertThat(gradients.embedding().getRow(4).norm2Number().doubleValue()).isPositive();
    server.apply(gradients.tensors(), 8);
    assertThat(params.embedding().getRow(4).norm2Number().doubleValue()).isFinite();
  }

  @Test
  void gradientsOfAnotherShapeDoNotFitTheServer() {
    LstmParams params = LstmParams.initialize(LstmConfig.lstm(2, 3), 5, 1);
    Parameters server = new Parameters(ServerDesign.dense(params::tensors, Adam::new, Map.of(), 0, List.of(), 8, 0));
    assertThat(server.fits(LstmGradients.zerosLike(params).tensors())).isTrue();
    // computed before the vocabulary grew: padded, so it fits
    assertThat(server.fits(LstmGradients.zerosLike(LstmParams.initialize(LstmConfig.lstm(2, 3), 3, 1)).tensors()))
        .isTrue();
    // a larger vocabulary than the server's, or another architecture: refused
    assertThat(server.fits(LstmGradients.zerosLike(LstmParams.initialize(LstmConfig.lstm(2, 3), 6, 1)).tensors()))
        .isFalse();
    assertThat(server.fits(LstmGradients.zerosLike(LstmParams.initialize(LstmConfig.lstm(2, 4), 5, 1)).tensors()))
        .isFalse();
  }
}
