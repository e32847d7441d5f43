package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

  @Test
  void decodesHalfPrecisionLandmarks() {
    assertThat(HalfFloats.f16ToFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(HalfFloats.f16ToFloat((short) 0xc000)).isEqualTo(-2.0f);
    assertThat(HalfFloats.f16ToFloat((short) 0x7bff)).isEqualTo(65504.0f);
    assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo((float) Math.pow(2, -24));
    assertThat(HalfFloats.f16ToFloat((short) 0x03ff)).isEqualTo(1023 * (float) Math.pow(2, -24));
    assertThat(HalfFloats.f16ToFloat((short) 0x0400)).isEqualTo((float) Math.pow(2, -14));
    assertThat(HalfFloats.f16ToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(HalfFloats.f16ToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(HalfFloats.f16ToFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(HalfFloats.f16ToFloat((short) 0x7e00)).isNaN();
    assertThat(Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0x8000)))
        .isEqualTo(0x80000000);
  }

  @Test
  void everyHalfPrecisionValueRoundTripsThroughFloat() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float f = HalfFloats.f16ToFloat((short) bits);
      if (!Float.isNaN(f)) {
        assertThat(HalfFloats.floatToF16(f) & 0xffff).as("bits %04x", bits).isEqualTo(bits);
      }
    }
  }

  @Test
  void bfloat16IsTheUpperHalfOfAFloat() {
    assertThat(HalfFloats.bf16ToFloat((short) 0x3f80)).isEqualTo(1.0f);
    assertThat(HalfFloats.bf16ToFloat((short) 0xc0a0)).isEqualTo(-5.0f);
    assertThat(HalfFloats.bf16ToFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x00010000));
  }

  @Test
  void roundsFloatToBfloat16NearestEven() {
    // 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to even (1)
    assertThat(HalfFloats.floatToBf16(1 + 0x1p-8f)).isEqualTo((short) 0x3f80);
    assertThat(HalfFloats.floatToBf16(1 + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3f81);
    assertThat(HalfFloats.floatToBf16(1 + 3 * 0x1p-8f)).isEqualTo((short) 0x3f82);
  }

  @Test
  void roundsFloatToHalfNearestEvenAndOverflowsToInfinity() {
    assertThat(HalfFloats.floatToF16(1 + 0x1p-11f)).isEqualTo((short) 0x3c00);
    assertThat(HalfFloats.floatToF16(1 + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
    assertThat(HalfFloats.floatToF16(70000f)).isEqualTo((short) 0x7c00);
    assertThat(HalfFloats.floatToF16(0x1p-26f)).isEqualTo((short) 0);
  }
}
