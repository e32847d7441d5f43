package io.deltascope.tensor.quant;

import io.deltascope.tensor.ElementDecoder;
import io.deltascope.tensor.HalfFloats;
import java.nio.ByteBuffer;

/**
 * ggml's block quantizations decoded to values, bit-exact with llama.cpp's reference dequantizers
 * ({@code dequantize_row_*} in ggml-quants.c, mirrored by gguf-py's numpy {@code quants.py}): every
 * product and sum is formed in float32 in the same order, then widened to double.
 *
 * <p>Each decoder works on whole blocks: {@code count} is a multiple of the block's elements and
 * {@code byteOffset} the start of a block. Block layouts (bytes, in order):
 *
 * <ul>
 *   <li>Q4_0 (32 values, 18 bytes): d f16, qs[16] nibbles; x = d * (q - 8)
 *   <li>Q4_1 (32, 20): d, m f16, qs[16]; x = d * q + m
 *   <li>Q5_0 (32, 22): d, qh u32 (5th bits), qs[16]; x = d * (q - 16)
 *   <li>Q5_1 (32, 24): d, m, qh, qs[16]; x = d * q + m
 *   <li>Q8_0 (32, 34): d, qs[32] int8; x = d * q
 *   <li>Q2_K (256, 84): scales[16] (4-bit scale, 4-bit min), qs[64] 2-bit, d, dmin
 *   <li>Q3_K (256, 110): hmask[32], qs[64] 2-bit, scales[12] (16 6-bit), d
 *   <li>Q4_K (256, 144): d, dmin, scales[12] (8 6-bit scales and mins), qs[128] nibbles
 *   <li>Q5_K (256, 176): d, dmin, scales[12], qh[32], qs[128]
 *   <li>Q6_K (256, 210): ql[128], qh[64], scales[16] int8, d
 * </ul>
 */
public final class GgmlDecoders {
  private GgmlDecoders() {}

  public static final int QK = 32;
  public static final int QK_K = 256;

  public static final ElementDecoder Q4_0 =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK; b++) {
          int p = at + b * 18;
          int o = off + b * QK;
          float d = f16(src, p);
          for (int j = 0; j < 16; j++) {
            int q = src.get(p + 2 + j) & 0xff;
            dst[o + j] = d * (float) ((q & 0x0f) - 8);
            dst[o + j + 16] = d * (float) ((q >>> 4) - 8);
          }
        }
      };

  public static final ElementDecoder Q4_1 =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK; b++) {
          int p = at + b * 20;
          int o = off + b * QK;
          float d = f16(src, p);
          float m = f16(src, p + 2);
          for (int j = 0; j < 16; j++) {
            int q = src.get(p + 4 + j) & 0xff;
            dst[o + j] = d * (float) (q & 0x0f) + m;
            dst[o + j + 16] = d * (float) (q >>> 4) + m;
          }
        }
      };

  public static final ElementDecoder Q5_0 =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK; b++) {
          int p = at + b * 22;
          int o = off + b * QK;
          float d = f16(src, p);
          int qh = src.getInt(p + 2);
          for (int j = 0; j < 16; j++) {
            int q = src.get(p + 6 + j) & 0xff;
            int lo = (q & 0x0f) | (((qh >>> j) & 1) << 4);
            int hi = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
            dst[o + j] = d * (float) (lo - 16);
            dst[o + j + 16] = d * (float) (hi - 16);
          }
        }
      };

  public static final ElementDecoder Q5_1 =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK; b++) {
          int p = at + b * 24;
          int o = off + b * QK;
          float d = f16(src, p);
          float m = f16(src, p + 2);
          int qh = src.getInt(p + 4);
          for (int j = 0; j < 16; j++) {
            int q = src.get(p + 8 + j) & 0xff;
            int lo = (q & 0x0f) | (((qh >>> j) & 1) << 4);
            int hi = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
            dst[o + j] = d * (float) lo + m;
            dst[o + j + 16] = d * (float) hi + m;
          }
        }
      };

  public static final ElementDecoder Q8_0 =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK; b++) {
          int p = at + b * 34;
          int o = off + b * QK;
          float d = f16(src, p);
          for (int j = 0; j < QK; j++) {
            dst[o + j] = d * (float) src.get(p + 2 + j);
          }
        }
      };

  /**
   * 16 groups of 16: group g scales by d * (scales[g] & 15) and subtracts dmin * (scales[g] >> 4).
   */
  public static final ElementDecoder Q2_K =
      (src, at, dst, off, n) -> {
        for (int b = 0; b < n / QK_K; b++) {
          int p = at + b * 84;
          int o = off + b * QK_K;
          float d = f16(src, p + 80);
          float dmin = f16(src, p + 82);
          for (int e = 0; e < QK_K; e++) {
            int q = q2k(src, p, e);
            int sc = src.get(p + (e >>> 4)) & 0xff;
            float dl = d * (float) (sc & 0x0f);
            float ml = dmin * (float) (sc >>> 4);
            dst[o + e] = dl * (float) q - ml;
          }
        }
      };

  /** 16 groups of 16 with 6-bit signed scales; the high bit (hmask) set means no -4 offset. */
  public static final ElementDecoder Q3_K =
      (src, at, dst, off, n) -> {
        float[] dl = new float[16];
        for (int b = 0; b < n / QK_K; b++) {
          int p = at + b * 110;
          int o = off + b * QK_K;
          q3kScales(src, p, dl);
          for (int e = 0; e < QK_K; e++) {
            dst[o + e] = dl[e >>> 4] * (float) q3k(src, p, e);
          }
        }
      };

  /** 8 groups of 32 with 6-bit scales and mins; x = d * sc * q - dmin * m. */
  public static final ElementDecoder Q4_K =
      (src, at, dst, off, n) -> {
        float[] scale = new float[8];
        float[] min = new float[8];
        for (int b = 0; b < n / QK_K; b++) {
          int p = at + b * 144;
          int o = off + b * QK_K;
          scalesAndMins(src, p, scale, min);
          for (int e = 0; e < QK_K; e++) {
            dst[o + e] = scale[e >>> 5] * (float) q4k(src, p, e) - min[e >>> 5];
          }
        }
      };

  /** Q4_K with a fifth bit per value from qh. */
  public static final ElementDecoder Q5_K =
      (src, at, dst, off, n) -> {
        float[] scale = new float[8];
        float[] min = new float[8];
        for (int b = 0; b < n / QK_K; b++) {
          int p = at + b * 176;
          int o = off + b * QK_K;
          scalesAndMins(src, p, scale, min);
          for (int e = 0; e < QK_K; e++) {
            dst[o + e] = scale[e >>> 5] * (float) q5k(src, p, e) - min[e >>> 5];
          }
        }
      };

  /** 16 groups of 16 with int8 scales; 6-bit values from 4 low bits (ql) and 2 high bits (qh). */
  public static final ElementDecoder Q6_K =
      (src, at, dst, off, n) -> {
        float[] dl = new float[16];
        for (int b = 0; b < n / QK_K; b++) {
          int p = at + b * 210;
          int o = off + b * QK_K;
          q6kScales(src, p, dl);
          for (int e = 0; e < QK_K; e++) {
            dst[o + e] = dl[e >>> 4] * (float) q6k(src, p, e);
          }
        }
      };

  /**
   * Q4_K and Q5_K's 12 packed bytes at {@code p + 4}: 8 6-bit scales and 8 6-bit mins, multiplied
   * by the block's d and dmin (llama.cpp's {@code get_scale_min_k4}).
   */
  static void scalesAndMins(ByteBuffer src, int p, float[] scale, float[] min) {
    float d = f16(src, p);
    float dmin = f16(src, p + 2);
    int s = p + 4;
    for (int j = 0; j < 8; j++) {
      int sc;
      int m;
      if (j < 4) {
        sc = src.get(s + j) & 0x3f;
        m = src.get(s + j + 4) & 0x3f;
      } else {
        int packed = src.get(s + j + 4) & 0xff;
        sc = (packed & 0x0f) | (((src.get(s + j - 4) & 0xff) >>> 2) & 0x30);
        m = (packed >>> 4) | (((src.get(s + j) & 0xff) >>> 2) & 0x30);
      }
      scale[j] = d * (float) sc;
      min[j] = dmin * (float) m;
    }
  }

  /** Q2_K's code (0 to 3) of value {@code e} of the block at {@code p}. */
  static int q2k(ByteBuffer src, int p, int e) {
    int shift = ((e >>> 5) & 3) * 2;
    return ((src.get(p + 16 + (e >>> 7) * 32 + (e & 31)) & 0xff) >>> shift) & 3;
  }

  /** Q3_K's code (-4 to 3): 2 low bits in qs, and -4 unless its hmask bit is set. */
  static int q3k(ByteBuffer src, int p, int e) {
    int shift = ((e >>> 5) & 3) * 2;
    int ql = ((src.get(p + 32 + (e >>> 7) * 32 + (e & 31)) & 0xff) >>> shift) & 3;
    int hbit = ((src.get(p + (e & 31)) & 0xff) >>> (e >>> 5)) & 1;
    return ql - ((hbit ^ 1) << 2);
  }

  /** Q3_K's 16 group scales d * (6-bit scale - 32) into {@code dl}. */
  static void q3kScales(ByteBuffer src, int p, float[] dl) {
    float d = f16(src, p + 108);
    int scales = p + 96;
    for (int g = 0; g < 16; g++) {
      int low = (src.get(scales + (g & 7)) & 0xff) >>> (g < 8 ? 0 : 4);
      int high = (src.get(scales + 8 + (g & 3)) & 0xff) >>> (2 * (g >>> 2));
      int sc = ((low & 0x0f) | ((high & 3) << 4)) - 32;
      dl[g] = d * (float) sc;
    }
  }

  /** Q4_K's code (0 to 15). */
  static int q4k(ByteBuffer src, int p, int e) {
    int g = e >>> 5;
    return ((src.get(p + 16 + (g >>> 1) * 32 + (e & 31)) & 0xff) >>> (4 * (g & 1))) & 0x0f;
  }

  /** Q5_K's code (0 to 31): 4 bits in qs, the fifth in qh. */
  static int q5k(ByteBuffer src, int p, int e) {
    int g = e >>> 5;
    int l = e & 31;
    int ql = ((src.get(p + 48 + (g >>> 1) * 32 + l) & 0xff) >>> (4 * (g & 1))) & 0x0f;
    int qh = ((src.get(p + 16 + l) & 0xff) >>> g) & 1;
    return ql | (qh << 4);
  }

  /** Q6_K's 16 group scales d * int8 scale into {@code dl}. */
  static void q6kScales(ByteBuffer src, int p, float[] dl) {
    float d = f16(src, p + 208);
    for (int g = 0; g < 16; g++) {
      dl[g] = d * (float) src.get(p + 192 + g);
    }
  }

  /** Q6_K's code (-32 to 31): 4 low bits in ql, 2 high bits in qh. */
  static int q6k(ByteBuffer src, int p, int e) {
    int half = e >>> 7;
    int lowShift = 4 * ((e >>> 6) & 1);
    int highShift = 2 * ((e >>> 5) & 3);
    int ql = ((src.get(p + half * 64 + (e & 63)) & 0xff) >>> lowShift) & 0x0f;
    int qh = ((src.get(p + 128 + half * 32 + (e & 31)) & 0xff) >>> highShift) & 3;
    return (ql | (qh << 4)) - 32;
  }

  /**
   * The j-th (of 32) 4-bit code of a legacy block whose 16 bytes of codes start at {@code qs}:
   * values 0-15 in the low nibbles, 16-31 in the high ones.
   */
  static int q4(ByteBuffer src, int qs, int j) {
    int q = src.get(qs + (j & 15)) & 0xff;
    return j < 16 ? q & 0x0f : q >>> 4;
  }

  static float f16(ByteBuffer src, int at) {
    return HalfFloats.f16ToFloat(src.getShort(at));
  }
}
