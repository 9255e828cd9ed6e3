package io.rill.nn;

/**
 * The vanilla RNN cell: h_t = tanh([h_{t-1}, x_t] · W + b), so z has a single H-wide block.
 * Backward: dz = (dL/dh_t) ∗ (1 − h_t²).
 */
public final class RnnCell extends RecurrentCell {

  static final RnnCell INSTANCE = new RnnCell();

  private RnnCell() {
  }

  @Override
  public int gates() {
    return 1;
  }

  @Override
  public boolean hasCellState() {
    return false;
  }

  @Override
  void forward(LayerBuffers layer, int t, Vec bias, int fromRow, int toRow) {
    int hidden = layer.hidden;
    Vec z = layer.zVec;
    Vec hOut = layer.hVec;
    for (int b = fromRow; b < toRow; b++) {
      int row = t * layer.batch + b;
      int zRow = row * hidden;
      int hRow = (row + layer.batch) * hidden;
      for (int j = 0; j < hidden; j++) {
        double h = RecurrentCell.tanh(z.get(zRow + j) + bias.get(j));
        z.set(zRow + j, h);
        hOut.set(hRow + j, h);
      }
    }
  }

  @Override
  void backward(LayerBuffers layer, int t, int fromRow, int toRow) {
    int hidden = layer.hidden;
    boolean last = t == layer.steps - 1;
    Vec z = layer.zVec;
    Vec dz = layer.dzVec;
    Vec dOut = layer.dOutVec;
    Vec dhNext = layer.dhVec;
    for (int b = fromRow; b < toRow; b++) {
      int row = t * layer.batch + b;
      int zRow = row * hidden;
      int next = (row + layer.batch) * hidden;    // dL/dh_t from step t + 1 in dh
      for (int j = 0; j < hidden; j++) {
        double h = z.get(zRow + j);
        double dh = dOut.get(zRow + j) + (last ? 0.0 : dhNext.get(next + j));
        dz.set(zRow + j, dh * (1 - h * h));
      }
    }
  }
}
