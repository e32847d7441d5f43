package io.deltascope.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.TensorInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checkpoints for families without a fixture, made from a fixture's real weights: its tensors
 * copied byte for byte, a few added, and its config edited. A minimal safetensors writer.
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
    ObjectNode header = JSON.createObjectNode();
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", e.getValue().dtype());
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      var offsets = t.putArray("data_offsets");
      offsets.add(offset);
      offset += e.getValue().bytes().length;
      offsets.add(offset);
    }
    byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      len.putLong(padded);
      out.write(len.array());
      out.write(json);
      for (int i = json.length; i < padded; i++) {
        out.write(' ');
      }
      for (Tensor t : tensors.values()) {
        out.write(t.bytes());
      }
    }
  }
}
