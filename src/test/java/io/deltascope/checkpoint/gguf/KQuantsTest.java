package io.deltascope.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Every block quantization dequantized bit-exact with llama.cpp's reference (gguf-py's numpy
 * dequantizers wrote kquants.dequantized.safetensors from the same blocks).
 */
class KQuantsTest {
  static final String GGUF = GgufFileTest.gguf("kquants.gguf").toString();
  static final String ORACLE = GgufFileTest.gguf("kquants.dequantized.safetensors").toString();

  @Test
  void everyTypeDequantizesBitExactlyToTheReferenceFloats() throws IOException {
    Checkpoint quantized = Checkpoint.open(GGUF);
    Checkpoint reference = Checkpoint.open(ORACLE);
    JsonNode oracle = Fixtures.json(GgufFileTest.gguf("kquants.gguf.json"));

    assertThat(quantized.names()).containsExactlyInAnyOrderElementsOf(reference.names());
    assertThat(quantized.names()).hasSize(10);
    for (JsonNode expected : oracle.get("tensors")) {
      String name = expected.get("name").asText();
      TensorInfo q = quantized.tensor(name);
      assertThat(q.dtype().name()).isEqualTo(expected.get("ggml_type").asText());
      assertThat(q.offset()).isEqualTo(expected.get("data_offset").asLong());
      assertThat(q.byteLength()).isEqualTo(expected.get("n_bytes").asLong());
      assertThat(q.shape()).isEqualTo(reference.tensor(name).shape());

      double[] got = values(q);
      double[] want = values(reference.tensor(name));
      double sum = 0;
      double sumSq = 0;
      for (int i = 0; i < want.length; i++) {
        float g = (float) got[i];
        assertThat(Float.floatToRawIntBits(g))
            .as("%s[%d]: %s vs %s", name, i, g, want[i])
            .isEqualTo(Float.floatToRawIntBits((float) want[i]));
        assertThat((double) g).isEqualTo(got[i]); // a float widened, nothing more
        sum += got[i];
        sumSq += got[i] * got[i];
      }
      assertThat(sum)
          .as(name + " sum")
          .isCloseTo(expected.get("sum").asDouble(), within(1e-9 * (1 + Math.abs(sum))));
      assertThat(sumSq)
          .as(name + " sum of squares")
          .isCloseTo(expected.get("sum_sq").asDouble(), within(1e-9 * sumSq));
    }
  }

  static double[] values(TensorInfo tensor) throws IOException {
    try (ByteSource source = Locations.open(tensor.file())) {
      double[] out = new double[Math.toIntExact(tensor.elementCount())];
      TensorReader reader = new TensorReader(source, tensor, tensor.elementCount());
      double[] chunk = new double[256];
      int at = 0;
      int n;
      while ((n = reader.read(chunk)) > 0) {
        System.arraycopy(chunk, 0, out, at, n);
        at += n;
      }
      assertThat(at).isEqualTo(out.length);
      return out;
    }
  }
}
