package io.deltascope.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.tensor.ElementDecoder;
import io.deltascope.tensor.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rounding bound of Q4_1, Q5_0 and Q5_1 (the bundled GGUFs cover Q4_0 and Q8_0) against
 * llama.cpp's reference quantizers written out here: every value of a quantized block lies within
 * its bound, and the bound is tight (no looser than twice the largest rounding seen).
 */
class RoundingBoundsTest {
  private static final int QK = 32;

  @Test
  void everyQuantizedValueLiesWithinItsBlocksBoundAndTheBoundIsTight() {
    check("Q4_1", 20, RoundingBoundsTest::q4_1, GgmlDecoders.Q4_1, RoundingBounds.Q4_1);
    check("Q5_0", 22, RoundingBoundsTest::q5_0, GgmlDecoders.Q5_0, RoundingBounds.Q5_0);
    check("Q5_1", 24, RoundingBoundsTest::q5_1, GgmlDecoders.Q5_1, RoundingBounds.Q5_1);
  }

  interface Encoder {
    void encode(float[] x, ByteBuffer buf);
  }

  private static void check(
      String type, int blockBytes, Encoder encoder, ElementDecoder values, ElementDecoder bounds) {
    Random random = new Random(7);
    double tightest = 0;
    for (int block = 0; block < 500; block++) {
      float[] x = new float[QK];
      double scale = Math.exp(random.nextGaussian() * 3 - 4);
      for (int i = 0; i < QK; i++) {
        x[i] = (float) (scale * random.nextGaussian());
      }
      ByteBuffer buf = ByteBuffer.allocate(blockBytes).order(ByteOrder.LITTLE_ENDIAN);
      encoder.encode(x, buf);
      double[] v = new double[QK];
      double[] e = new double[QK];
      values.decode(buf, 0, v, 0, QK);
      bounds.decode(buf, 0, e, 0, QK);
      for (int i = 0; i < QK; i++) {
        double moved = Math.abs(x[i] - v[i]);
        assertThat(moved).as(type + " block " + block + " value " + i).isLessThanOrEqualTo(e[i]);
        tightest = Math.max(tightest, moved / e[i]);
      }
    }
    assertThat(tightest).as(type + ": the bound is tight").isGreaterThan(0.4);
  }

  // quantize_row_q4_1_ref: d = (max - min) / 15, q = min(15, (int) ((x - min) / d + 0.5))
  private static void q4_1(float[] x, ByteBuffer buf) {
    offset(x, buf, 15, 4);
  }

  // quantize_row_q5_1_ref: d = (max - min) / 31, the fifth bits in qh
  private static void q5_1(float[] x, ByteBuffer buf) {
    offset(x, buf, 31, 8);
  }

  private static void offset(float[] x, ByteBuffer buf, int levels, int codesAt) {
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float d = (max - min) / levels;
    float id = d != 0 ? 1.0f / d : 0;
    buf.putShort(0, HalfFloats.floatToF16(d));
    buf.putShort(2, HalfFloats.floatToF16(min));
    int[] q = new int[QK];
    for (int j = 0; j < QK; j++) {
      q[j] = Math.min(levels, (int) ((x[j] - min) * id + 0.5f));
    }
    codes(q, buf, codesAt, levels == 31 ? 4 : -1);
  }

  // quantize_row_q5_0_ref: d = max / -16, q = min(31, (int) (x / d + 16.5))
  private static void q5_0(float[] x, ByteBuffer buf) {
    float max = 0;
    for (float v : x) {
      if (Math.abs(v) > Math.abs(max)) {
        max = v;
      }
    }
    float d = max / -16;
    float id = d != 0 ? 1.0f / d : 0;
    buf.putShort(0, HalfFloats.floatToF16(d));
    int[] q = new int[QK];
    for (int j = 0; j < QK; j++) {
      q[j] = Math.min(31, (int) (x[j] * id + 16.5f));
    }
    codes(q, buf, 6, 2);
  }

  // low nibbles of codes 0-15 and high nibbles of 16-31 at codesAt; fifth bits at qhAt (or none)
  private static void codes(int[] q, ByteBuffer buf, int codesAt, int qhAt) {
    int qh = 0;
    for (int j = 0; j < QK / 2; j++) {
      buf.put(codesAt + j, (byte) ((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4)));
    }
    for (int j = 0; j < QK; j++) {
      qh |= ((q[j] >>> 4) & 1) << j;
    }
    if (qhAt >= 0) {
      buf.putInt(qhAt, qh);
    }
  }
}
