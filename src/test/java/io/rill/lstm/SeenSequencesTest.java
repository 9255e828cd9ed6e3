package io.rill.lstm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SeenSequencesTest {

  private static final int EXPECTED = 100_000;

  @Test
  void nothingAddedIsEverMissedAndFreshSequencesAreFalsePositivesAtAboutTheConfiguredRate() {
    SeenSequences seen = new SeenSequences(EXPECTED, 0.01);
    for (int i = 0; i < EXPECTED; i++) {
      seen.add("name-" + i);
    }
    for (int i = 0; i < EXPECTED; i++) {
      assertThat(seen.mightContain("name-" + i)).as("name-%d", i).isTrue();
    }
    double measured = falsePositiveRate(seen);
    assertThat(measured).isBetween(0.005, 0.02);
    assertThat(seen.expectedFalsePositiveRate()).isCloseTo(0.01, within(0.002));
    assertThat(seen.expectedFalsePositiveRate()).isBetween(measured / 1.5, measured * 1.5);
    // Only adds that set no bit (new names that were already false positives) go uncounted.
    assertThat(seen.count()).isBetween((long) (EXPECTED * 0.98), (long) EXPECTED);
  }

  @Test
  void theEstimateTracksTheRateBeyondCapacity() {
    SeenSequences seen = new SeenSequences(EXPECTED, 0.01);
    for (int i = 0; i < 2 * EXPECTED; i++) {
      seen.add("over-" + i);
    }
    double measured = falsePositiveRate(seen);
    assertThat(measured).isGreaterThan(0.1);
    assertThat(seen.expectedFalsePositiveRate()).isBetween(measured / 1.3, measured * 1.3);
  }

  @Test
  void aRepeatedAddIsNotCountedAgain() {
    SeenSequences seen = new SeenSequences(1_000, 0.01);
    assertThat(seen.mightContain("Mara")).isFalse();
    assertThat(seen.add("Mara")).isTrue();
    assertThat(seen.add("Mara")).isFalse();
    assertThat(seen.count()).isEqualTo(1);
    assertThat(seen.mightContain("Mara")).isTrue();
    assertThat(seen.mightContain("Mar")).isFalse();
    assertThat(seen.mightContain("Mara ")).isFalse();
  }

  @Test
  void nonAsciiSequencesAreDistinct() {
    SeenSequences seen = new SeenSequences(1_000, 0.001);
    seen.add("Zoë");
    seen.add("名");
    assertThat(seen.mightContain("Zoë")).isTrue();
    assertThat(seen.mightContain("名")).isTrue();
    assertThat(seen.mightContain("Zoe")).isFalse();
    assertThat(seen.mightContain("")).isFalse();
  }

  @Test
  void sizingFollowsTheFormula() {
    SeenSequences seen = new SeenSequences(1_000_000, 0.01);
    assertThat(seen.bits()).isBetween(9_585_058L, 9_585_058L + 64);
    assertThat(seen.hashes()).isEqualTo(7);
    assertThat(seen.bytes()).isBetween(1_190_000L, 1_200_000L);
    assertThat(seen.expectedFalsePositiveRate()).isZero();
  }

  @Test
  void theBitCountIsCapped() {
    // Sized without allocating: the filter itself would take 256 MiB.
    assertThat(SeenSequences.bitsFor(1_000_000_000L, 0.01)).isEqualTo(SeenSequences.MAX_BITS);
    assertThat(SeenSequences.bitsFor(1, 0.5)).isEqualTo(64);
  }

  @Test
  void nonsenseSizesAreRefused() {
    assertThatThrownBy(() -> new SeenSequences(0, 0.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SeenSequences(10, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SeenSequences(10, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SeenSequences(10, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  private static double falsePositiveRate(SeenSequences seen) {
    int falsePositives = 0;
    for (int i = 0; i < EXPECTED; i++) {
      if (seen.mightContain("fresh-" + i)) {
        falsePositives++;
      }
    }
    return (double) falsePositives / EXPECTED;
  }
}
