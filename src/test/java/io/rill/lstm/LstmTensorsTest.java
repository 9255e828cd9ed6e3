package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rill.nn.Adam;
import io.rill.nn.CellType;
import io.rill.nn.Tensors;
import io.rill.state.StateFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The character model's view over a plain tensor set: a server that knows only {@link Tensors} grows, sends and
 * restores them, and a worker wraps what it receives without copying; a checkpoint of the format before the tensors
 * had names is refused saying so.
 */
class LstmTensorsTest {

  private final LstmConfig config = LstmConfig.lstm(4, 6);

  @Test
  void aWorkerWrapsThePlainTensorsItPulledWithoutCopying() throws IOException {
    LstmParams params = LstmParams.initialize(config, 5, 1);
    Tensors pulled = Tensors.fromWireBytes(params.tensors().toWireBytes());
    LstmParams wrapped = LstmParams.wrap(config, pulled);
    assertThat(wrapped.embedding()).isSameAs(pulled.get(LstmTensors.EMBEDDING));
    assertThat(wrapped.outputBias()).isSameAs(pulled.get(LstmTensors.OUTPUT_BIAS));
    assertThat(wrapped.vocabularySize()).isEqualTo(5);
    assertThat(StateFormat.toBytes(wrapped::writeTo)).isEqualTo(StateFormat.toBytes(params::writeTo));

    Tensors other = LstmParams.initialize(config.withLayers(2), 5, 1).tensors();
    assertThatThrownBy(() -> LstmParams.wrap(config, other)).hasMessageContaining("not the tensors of");
    assertThatThrownBy(() -> LstmGradients.wrap(config.withCell(CellType.RNN), pulled))
        .hasMessageContaining("not the tensors of");
  }

  @Test
  void aServerGrowingThePlainTensorsGrowsThemAsTheModelWould() {
    LstmParams model = LstmParams.initialize(config, 5, 1);
    Tensors plain = model.tensors().copy();
    model.growVocabulary(new Random(9));
    plain.grow(LstmTensors.VOCABULARY, 1, LstmParams.newCharacters(new Random(9)));
    assertThat(StateFormat.toBytes(plain::writeTo)).isEqualTo(StateFormat.toBytes(model.tensors()::writeTo));
    assertThat(LstmParams.wrap(config, plain).vocabularySize()).isEqualTo(6);
  }

  @Test
  void stateOfTheFormatBeforeNamedTensorsIsRefusedWithTheVersionsNamed() {
    LstmParams params = LstmParams.initialize(config, 5, 1);
    byte[] version1 = StateFormat.toBytes(params::writeTo);
    ByteBuffer.wrap(version1).putInt(0, 1);
    assertThatThrownBy(() -> LstmParams.readFrom(in(version1), config, 5)).isInstanceOf(IOException.class)
        .hasMessage("parameters: format version 1, this build reads version 2");
    byte[] adam1 = StateFormat.toBytes(new Adam(params.tensors())::writeTo);
    ByteBuffer.wrap(adam1).putInt(0, 1);
    assertThatThrownBy(() -> Adam.readFrom(in(adam1), params.tensors())).isInstanceOf(IOException.class)
        .hasMessage("Adam: format version 1, this build reads version 2");
  }

  private static DataInputStream in(byte[] bytes) {
    return new DataInputStream(new ByteArrayInputStream(bytes));
  }
}
