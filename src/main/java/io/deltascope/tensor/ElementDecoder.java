package io.deltascope.tensor;

import java.nio.ByteBuffer;

/**
 * Decodes stored values to double. Works in whole storage blocks: {@code count} is a multiple of
 * the type's elements per block, {@code byteOffset} the start of a block.
 */
@FunctionalInterface
public interface ElementDecoder {

  /**
   * Decodes {@code count} values that start at {@code byteOffset} in the little-endian {@code src}
   * into {@code dst[dstOffset ...]}.
   */
  void decode(ByteBuffer src, int byteOffset, double[] dst, int dstOffset, int count);

  ElementDecoder F64 =
      (src, at, dst, off, n) -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = src.getDouble(at + 8 * i);
        }
      };

  ElementDecoder F32 =
      (src, at, dst, off, n) -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = src.getFloat(at + 4 * i);
        }
      };

  ElementDecoder F16 =
      (src, at, dst, off, n) -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = HalfFloats.f16ToFloat(src.getShort(at + 2 * i));
        }
      };

  ElementDecoder BF16 =
      (src, at, dst, off, n) -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = HalfFloats.bf16ToFloat(src.getShort(at + 2 * i));
        }
      };
}
