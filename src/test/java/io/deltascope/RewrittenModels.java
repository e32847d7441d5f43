package io.deltascope;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.SafetensorsWriter;
import io.deltascope.checkpoint.TensorInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fixture model (single-file, BF16 or F32) written again with the project's {@link
 * SafetensorsWriter}: retyped, or with a NaN planted; config and tokenizer files copied alongside.
 */
public final class RewrittenModels {
  private RewrittenModels() {}

  /**
   * {@code model} with every tensor stored as {@code to} (BF16 to F32 exact, F32 to BF16 rounded).
   */
  public static Path retyped(String model, DType to, Path dir) throws IOException {
    return rewrite(model, dir.resolve(model + "-" + to), to, null);
  }

  /** {@code model} with the first element of {@code tensor} set to NaN. */
  public static Path withNan(String model, String tensor, Path dir) throws IOException {
    return rewrite(model, dir.resolve(model + "-nan"), null, tensor);
  }

  private static Path rewrite(String model, Path out, DType to, String nanIn) throws IOException {
    Path source = Fixtures.model(model);
    Files.createDirectories(out);
    try (Stream<Path> files = Files.list(source)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().endsWith(".safetensors")) {
          Files.copy(f, out.resolve(f.getFileName()));
        }
      }
    }
    Checkpoint c = Checkpoint.open(source.toString());
    List<TensorInfo> tensors = new ArrayList<>(c.tensors().values());
    List<SafetensorsWriter.Entry> entries = new ArrayList<>();
    tensors.forEach(
        t ->
            entries.add(
                new SafetensorsWriter.Entry(t.name(), to == null ? t.dtype() : to, t.shape())));
    try (SafetensorsWriter w =
            SafetensorsWriter.create(out.resolve("model.safetensors"), entries, Map.of());
        RandomAccessFile in = new RandomAccessFile(tensors.get(0).file(), "r")) {
      for (TensorInfo t : tensors) {
        byte[] bytes = new byte[(int) t.byteLength()];
        in.seek(t.offset());
        in.readFully(bytes);
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (t.name().equals(nanIn)) {
          plantNan(data, t.dtype());
        }
        w.write(to == null ? data : convert(data, t.dtype(), to));
      }
    }
    return out;
  }

  private static void plantNan(ByteBuffer data, DType dtype) {
    switch (dtype) {
      case F32 -> data.putFloat(0, Float.NaN);
      case BF16 -> data.putShort(0, (short) 0x7fc0);
      default -> throw new IllegalArgumentException("cannot plant a NaN in " + dtype);
    }
  }

  /** BF16 to F32 exactly, or F32 to BF16 rounded to nearest even. */
  private static ByteBuffer convert(ByteBuffer in, DType from, DType to) {
    int n = in.remaining() / (from == DType.F32 ? 4 : 2);
    ByteBuffer out =
        ByteBuffer.allocate(n * (to == DType.F32 ? 4 : 2)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      if (from == DType.BF16 && to == DType.F32) {
        out.putInt((in.getShort() & 0xffff) << 16);
      } else if (from == DType.F32 && to == DType.BF16) {
        int bits = in.getInt();
        out.putShort((short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16));
      } else {
        throw new IllegalArgumentException(from + " -> " + to);
      }
    }
    return out.flip();
  }
}
