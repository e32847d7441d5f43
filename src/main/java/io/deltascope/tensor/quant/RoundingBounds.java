package io.deltascope.tensor.quant;

import io.deltascope.tensor.ElementDecoder;
import java.nio.ByteBuffer;

/**
 * For ggml's block types, the most any value can have moved when llama.cpp's quantizer stored it in
 * this block: written per element, in {@link ElementDecoder}'s shape, from the same bytes {@link
 * GgmlDecoders} decodes.
 *
 * <p>Legacy types ({@code quantize_row_*_ref}, gguf-py's numpy twins): a value x is stored as q =
 * round(x / d) (clamped at the top code for the signed types, where rounding can miss by a whole
 * step), so |x - q d| <= d / 2; d is stored as float16, so dequantizing with it adds |q| times half
 * a float16 step of d (and half a step of the Q4_1/Q5_1 offset m).
 *
 * <p>K-quants (Q2_K to Q6_K, both llama.cpp's {@code quantize_row_*_K_ref} and the importance
 * matrix {@code quantize_row_*_K_impl}): the scales are searched, but after the search every
 * sub-block's d = fp16(d) * sc (and dm = fp16(dmin) * m) is taken from the stored bytes and every
 * code recomputed as q = nearest_int((x + dm) / d) (Q2_K, Q4_K, Q5_K) or nearest_int(x / d) (Q3_K,
 * Q6_K), clamped to the code range. So |x - (q d - dm)| <= |d| / 2, plus float32 arithmetic's last
 * bits, for every code strictly inside the range. At the range's end codes (0 and the top code of
 * the unsigned types, -4 and 3 for Q3_K, -32 and 31 for Q6_K) the clamp may have cut x off
 * arbitrarily far beyond, and a sub-block whose d is 0 is skipped by the quantizer (its codes are
 * the search's): those values get no bound (+Infinity; the shape is symmetric, so one-sided bounds
 * cannot be written).
 */
public final class RoundingBounds {
  private RoundingBounds() {}

  private static final int QK = GgmlDecoders.QK;
  private static final int QK_K = GgmlDecoders.QK_K;

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

  /** Q2_K: 16 groups of 16, d = fp16(d) * (scale & 15), dm = fp16(dmin) * (scale >> 4), q 0-3. */
  public static final ElementDecoder Q2_K =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK_K; b++) {
          int p = at + b * 84;
          float d = f16(src, p + 80);
          float dmin = f16(src, p + 82);
          for (int e = 0; e < QK_K; e++) {
            int sc = src.get(p + (e >>> 4)) & 0xff;
            float dl = d * (float) (sc & 0x0f);
            float ml = dmin * (float) (sc >>> 4);
            dst[off + b * QK_K + e] = nearest(GgmlDecoders.q2k(src, p, e), 0, 3, dl, ml);
          }
        }
      };

  /** Q3_K: 16 groups of 16, d = fp16(d) * (6-bit scale - 32), q -4 to 3. */
  public static final ElementDecoder Q3_K =
      groupsOf16(110, GgmlDecoders::q3kScales, GgmlDecoders::q3k, -4, 3);

  /** Q4_K: 8 groups of 32, 6-bit scales and mins, q 0-15. */
  public static final ElementDecoder Q4_K = scalesAndMins(144, 15);

  /** Q5_K: Q4_K's groups, q 0-31. */
  public static final ElementDecoder Q5_K = scalesAndMins(176, 31);

  /** Q6_K: 16 groups of 16, d = fp16(d) * int8 scale, q -32 to 31. */
  public static final ElementDecoder Q6_K =
      groupsOf16(210, GgmlDecoders::q6kScales, GgmlDecoders::q6k, -32, 31);

  /**
   * A signed type of 16 groups of 16 values a block ({@code blockBytes} each): each group's d from
   * {@code scales}, codes from {@code codes} in [lo, hi].
   */
  private static ElementDecoder groupsOf16(
      int blockBytes, GroupScales scales, Codes codes, int lo, int hi) {
    return (src, at, dst, off, n) -> {
      float[] dl = new float[16];
      for (int b = 0; b < n / QK_K; b++) {
        int p = at + b * blockBytes;
        scales.read(src, p, dl);
        for (int e = 0; e < QK_K; e++) {
          dst[off + b * QK_K + e] = nearest(codes.code(src, p, e), lo, hi, dl[e >>> 4], 0);
        }
      }
    };
  }

  /** Reads a block's 16 group scales (d times the group's scale) into {@code dl}. */
  private interface GroupScales {
    void read(ByteBuffer src, int block, float[] dl);
  }

  /** The code of element {@code e} of the block at {@code block}. */
  private interface Codes {
    int code(ByteBuffer src, int block, int e);
  }

  /** Q4_K (top code 15, 144-byte blocks) or Q5_K (31, 176). */
  private static ElementDecoder scalesAndMins(int blockBytes, int top) {
    return (src, at, dst, off, n) -> {
      float[] scale = new float[8];
      float[] min = new float[8];
      for (int b = 0; b < n / QK_K; b++) {
        int p = at + b * blockBytes;
        GgmlDecoders.scalesAndMins(src, p, scale, min);
        for (int e = 0; e < QK_K; e++) {
          int q = top == 15 ? GgmlDecoders.q4k(src, p, e) : GgmlDecoders.q5k(src, p, e);
          dst[off + b * QK_K + e] = nearest(q, 0, top, scale[e >>> 5], min[e >>> 5]);
        }
      }
    };
  }

  /**
   * A k-quant code {@code q} rounded to nearest with group scale d and offset dm: half a step of d,
   * plus float32's last bits of (x + dm) / d and of q d - dm; none at the clamped ends {@code lo}
   * and {@code hi} or where d is 0.
   */
  static double nearest(int q, int lo, int hi, float d, float dm) {
    if (d == 0 || q == lo || q == hi) {
      return Double.POSITIVE_INFINITY;
    }
    double ad = Math.abs(d);
    return 0.5 * ad + 0x1p-20 * (Math.max(-lo, hi) * ad + Math.abs(dm)) + 0x1p-140;
  }

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
