package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rill.nn.Sampling;
import io.rill.nn.Softmax;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

  private final CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters("abcdefgh");
  private final LstmParams params = LstmParams.initialize(LstmConfig.lstm(4, 16), vocabulary.size(), 7);
  private final Sampler sampler = new Sampler(params, vocabulary);

  @Test
  void temperatureZeroIsDeterministicGreedyDecoding() {
    Sampler.Sample one = sampler.sample("ab", 0, 0, 12, new Random(1));
    Sampler.Sample two = sampler.sample("ab", 0, 0, 12, new Random(987654));
    assertThat(two).isEqualTo(one);
    // Top-1 at any temperature is the same choice as greedy decoding.
    assertThat(sampler.sample("ab", 1.5, 1, 12, new Random(3)).text()).isEqualTo(one.text());
  }

  @Test
  void prefixIsHonouredAndLengthBounded() {
    for (int seed = 0; seed < 20; seed++) {
      Sampler.Sample sample = sampler.sample("hea", 1.0, 0, 9, new Random(seed));
      assertThat(sample.text()).startsWith("hea").doesNotContain("\n");
      assertThat(sample.text().length()).isLessThanOrEqualTo(9);
      assertThat(sample.ended() || sample.text().length() == 9).isTrue();
      assertThat(sample.logProbability()).isNegative();
    }
    assertThatThrownBy(() -> sampler.sample("xyz", 1.0, 0, 9, new Random(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void highTemperatureVariesAndTopKRestrictsTheChoices() {
    double[] logits = {0.0, 3.0, 2.9, -1.0, 2.8};
    Set<Integer> drawn = new HashSet<>();
    Random random = new Random(5);
    for (int i = 0; i < 200; i++) {
      drawn.add(Sampling.draw(logits, 1.0, 2, random));
    }
    assertThat(drawn).containsExactlyInAnyOrder(1, 2);
    drawn.clear();
    for (int i = 0; i < 500; i++) {
      drawn.add(Sampling.draw(logits, 5.0, 0, random));
    }
    assertThat(drawn).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(Sampling.draw(logits, 0, 0, random)).isEqualTo(1);
    assertThat(Softmax.logProbability(new double[] {1, 1}, 0)).isCloseTo(Math.log(0.5), within(1e-12));
  }

  @Test
  void logProbabilityIsTheModelsProbabilityOfTheDrawnCharacters() {
    Sampler.Sample sample = sampler.sample("", 0.7, 0, 6, new Random(8));
    int[] drawn = vocabulary.encode(sample.text());
    double expected = 0;
    CharLstm engine = new CharLstm(params.config(), 0);
    double[][] logits = new double[1][vocabulary.size()];
    LstmState state = engine.step(params, new int[] {CharVocabulary.EOS}, LstmState.zeros(params.config(), 1), logits);
    for (int id : drawn) {
      expected += Softmax.logProbability(logits[0], id);
      state = engine.step(params, new int[] {id}, state, logits);
    }
    if (sample.ended()) {
      expected += Softmax.logProbability(logits[0], CharVocabulary.EOS);
    }
    // The sampler runs its own float implementation of the step (InferenceModel): equal to float precision.
    assertThat(sample.logProbability()).isCloseTo(expected, within(1e-4));
  }
}
