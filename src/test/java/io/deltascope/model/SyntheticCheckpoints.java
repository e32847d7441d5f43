package io.deltascope.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.SafetensorsWriter;
import io.deltascope.checkpoint.Shape;
import io.deltascope.checkpoint.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checkpoints for families without a fixture, made from a fixture's real weights: its tensors
 * copied byte for byte, a few added, and its config edited.
 */
final class SyntheticCheckpoints {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SyntheticCheckpoints() {}

  /** A tensor to write: safetensors dtype name, shape, little-endian bytes. */
  record Tensor(String dtype, long[] shape, byte[] bytes) {
    static Tensor f32(long[] shape, float[] values) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        b.putFloat(v);
      }
      return new Tensor("F32", shape, b.array());
    }
  }

  /**
   * Copies {@code source} (a fixture folder) into {@code dir}: its tensors plus {@code extra}, its
   * tokenizer, and its config edited by {@code editConfig}.
   */
  static Path derive(
      Path source, Path dir, Map<String, Tensor> extra, Consumer<ObjectNode> editConfig) {
    try {
      Files.createDirectories(dir);
      Checkpoint checkpoint = Checkpoint.open(source.toString());
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (TensorInfo t : checkpoint.tensors().values()) {
        try (ByteSource src = Locations.open(t.file())) {
          ByteBuffer buf = src.read(t.offset(), (int) t.byteLength());
          byte[] bytes = new byte[(int) t.byteLength()];
          buf.get(bytes);
          src.release(buf);
          tensors.put(t.name(), new Tensor(t.dtype().name(), t.shape().dims(), bytes));
        }
      }
      tensors.putAll(extra);
      write(dir.resolve("model.safetensors"), tensors);
      ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
      editConfig.accept(config);
      Files.writeString(dir.resolve("config.json"), config.toPrettyString());
      Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    List<SafetensorsWriter.Entry> entries = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      entries.add(
          new SafetensorsWriter.Entry(
              e.getKey(),
              DType.fromSafetensors(e.getValue().dtype()),
              Shape.of(e.getValue().shape())));
    }
    try (SafetensorsWriter out = SafetensorsWriter.create(file, entries, Map.of())) {
      for (Tensor t : tensors.values()) {
        out.write(ByteBuffer.wrap(t.bytes()));
      }
    }
  }
}
