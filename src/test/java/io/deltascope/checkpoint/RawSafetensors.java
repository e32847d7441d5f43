package io.deltascope.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes safetensors files byte for byte as a test says, well-formed or not: a header text and a
 * data section, with the 8-byte length in front (or any length the test chooses).
 */
final class RawSafetensors {
  private RawSafetensors() {}

  static Path write(Path file, String header, byte[] data) {
    return write(file, header.getBytes(StandardCharsets.UTF_8).length, header, data);
  }

  static Path write(Path file, long declaredLength, String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(declaredLength).put(h).put(data);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.write(file, out.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Little-endian float32 bytes of {@code values}. */
  static byte[] f32(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
