package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ElementDecoderTest {
  // exact in every type below, bf16 included; the last one is a half-precision subnormal
  private static final double[] VALUES = {1.0, -2.5, 0.0, 448.0, -0.0078125, 0x1p-24};

  @Test
  void decodesEachPlainTypeFromAnOffsetIntoAnOffset() {
    assertDecodes(ElementDecoder.F64, 8, (buf, v) -> buf.putDouble(v));
    assertDecodes(ElementDecoder.F32, 4, (buf, v) -> buf.putFloat((float) v));
    assertDecodes(
        ElementDecoder.F16, 2, (buf, v) -> buf.putShort(HalfFloats.floatToF16((float) v)));
    assertDecodes(
        ElementDecoder.BF16, 2, (buf, v) -> buf.putShort(HalfFloats.floatToBf16((float) v)));
  }

  @Test
  void readsLittleEndianWhateverTheSourceBuffersOrder() {
    ByteBuffer bytes = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putFloat(0, 3.75f);
    double[] out = new double[1];
    ElementDecoder.F32.decode(bytes.order(ByteOrder.BIG_ENDIAN), 0, out, 0, 1);
    assertThat(out[0]).isEqualTo(3.75);
  }

  @Test
  void decodesNonFiniteValues() {
    ByteBuffer bytes = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putShort(HalfFloats.floatToBf16(Float.NaN));
    bytes.putShort(HalfFloats.floatToBf16(Float.POSITIVE_INFINITY));
    bytes.putShort(HalfFloats.floatToBf16(Float.NEGATIVE_INFINITY));
    double[] out = new double[3];
    ElementDecoder.BF16.decode(bytes, 0, out, 0, 3);
    assertThat(out).containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  private interface Writer {
    void put(ByteBuffer buf, double value);
  }

  private static void assertDecodes(ElementDecoder decoder, int width, Writer writer) {
    int skip = 3; // values before the ones decoded
    ByteBuffer bytes =
        ByteBuffer.allocateDirect((skip + VALUES.length) * width).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < skip; i++) {
      writer.put(bytes, 99.0);
    }
    for (double v : VALUES) {
      writer.put(bytes, v);
    }
    double[] out = new double[VALUES.length + 2];
    out[0] = -1;
    out[out.length - 1] = -1;
    decoder.decode(bytes, skip * width, out, 1, VALUES.length);
    assertThat(out[0]).isEqualTo(-1);
    assertThat(out[out.length - 1]).isEqualTo(-1);
    for (int i = 0; i < VALUES.length; i++) {
      assertThat(out[1 + i]).as("value %d", i).isEqualTo(VALUES[i]);
    }
  }
}
