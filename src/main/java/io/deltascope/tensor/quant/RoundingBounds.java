package io.deltascope.tensor.quant;

import io.deltascope.tensor.ElementDecoder;
import java.nio.ByteBuffer;

/**
 * For ggml's legacy block types, the most any value can have moved when llama.cpp's reference
 * quantizer ({@code quantize_row_*_ref}, gguf-py's numpy twins) stored it in this block: written
 * per element, in {@link ElementDecoder}'s shape, from the same bytes {@link GgmlDecoders} decodes.
 * A value x is stored as q = round(x / d) (clamped at the top code for the signed types, where
 * rounding can miss by a whole step), so |x - q d| <= d / 2; d is stored as float16, so
 * dequantizing with it adds |q| times half a float16 step of d (and half a step of the Q4_1/Q5_1
 * offset m). The k-quants search their scales, so a value may sit beyond half a step: they have no
 * bound here.
 */
public final class RoundingBounds {
  private RoundingBounds() {}

  private static final int QK = GgmlDecoders.QK;

  /** Q8_0: d = max |x| / 127, q in [-127, 127]. */
  public static final ElementDecoder Q8_0 = halfStep(34, 127, false);

  /** Q4_0: d = -max / 8, q = min(15, x / d + 8.5): the top code 15 takes up to a whole step. */
  public static final ElementDecoder Q4_0 =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK; b++) {
          int p = at + b * 18;
          float d = f16(src, p);
          for (int j = 0; j < QK; j++) {
            dst[off + b * QK + j] = bound(GgmlDecoders.q4(src, p + 2, j) == 15 ? 1 : 0.5, d, 8, 0);
          }
        }
      };

  /** Q4_1: d = (max - min) / 15, m = min, q in [0, 15]. */
  public static final ElementDecoder Q4_1 = halfStep(20, 15, true);

  /** Q5_0: d = -max / 16, q = min(31, x / d + 16.5): the top code 31 takes up to a whole step. */
  public static final ElementDecoder Q5_0 =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK; b++) {
          int p = at + b * 22;
          float d = f16(src, p);
          int qh = src.getInt(p + 2);
          for (int j = 0; j < QK; j++) {
            int q = GgmlDecoders.q4(src, p + 6, j) | (((qh >>> j) & 1) << 4);
            dst[off + b * QK + j] = bound(q == 31 ? 1 : 0.5, d, 16, 0);
          }
        }
      };

  /** Q5_1: d = (max - min) / 31, m = min, q in [0, 31]. */
  public static final ElementDecoder Q5_1 = halfStep(24, 31, true);

  /**
   * A type that rounds every code by at most half a step: blocks of {@code blockBytes} starting
   * with d (then m when {@code offset}), codes up to {@code maxQ} in magnitude.
   */
  private static ElementDecoder halfStep(int blockBytes, int maxQ, boolean offset) {
    return (src, at, dst, off, n) -> {
      for (int b = 0; b < n / QK; b++) {
        int p = at + b * blockBytes;
        double e = bound(0.5, f16(src, p), maxQ, offset ? f16(src, p + 2) : 0);
        java.util.Arrays.fill(dst, off + b * QK, off + (b + 1) * QK, e);
      }
    };
  }

  /**
   * {@code steps} steps of |d|, plus what storing d (times the largest |q|) and m as float16 moves
   * a value, plus float32 arithmetic's last bits.
   */
  static double bound(double steps, float d, int maxQ, float m) {
    double ad = Math.abs(d);
    return steps * ad + maxQ * halfStep16(ad) + halfStep16(Math.abs(m)) + 0x1p-20 * ad;
  }

  /** At most half a float16 step at {@code v}: 2^-11 of it, 2^-25 among the subnormals. */
  static double halfStep16(double v) {
    return Math.max(v * 0x1p-11, 0x1p-25);
  }

  private static float f16(ByteBuffer src, int at) {
    return GgmlDecoders.f16(src, at);
  }
}
