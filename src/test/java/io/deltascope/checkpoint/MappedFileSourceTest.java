package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import org.junit.jupiter.api.Test;

class MappedFileSourceTest {
  private static final String FILE =
      Fixtures.model("llama-base").resolve("model.safetensors").toString();

  @Test
  void aSourceOutlivesAnInterruptThatClosedItsChannel() throws Exception {
    try (ByteSource source = Locations.open(FILE)) {
      long first = source.read(0, 8).getLong(0);
      Thread.currentThread().interrupt(); // as Spark interrupts the tasks of a failed job
      assertThatThrownBy(() -> source.read(0, 8)).isInstanceOf(ClosedByInterruptException.class);
      assertThat(Thread.interrupted()).isTrue();
      ByteBuffer again = source.read(0, 8);
      assertThat(again.getLong(0)).isEqualTo(first);
      source.release(again);
    }
  }

  @Test
  void aClosedSourceStaysClosed() throws Exception {
    ByteSource source = Locations.open(FILE);
    source.close();
    assertThatThrownBy(() -> source.read(0, 8))
        .isInstanceOf(java.nio.channels.ClosedChannelException.class);
  }
}
