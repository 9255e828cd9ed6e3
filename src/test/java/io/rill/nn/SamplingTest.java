package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplingTest {

  @Test
  void temperatureZeroIsGreedyAndTopKRestrictsTheDraws() {
    double[] logits = {0.1, 2.0, 1.5, -1.0};
    Random random = new Random(3);
    assertThat(Sampling.draw(logits, 0, 0, random)).isEqualTo(1);
    assertThat(Sampling.argmax(new double[] {1, 3, 3})).isEqualTo(1);
    int[] counts = new int[4];
    for (int i = 0; i < 2000; i++) {
      counts[Sampling.draw(logits, 1.0, 2, random)]++;
    }
    assertThat(counts[0] + counts[3]).isZero();
    // softmax over {2.0, 1.5}: 0.622 and 0.378
    assertThat(counts[1] / 2000.0).isBetween(0.58, 0.66);
  }

  @Test
  void temperatureFlattensOrSharpensTheDistribution() {
    double[] logits = {0, 1};
    Random random = new Random(5);
    int hot = 0;
    int cold = 0;
    for (int i = 0; i < 4000; i++) {
      hot += Sampling.draw(logits, 100, 0, random);
      cold += Sampling.draw(logits, 0.1, 0, random);
    }
    assertThat(hot / 4000.0).isBetween(0.46, 0.54); // nearly uniform
    assertThat(cold / 4000.0).isGreaterThan(0.99);  // e^10 : 1
  }
}
