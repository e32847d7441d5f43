package io.deltascope;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.tensor.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes small safetensors files for tests: name to (dtype, shape, values). */
public final class SafetensorsFiles {
  private SafetensorsFiles() {}

  /**
   * @param dtype "F32" or "BF16"
   * @param shape dimensions
   * @param values row-major values, rounded to the dtype when written
   */
  public record Tensor(String dtype, long[] shape, double[] values) {}

  public static Path write(Path file, Map<String, Tensor> tensors) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    long offset = 0;
    Map<String, byte[]> data = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      byte[] bytes = encode(t);
      ObjectNode node = header.putObject(e.getKey());
      node.put("dtype", t.dtype());
      var shape = node.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      var offsets = node.putArray("data_offsets");
      offsets.add(offset);
      offsets.add(offset + bytes.length);
      offset += bytes.length;
      data.put(e.getKey(), bytes);
    }
    byte[] head = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (head.length + 7) / 8 * 8;
    ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(head);
    for (int i = head.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    data.values().forEach(out::put);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, out.array());
    return file;
  }

  private static byte[] encode(Tensor t) {
    boolean bf16 = t.dtype().equals("BF16");
    ByteBuffer b =
        ByteBuffer.allocate(t.values().length * (bf16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : t.values()) {
      if (bf16) {
        b.putShort(HalfFloats.floatToBf16((float) v));
      } else {
        b.putFloat((float) v);
      }
    }
    return b.array();
  }
}
