package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Several orders sampled in one pass get what each would get alone, with its own prefix, settings and length. */
class SamplerBatchTest {

  private final CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters("abcdefgh");
  private final LstmParams params = LstmParams.initialize(LstmConfig.lstm(4, 16), vocabulary.size(), 7);
  private final Sampler sampler = new Sampler(params, vocabulary);

  @Test
  void greedyOrdersInOnePassEqualEachAlone() {
    List<Sampler.Order> orders = List.of(
        new Sampler.Order("ab", 2, 0, 0, 12),
        new Sampler.Order("", 1, 0, 0, 5),
        new Sampler.Order("hea", 3, 1.5, 1, 9), // top-1 is greedy at any temperature
        new Sampler.Order("c", 1, 0, 0, 2));
    List<List<Sampler.Sample>> together = sampler.sample(orders, new Random(1));
    assertThat(together).hasSize(orders.size());
    for (int k = 0; k < orders.size(); k++) {
      Sampler.Order order = orders.get(k);
      Sampler.Sample alone = sampler.sample(order.prefix(), order.temperature(), order.topK(), order.maxLength(),
          new Random(99));
      assertThat(together.get(k)).hasSize(order.count());
      for (Sampler.Sample sample : together.get(k)) {
        assertThat(sample.text()).isEqualTo(alone.text()).startsWith(order.prefix());
        assertThat(sample.text().length()).isLessThanOrEqualTo(order.maxLength());
        assertThat(sample.ended()).isEqualTo(alone.ended());
        assertThat(sample.logProbability()).isCloseTo(alone.logProbability(), within(1e-9));
      }
    }
  }

  @Test
  void oneOrderAloneDrawsAsTheSingleRequestCallDoes() {
    List<Sampler.Sample> viaOrders = sampler.sample(List.of(new Sampler.Order("b", 4, 0.9, 0, 10)), new Random(3))
        .get(0);
    List<Sampler.Sample> direct = sampler.sample("b", 4, 0.9, 0, 10, new Random(3));
    assertThat(viaOrders).isEqualTo(direct);
    for (Sampler.Sample sample : direct) {
      assertThat(sample.ended() || sample.text().length() == 10).isTrue();
    }
  }
}
