package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.checkpoint.SafetensorsWriter.Entry;
import io.deltascope.tensor.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  // Values every type holds exactly: the read-back must return them unchanged.
  private static final double[] VALUES = {0.0, -1.5, 0.25, 3.0, -0.0078125, 96.0};

  private static final List<Entry> TENSORS =
      List.of(
          new Entry("a.bf16", DType.BF16, Shape.of(2, 3)),
          new Entry("b.f16", DType.F16, Shape.of(3, 2)),
          new Entry("c.f32", DType.F32, Shape.of(6)),
          new Entry("d.scalar", DType.F32, Shape.of()));

  @Test
  void aWrittenFileReadsBackWithTheSameNamesShapesDtypesAndValues() throws IOException {
    Path file = dir.resolve("model.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(file, TENSORS, Map.of("format", "pt"))) {
      for (Entry e : TENSORS) {
        w.write(encode(e.dtype(), e.shape().elementCount()));
      }
    }

    SafetensorsFile read = SafetensorsFile.read(file.toString());

    assertThat(read.metadata()).containsEntry("format", "pt");
    assertThat(read.tensors())
        .extracting(TensorInfo::name)
        .containsExactly("a.bf16", "b.f16", "c.f32", "d.scalar");
    for (int i = 0; i < TENSORS.size(); i++) {
      TensorInfo t = read.tensors().get(i);
      assertThat(t.dtype()).isEqualTo(TENSORS.get(i).dtype());
      assertThat(t.shape()).isEqualTo(TENSORS.get(i).shape());
      assertThat(values(t)).containsExactly(expected(t.elementCount()));
    }
  }

  @Test
  void theHeaderIsPaddedWithSpacesToAMultipleOfEightBytes() throws IOException {
    Path file = dir.resolve("model.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(file, TENSORS.subList(3, 4), Map.of())) {
      w.write(encode(DType.F32, 1));
    }
    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    String header =
        new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);

    assertThat(headerLength % 8).isZero();
    assertThat(bytes).hasSize((int) (8 + headerLength + 4));
    assertThat(header).startsWith("{\"__metadata__\":{}");
    assertThat(header.stripTrailing()).endsWith("}");
    assertThat(header.substring(header.stripTrailing().length())).matches(" *");
  }

  @Test
  void aShardedCheckpointOpensWithItsIndexConfigAndEveryTensor() throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      entries.add(new Entry("layer." + i + ".weight", DType.BF16, Shape.of(4, 3))); // 24 bytes
    }
    Path folder = dir.resolve("ckpt");
    String config = "{\"model_type\": \"llama\", \"num_hidden_layers\": 5, \"hidden_size\": 3}";
    // two tensors (48 bytes) per shard: three shards, the last with one tensor
    try (CheckpointWriter w = CheckpointWriter.create(folder, entries, 50, config)) {
      for (Entry e : entries) {
        w.write(encode(e.dtype(), e.shape().elementCount()));
      }
    }

    Checkpoint checkpoint = Checkpoint.open(folder.toString());
    JsonNode index = JSON.readTree(folder.resolve(Checkpoint.INDEX_FILE).toFile());

    assertThat(checkpoint.files())
        .extracting(f -> Path.of(f).getFileName().toString())
        .containsExactly(
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors");
    assertThat(index.at("/metadata/total_size").asLong()).isEqualTo(5 * 24);
    assertThat(index.at("/weight_map/layer.4.weight").asText())
        .isEqualTo("model-00003-of-00003.safetensors");
    assertThat(checkpoint.config().numLayers()).isEqualTo(5);
    assertThat(checkpoint.metadata()).containsEntry("format", "pt");
    assertThat(checkpoint.names()).hasSize(5);
    for (TensorInfo t : checkpoint.tensors().values()) {
      assertThat(t.shape()).isEqualTo(Shape.of(4, 3));
      assertThat(values(t)).containsExactly(expected(12));
    }
  }

  @Test
  void oneShardIsWrittenAsModelSafetensorsWithoutAnIndex() throws IOException {
    Path folder = dir.resolve("single");
    try (CheckpointWriter w = CheckpointWriter.create(folder, TENSORS, 1L << 30, "{}")) {
      for (Entry e : TENSORS) {
        w.write(encode(e.dtype(), e.shape().elementCount()));
      }
    }
    assertThat(folder.resolve(Checkpoint.SINGLE_FILE)).exists();
    assertThat(folder.resolve(Checkpoint.INDEX_FILE)).doesNotExist();
    assertThat(Checkpoint.open(folder.toString()).names()).hasSize(4);
  }

  @Test
  void writingMoreThanTheDeclaredTensorsHoldFails() throws IOException {
    Path file = dir.resolve("over.safetensors");
    SafetensorsWriter w = SafetensorsWriter.create(file, TENSORS.subList(3, 4), Map.of());
    assertThatThrownBy(() -> w.write(ByteBuffer.allocate(8)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("4 more bytes written than the 4");
    w.write(encode(DType.F32, 1));
    w.close();
  }

  @Test
  void closingBeforeEveryTensorIsWrittenFails() throws IOException {
    Path file = dir.resolve("short.safetensors");
    SafetensorsWriter w = SafetensorsWriter.create(file, TENSORS, Map.of());
    w.write(encode(DType.BF16, 6));
    assertThatThrownBy(w::close)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed after 12 of the 52 data bytes");
  }

  private static double[] expected(long n) {
    double[] out = new double[(int) n];
    for (int i = 0; i < n; i++) {
      out[i] = VALUES[i % VALUES.length];
    }
    return out;
  }

  private static ByteBuffer encode(DType dtype, long n) {
    ByteBuffer out = ByteBuffer.allocate((int) dtype.byteLength(n)).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : expected(n)) {
      switch (dtype) {
        case BF16 -> out.putShort(HalfFloats.floatToBf16((float) v));
        case F16 -> out.putShort(HalfFloats.floatToF16((float) v));
        case F32 -> out.putFloat((float) v);
        default -> throw new IllegalArgumentException(dtype.name());
      }
    }
    return out.flip();
  }

  private static double[] values(TensorInfo t) throws IOException {
    try (ByteSource source = Locations.open(t.file())) {
      double[] out = new double[(int) t.elementCount()];
      new TensorReader(source, t, t.elementCount()).read(out);
      return out;
    }
  }
}
