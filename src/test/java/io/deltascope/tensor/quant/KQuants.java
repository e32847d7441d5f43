package io.deltascope.tensor.quant;

import io.deltascope.tensor.HalfFloats;
import java.nio.ByteBuffer;

/**
 * llama.cpp's reference k-quantizers ({@code quantize_row_q2_K_ref}, {@code q3_K}, {@code q4_K},
 * {@code q5_K}, {@code q6_K} in ggml-quants.c, with {@code make_qkx2_quants}, {@code
 * make_q3_quants} and {@code make_qx_quants}) ported to Java float32 in the same order of
 * operations, so that tests can quantize values as llama.cpp does. Each writes one 256-value block
 * at {@code p} of {@code y} and returns what it stored: the codes and each value's group scale d
 * and offset dm, from which a value decodes as q d - dm.
 */
public final class KQuants {
  private KQuants() {}

  static final int QK_K = 256;
  private static final float GROUP_MAX_EPS = 1e-15f;

  /** One quantized block: signed codes, and each value's group d and dm (as float32). */
  public record Block(int[] q, float[] d, float[] dm) {
    /** The value {@code e} decodes to, in float32 as the dequantizers form it. */
    float value(int e) {
      return d[e] * (float) q[e] - dm[e];
    }
  }

  /** An encoder of one block of {@code x} from {@code xo} into {@code y} at {@code p}. */
  public interface Encoder {
    Block encode(float[] x, int xo, ByteBuffer y, int p);
  }

  /** ggml's nearest_int: adds 1.5 * 2^23, so float addition rounds half to even. */
  static int nearestInt(float f) {
    float v = f + 12582912f;
    return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
  }

  static float fp16(float v) {
    return HalfFloats.f16ToFloat(HalfFloats.floatToF16(v));
  }

  /** make_qkx2_quants: codes 0..nmax into L[lo..], the min into mins[j]; returns the scale. */
  static float makeQkx2(
      int n,
      int nmax,
      float[] x,
      int xo,
      float[] weights,
      int[] L,
      int lo,
      float[] mins,
      int j,
      float rmin,
      float rdelta,
      int nstep,
      boolean useMad) {
    int[] laux = new int[n];
    float min = x[xo];
    float max = x[xo];
    float sumW = weights[0];
    float sumX = sumW * x[xo];
    for (int i = 1; i < n; ++i) {
      if (x[xo + i] < min) min = x[xo + i];
      if (x[xo + i] > max) max = x[xo + i];
      float w = weights[i];
      sumW += w;
      sumX += w * x[xo + i];
    }
    if (min > 0) min = 0;
    if (max == min) {
      for (int i = 0; i < n; ++i) L[lo + i] = 0;
      mins[j] = -min;
      return 0.f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearestInt(iscale * (x[xo + i] - min));
      L[lo + i] = Math.max(0, Math.min(nmax, l));
      float diff = scale * L[lo + i] + min - x[xo + i];
      diff = useMad ? Math.abs(diff) : diff * diff;
      bestError += weights[i] * diff;
    }
    for (int is = 0; is <= nstep; ++is) {
      iscale = (rmin + rdelta * is + nmax) / (max - min);
      float sumL = 0;
      float sumL2 = 0;
      float sumXl = 0;
      for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * (x[xo + i] - min));
        l = Math.max(0, Math.min(nmax, l));
        laux[i] = l;
        float w = weights[i];
        sumL += w * l;
        sumL2 += w * l * l;
        sumXl += w * l * x[xo + i];
      }
      float det = sumW * sumL2 - sumL * sumL;
      if (det > 0) {
        float thisScale = (sumW * sumXl - sumX * sumL) / det;
        float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
        if (thisMin > 0) {
          thisMin = 0;
          thisScale = sumXl / sumL2;
        }
        float curError = 0;
        for (int i = 0; i < n; ++i) {
          float diff = thisScale * laux[i] + thisMin - x[xo + i];
          diff = useMad ? Math.abs(diff) : diff * diff;
          curError += weights[i] * diff;
        }
        if (curError < bestError) {
          System.arraycopy(laux, 0, L, lo, n);
          bestError = curError;
          scale = thisScale;
          min = thisMin;
        }
      }
    }
    mins[j] = -min;
    return scale;
  }

  /** The value of largest magnitude (the first of equal ones), 0 for none. */
  private static float signedMax(int n, float[] x, int xo) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
      float ax = Math.abs(x[xo + i]);
      if (ax > amax) {
        amax = ax;
        max = x[xo + i];
      }
    }
    return max;
  }

  /**
   * The first rounding of make_qx_quants and make_q3_quants: codes -nmax..nmax-1 (plus {@code
   * shift}) into L, weighted by x^2; returns {sum w x l, sum w l^2}.
   */
  private static float[] roundAll(
      int n, int nmax, float iscale, float[] x, int xo, int[] L, int lo, int shift) {
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; ++i) {
      float xi = x[xo + i];
      int l = nearestInt(iscale * xi);
      l = Math.max(-nmax, Math.min(nmax - 1, l));
      L[lo + i] = l + shift;
      float w = xi * xi;
      sumlx += w * xi * l;
      suml2 += w * l * l;
    }
    return new float[] {sumlx, suml2};
  }

  /** make_qx_quants with rmse_type 1 and no importance weights: codes -nmax..nmax-1 + nmax. */
  static float makeQx(int n, int nmax, float[] x, int xo, int[] L, int lo) {
    float max = signedMax(n, x, xo);
    if (Math.abs(max) < GROUP_MAX_EPS) {
      for (int i = 0; i < n; ++i) L[lo + i] = 0;
      return 0.f;
    }
    float iscale = -nmax / max;
    float[] sums = roundAll(n, nmax, iscale, x, xo, L, lo, nmax);
    float sumlx = sums[0];
    float suml2 = sums[1];
    float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
      if (is == 0) continue;
      iscale = -(nmax + 0.1f * is) / max;
      sumlx = suml2 = 0;
      for (int i = 0; i < n; ++i) {
        float xi = x[xo + i];
        int l = nearestInt(iscale * xi);
        l = Math.max(-nmax, Math.min(nmax - 1, l));
        float w = xi * xi;
        sumlx += w * xi * l;
        suml2 += w * l * l;
      }
      if (suml2 > 0 && sumlx * sumlx > best * suml2) {
        for (int i = 0; i < n; ++i) {
          int l = nearestInt(iscale * x[xo + i]);
          L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
        }
        scale = sumlx / suml2;
        best = scale * sumlx;
      }
    }
    return scale;
  }

  /** make_q3_quants with do_rmse: codes -nmax..nmax-1 + nmax, refined 5 times; the scale. */
  static float makeQ3(int n, int nmax, float[] x, int xo, int[] L, int lo) {
    float max = signedMax(n, x, xo);
    if (Math.abs(max) < GROUP_MAX_EPS) {
      for (int i = 0; i < n; ++i) L[lo + i] = 0;
      return 0.f;
    }
    float iscale = -nmax / max;
    float[] sums = roundAll(n, nmax, iscale, x, xo, L, lo, 0);
    float sumlx = sums[0];
    float suml2 = sums[1];
    for (int itry = 0; itry < 5; ++itry) {
      int changed = 0;
      for (int i = 0; i < n; ++i) {
        float xi = x[xo + i];
        float w = xi * xi;
        float slx = sumlx - w * xi * L[lo + i];
        if (slx > 0) {
          float sl2 = suml2 - w * L[lo + i] * L[lo + i];
          int newL = nearestInt(xi * sl2 / slx);
          newL = Math.max(-nmax, Math.min(nmax - 1, newL));
          if (newL != L[lo + i]) {
            slx += w * xi * newL;
            sl2 += w * newL * newL;
            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
              L[lo + i] = newL;
              sumlx = slx;
              suml2 = sl2;
              ++changed;
            }
          }
        }
      }
      if (changed == 0) break;
    }
    for (int i = 0; i < n; ++i) L[lo + i] += nmax;
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
  }

  /** quantize_row_q3_K_ref: 110 bytes (hmask[32], qs[64], scales[12], d). */
  public static Block q3K(float[] x, int xo, ByteBuffer y, int p) {
    int[] L = new int[QK_K];
    float[] scales = new float[16];
    float maxScale = 0;
    float amax = 0;
    for (int j = 0; j < 16; ++j) {
      scales[j] = makeQ3(16, 4, x, xo + 16 * j, L, 16 * j);
      float scale = Math.abs(scales[j]);
      if (scale > amax) {
        amax = scale;
        maxScale = scales[j];
      }
    }
    int[] s = new int[12];
    float d = 0;
    if (maxScale != 0) {
      float iscale = -32.f / maxScale;
      for (int j = 0; j < 16; ++j) {
        int l = (byte) nearestInt(iscale * scales[j]);
        l = Math.max(-32, Math.min(31, l)) + 32;
        if (j < 8) {
          s[j] = l & 0xF;
        } else {
          s[j - 8] |= (l & 0xF) << 4;
        }
        l >>= 4;
        s[j % 4 + 8] |= l << (2 * (j / 4));
      }
      d = 1 / iscale;
    }
    short d16 = HalfFloats.floatToF16(d);
    y.putShort(p + 108, d16);
    Block block = new Block(new int[QK_K], new float[QK_K], new float[QK_K]);
    for (int j = 0; j < 12; j++) {
      y.put(p + 96 + j, (byte) s[j]);
    }
    for (int j = 0; j < 16; ++j) {
      int sc = j < 8 ? s[j] & 0xF : s[j - 8] >> 4;
      sc = (sc | (((s[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
      float dl = HalfFloats.f16ToFloat(d16) * sc;
      groups(block, 16 * j, 16, dl, 0);
      if (dl == 0) continue;
      for (int ii = 0; ii < 16; ++ii) {
        int l = nearestInt(x[xo + 16 * j + ii] / dl);
        L[16 * j + ii] = Math.max(-4, Math.min(3, l)) + 4;
      }
    }
    for (int e = 0; e < QK_K; e++) {
      block.q[e] = L[e] - 4;
    }
    int[] hmask = new int[32];
    int m = 0;
    int hm = 1;
    for (int j = 0; j < QK_K; ++j) {
      if (L[j] > 3) {
        hmask[m] |= hm;
        L[j] -= 4;
      }
      if (++m == 32) {
        m = 0;
        hm <<= 1;
      }
    }
    for (int j = 0; j < 32; j++) {
      y.put(p + j, (byte) hmask[j]);
    }
    for (int j = 0; j < QK_K; j += 128) {
      for (int l = 0; l < 32; ++l) {
        int b = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6);
        y.put(p + 32 + j / 4 + l, (byte) b);
      }
    }
    return block;
  }

  /** quantize_row_q2_K_ref: 84 bytes (scales[16], qs[64], d, dmin). */
  public static Block q2K(float[] x, int xo, ByteBuffer y, int p) {
    int[] L = new int[QK_K];
    float[] weights = new float[16];
    float[] mins = new float[16];
    float[] scales = new float[16];
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < 16; ++j) {
      for (int l = 0; l < 16; ++l) weights[l] = Math.abs(x[xo + 16 * j + l]);
      scales[j] =
          makeQkx2(16, 3, x, xo + 16 * j, weights, L, 16 * j, mins, j, -0.5f, 0.1f, 15, true);
      if (scales[j] > maxScale) maxScale = scales[j];
      if (mins[j] > maxMin) maxMin = mins[j];
    }
    int[] sc = new int[16];
    float d = 0;
    float dmin = 0;
    if (maxScale > 0) {
      float iscale = 15.f / maxScale;
      for (int j = 0; j < 16; ++j) sc[j] = nearestInt(iscale * scales[j]) & 0xff;
      d = maxScale / 15.f;
    }
    if (maxMin > 0) {
      float iscale = 15.f / maxMin;
      for (int j = 0; j < 16; ++j) sc[j] = (sc[j] | (nearestInt(iscale * mins[j]) << 4)) & 0xff;
      dmin = maxMin / 15.f;
    }
    y.putShort(p + 80, HalfFloats.floatToF16(d));
    y.putShort(p + 82, HalfFloats.floatToF16(dmin));
    Block block = new Block(new int[QK_K], new float[QK_K], new float[QK_K]);
    for (int j = 0; j < 16; ++j) {
      y.put(p + j, (byte) sc[j]);
      float dl = fp16(d) * (sc[j] & 0xF);
      float ml = fp16(dmin) * (sc[j] >>> 4);
      groups(block, 16 * j, 16, dl, ml);
      if (dl == 0) continue;
      for (int ii = 0; ii < 16; ++ii) {
        int l = nearestInt((x[xo + 16 * j + ii] + ml) / dl);
        L[16 * j + ii] = Math.max(0, Math.min(3, l));
      }
    }
    for (int j = 0; j < QK_K; j += 128) {
      for (int l = 0; l < 32; ++l) {
        int b = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6);
        y.put(p + 16 + j / 4 + l, (byte) b);
      }
    }
    System.arraycopy(L, 0, block.q, 0, QK_K);
    return block;
  }

  /** quantize_row_q4_K_ref: 144 bytes (d, dmin, scales[12], qs[128]). */
  public static Block q4K(float[] x, int xo, ByteBuffer y, int p) {
    int[] L = new int[QK_K];
    Block block = scalesAndMins(x, xo, y, p, L, 15, -1.f, 0.1f, 20);
    for (int j = 0; j < QK_K; j += 64) {
      for (int l = 0; l < 32; ++l) {
        y.put(p + 16 + j / 2 + l, (byte) (L[j + l] | (L[j + l + 32] << 4)));
      }
    }
    System.arraycopy(L, 0, block.q, 0, QK_K);
    return block;
  }

  /** quantize_row_q5_K_ref: 176 bytes (d, dmin, scales[12], qh[32], qs[128]). */
  public static Block q5K(float[] x, int xo, ByteBuffer y, int p) {
    int[] L = new int[QK_K];
    Block block = scalesAndMins(x, xo, y, p, L, 31, -0.5f, 0.1f, 15);
    int[] qh = new int[32];
    int m1 = 1;
    int m2 = 2;
    for (int n = 0; n < QK_K; n += 64) {
      for (int j = 0; j < 32; ++j) {
        int l1 = L[n + j];
        if (l1 > 15) {
          l1 -= 16;
          qh[j] |= m1;
        }
        int l2 = L[n + j + 32];
        if (l2 > 15) {
          l2 -= 16;
          qh[j] |= m2;
        }
        y.put(p + 48 + n / 2 + j, (byte) (l1 | (l2 << 4)));
      }
      m1 <<= 2;
      m2 <<= 2;
    }
    for (int j = 0; j < 32; j++) {
      y.put(p + 16 + j, (byte) qh[j]);
    }
    System.arraycopy(L, 0, block.q, 0, QK_K);
    return block;
  }

  /**
   * Q4_K's and Q5_K's scale search, 6-bit packing of scales and mins (set_scale_min_k4) and the
   * final rounding with the stored scales; codes into L.
   */
  private static Block scalesAndMins(
      float[] x, int xo, ByteBuffer y, int p, int[] L, int nmax, float rmin, float rdelta, int n) {
    float[] weights = new float[32];
    float[] mins = new float[8];
    float[] scales = new float[8];
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < 8; ++j) {
      float sumX2 = 0;
      for (int l = 0; l < 32; ++l) sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
      float avX = (float) Math.sqrt(sumX2 / 32);
      for (int l = 0; l < 32; ++l) weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
      scales[j] =
          makeQkx2(32, nmax, x, xo + 32 * j, weights, L, 32 * j, mins, j, rmin, rdelta, n, false);
      if (scales[j] > maxScale) maxScale = scales[j];
      if (mins[j] > maxMin) maxMin = mins[j];
    }
    float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    int[] packed = new int[12];
    for (int j = 0; j < 8; ++j) {
      int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xff);
      int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xff);
      if (j < 4) {
        packed[j] = ls;
        packed[j + 4] = lm;
      } else {
        packed[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
        packed[j - 4] |= (ls >> 4) << 6;
        packed[j] |= (lm >> 4) << 6;
      }
    }
    short d16 = HalfFloats.floatToF16(maxScale / 63.f);
    short dmin16 = HalfFloats.floatToF16(maxMin / 63.f);
    y.putShort(p, d16);
    y.putShort(p + 2, dmin16);
    for (int j = 0; j < 12; j++) {
      y.put(p + 4 + j, (byte) packed[j]);
    }
    Block block = new Block(new int[QK_K], new float[QK_K], new float[QK_K]);
    for (int j = 0; j < 8; ++j) {
      int sc;
      int m;
      if (j < 4) {
        sc = packed[j] & 63;
        m = packed[j + 4] & 63;
      } else {
        sc = (packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4);
        m = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
      }
      float d = HalfFloats.f16ToFloat(d16) * sc;
      float dm = HalfFloats.f16ToFloat(dmin16) * m;
      groups(block, 32 * j, 32, d, dm);
      if (d == 0) continue;
      for (int ii = 0; ii < 32; ++ii) {
        int l = nearestInt((x[xo + 32 * j + ii] + dm) / d);
        L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
      }
    }
    return block;
  }

  /** quantize_row_q6_K_ref: 210 bytes (ql[128], qh[64], scales[16] int8, d). */
  public static Block q6K(float[] x, int xo, ByteBuffer y, int p) {
    int[] L = new int[QK_K];
    float[] scales = new float[16];
    float maxScale = 0;
    float maxAbsScale = 0;
    for (int ib = 0; ib < 16; ++ib) {
      float scale = makeQx(16, 32, x, xo + 16 * ib, L, 16 * ib);
      scales[ib] = scale;
      float absScale = Math.abs(scale);
      if (absScale > maxAbsScale) {
        maxAbsScale = absScale;
        maxScale = scale;
      }
    }
    Block block = new Block(new int[QK_K], new float[QK_K], new float[QK_K]);
    if (maxAbsScale < GROUP_MAX_EPS) {
      for (int i = 0; i < 210; i++) y.put(p + i, (byte) 0);
      java.util.Arrays.fill(block.q, -32); // every code 0 - 32 with d 0
      return block;
    }
    float iscale = -128.f / maxScale;
    short d16 = HalfFloats.floatToF16(1 / iscale);
    y.putShort(p + 208, d16);
    for (int ib = 0; ib < 16; ++ib) {
      byte sc = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
      y.put(p + 192 + ib, sc);
      float d = HalfFloats.f16ToFloat(d16) * sc;
      groups(block, 16 * ib, 16, d, 0);
      if (d == 0) continue;
      for (int ii = 0; ii < 16; ++ii) {
        int l = nearestInt(x[xo + 16 * ib + ii] / d);
        L[16 * ib + ii] = Math.max(-32, Math.min(31, l)) + 32;
      }
    }
    for (int j = 0; j < QK_K; j += 128) {
      int ql = p + j / 2;
      int qh = p + 128 + j / 4;
      for (int l = 0; l < 32; ++l) {
        int q1 = L[j + l] & 0xF;
        int q2 = L[j + l + 32] & 0xF;
        int q3 = L[j + l + 64] & 0xF;
        int q4 = L[j + l + 96] & 0xF;
        y.put(ql + l, (byte) (q1 | (q3 << 4)));
        y.put(ql + l + 32, (byte) (q2 | (q4 << 4)));
        int h =
            (L[j + l] >> 4)
                | ((L[j + l + 32] >> 4) << 2)
                | ((L[j + l + 64] >> 4) << 4)
                | ((L[j + l + 96] >> 4) << 6);
        y.put(qh + l, (byte) h);
      }
    }
    for (int e = 0; e < QK_K; e++) {
      block.q[e] = L[e] - 32;
    }
    return block;
  }

  private static void groups(Block block, int from, int n, float d, float dm) {
    java.util.Arrays.fill(block.d, from, from + n, d);
    java.util.Arrays.fill(block.dm, from, from + n, dm);
  }
}
