package io.rill.nn;

/** Which recurrent cell the layers use; each names its {@link RecurrentCell} implementation. */
public enum CellType {
  /** Long short-term memory: four gates (forget, input, candidate, output) and a cell state. */
  LSTM(LstmCell.INSTANCE),
  /** Vanilla (Elman) RNN: one tanh layer, no cell state. */
  RNN(RnnCell.INSTANCE);

  private final RecurrentCell cell;

  CellType(RecurrentCell cell) {
    this.cell = cell;
  }

  public RecurrentCell cell() {
    return cell;
  }

  /** The cell named {@code name} in configuration: "lstm" or "rnn". */
  public static CellType parse(String name) {
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "lstm" -> LSTM;
      case "rnn" -> RNN;
      default -> throw new IllegalArgumentException("cell must be \"lstm\" or \"rnn\", not \"" + name + "\"");
    };
  }
}
