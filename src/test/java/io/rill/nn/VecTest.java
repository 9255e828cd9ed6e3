package io.rill.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A view must keep its array reachable: ND4J frees an unreachable array's native memory, and writes through a view
 * of it would then corrupt the C heap (a node training with dropout died of "malloc(): invalid size" that way).
 */
class VecTest {

  @Test
  void aViewKeepsItsArrayAliveWhenNothingElseHoldsIt() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray array = Nd4j.zeros(type, 64, 32);
      WeakReference<INDArray> reference = new WeakReference<>(array);
      Vec view = Vec.of(array);
      array = null;
      for (int i = 0; i < 5 && reference.get() != null; i++) {
        System.gc();
      }
      assertThat(reference.get()).as("%s array behind a live view", type).isNotNull();
      view.set(view.length() - 1, 3.0);
      assertThat(view.get(view.length() - 1)).isEqualTo(3.0);
    }
  }

  @Test
  void theControlAnArrayHeldByNothingIsCollected() {
    // Without this, the test above could pass because System.gc() collects nothing on this JVM.
    WeakReference<INDArray> reference = new WeakReference<>(Nd4j.zeros(DataType.FLOAT, 64, 32));
    for (int i = 0; i < 5 && reference.get() != null; i++) {
      System.gc();
    }
    assertThat(reference.get()).isNull();
  }
}
