package io.deltascope.tensor;

/** IEEE half precision and bfloat16 to float. Java 17 has neither (Float.float16ToFloat is 20+). */
public final class HalfFloats {
  private HalfFloats() {}

  // Every half-precision bit pattern decoded once: 256 KB, and a load beats the bit fiddling.
  private static final float[] F16_TABLE = new float[1 << 16];

  static {
    for (int bits = 0; bits < F16_TABLE.length; bits++) {
      F16_TABLE[bits] = decodeF16(bits);
    }
  }

  /** bfloat16 is the upper half of a float32. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  public static float f16ToFloat(short bits) {
    return F16_TABLE[bits & 0xffff];
  }

  /** The rounding of float to bfloat16 that PyTorch does (round to nearest even). */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** Float to IEEE half, round to nearest even, overflow to infinity. */
  public static short floatToF16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      int shift = 14 - e;
      int half = mant >>> shift;
      int rest = mant & ((1 << shift) - 1);
      int midpoint = 1 << (shift - 1);
      if (rest > midpoint || (rest == midpoint && (half & 1) == 1)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++; // may carry into the exponent, and up to infinity: both correct
    }
    return (short) (sign | half);
  }

  private static float decodeF16(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float subnormal = mant * 0x1p-24f; // exact: mant < 2^10
      return sign != 0 ? -subnormal : subnormal;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
