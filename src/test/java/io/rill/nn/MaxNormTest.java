package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MaxNormTest {

  private static INDArray matrix(int rows, int columns, double... values) {
    INDArray array = Nd4j.zeros(DataType.FLOAT, rows, columns);
    Vec vec = Vec.of(array);
    for (int i = 0; i < values.length; i++) {
      vec.set(i, values[i]);
    }
    return array;
  }

  @Test
  void rowsLongerThanTheBoundAreRescaledToItAndTheOthersLeftAlone() {
    // Row norms 5, 1 and 3: with c = 3 only the first is rescaled, keeping its direction.
    INDArray weights = matrix(3, 2, 3, 4, 0.6, 0.8, 0, 3);
    assertThat(MaxNorm.apply(weights, Tensors.Axis.ROWS, 3)).isEqualTo(1);
    assertThat(weights.getDouble(0, 0)).isCloseTo(1.8, within(1e-6));
    assertThat(weights.getDouble(0, 1)).isCloseTo(2.4, within(1e-6));
    assertThat(weights.getRow(0).norm2Number().doubleValue()).isCloseTo(3, within(1e-6));
    assertThat(weights.getDouble(1, 0)).isCloseTo(0.6, within(1e-7));
    assertThat(weights.getDouble(2, 1)).isEqualTo(3);
  }

  @Test
  void columnsAreTheVectorsWhenTheyHoldAClassEach() {
    // Columns (3, 4) and (1, 0): norms 5 and 1.
    INDArray weights = matrix(2, 2, 3, 1, 4, 0);
    assertThat(MaxNorm.apply(weights, Tensors.Axis.COLUMNS, 2.5)).isEqualTo(1);
    assertThat(weights.getDouble(0, 0)).isCloseTo(1.5, within(1e-6));
    assertThat(weights.getDouble(1, 0)).isCloseTo(2.0, within(1e-6));
    assertThat(weights.getDouble(0, 1)).isEqualTo(1);
    assertThatThrownBy(() -> MaxNorm.apply(weights, Tensors.Axis.ROWS, 0)).hasMessageContaining("positive");
  }
}
