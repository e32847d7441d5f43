package io.deltascope.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes stored values to double. Works in whole storage blocks: {@code count} is a multiple of
 * the type's elements per block, {@code byteOffset} the start of a block.
 *
 * <p>The plain types copy their bytes in bulk into a primitive array first (a memory copy), then
 * widen in a loop over arrays: several times faster than one {@code ByteBuffer.getShort} per value.
 */
@FunctionalInterface
public interface ElementDecoder {

  /**
   * Decodes {@code count} values that start at {@code byteOffset} in the little-endian {@code src}
   * into {@code dst[dstOffset ...]}.
   */
  void decode(ByteBuffer src, int byteOffset, double[] dst, int dstOffset, int count);

  ElementDecoder F64 =
      (src, at, dst, off, n) -> littleEndian(src, at, 8 * n).asDoubleBuffer().get(dst, off, n);

  ElementDecoder F32 =
      (src, at, dst, off, n) -> {
        float[] raw = Scratch.floats(src, at, n);
        for (int i = 0; i < n; i++) {
          dst[off + i] = raw[i];
        }
      };

  ElementDecoder F16 =
      (src, at, dst, off, n) -> {
        short[] raw = Scratch.shorts(src, at, n);
        for (int i = 0; i < n; i++) {
          dst[off + i] = HalfFloats.f16ToFloat(raw[i]);
        }
      };

  ElementDecoder BF16 =
      (src, at, dst, off, n) -> {
        short[] raw = Scratch.shorts(src, at, n);
        for (int i = 0; i < n; i++) {
          dst[off + i] = HalfFloats.bf16ToFloat(raw[i]);
        }
      };

  /** {@code length} bytes of {@code src} from {@code at}, as a little-endian buffer of its own. */
  static ByteBuffer littleEndian(ByteBuffer src, int at, int length) {
    return src.slice(at, length).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Per-thread arrays the bulk copies land in (decoders are shared constants). */
  final class Scratch {
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
    private short[] shorts = new short[0];
    private float[] floats = new float[0];

    private Scratch() {}

    /** {@code n} little-endian 16-bit values of {@code src} from {@code at}. */
    static short[] shorts(ByteBuffer src, int at, int n) {
      Scratch scratch = LOCAL.get();
      if (scratch.shorts.length < n) {
        scratch.shorts = new short[n];
      }
      littleEndian(src, at, 2 * n).asShortBuffer().get(scratch.shorts, 0, n);
      return scratch.shorts;
    }

    /** {@code n} little-endian 32-bit floats of {@code src} from {@code at}. */
    static float[] floats(ByteBuffer src, int at, int n) {
      Scratch scratch = LOCAL.get();
      if (scratch.floats.length < n) {
        scratch.floats = new float[n];
      }
      littleEndian(src, at, 4 * n).asFloatBuffer().get(scratch.floats, 0, n);
      return scratch.floats;
    }
  }
}
