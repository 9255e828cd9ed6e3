package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FloatVectorsTest {

  @Test
  void dotAxpyAndScaleHandleOffsetsAndTails() {
    float[] x = {9, 1, 2, 3, 4, 5, 6, 7};
    float[] y = {1, 1, 1, 1, 1, 1, 2, 2};
    assertThat(FloatVectors.dot(x, 1, y, 0, 7)).isEqualTo(1 + 2 + 3 + 4 + 5 + 6 + 14f);
    FloatVectors.axpy(2f, x, 1, y, 1, 3);
    assertThat(y).containsExactly(1, 3, 5, 7, 1, 1, 2, 2);
    FloatVectors.scale(0.5f, y, 2, 5);
    assertThat(y).containsExactly(1, 3, 2.5f, 3.5f, 0.5f, 0.5f, 1, 2);
  }
}
