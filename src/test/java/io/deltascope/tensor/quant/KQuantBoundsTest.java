package io.deltascope.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.tensor.ElementDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The k-quants' rounding bounds against llama.cpp's reference k-quantizers ported in {@link
 * KQuants}: the port's blocks decode through {@link GgmlDecoders} to its own values; every value of
 * Gaussian rows with outliers lies within its bound; the bound is tight (an inner code misses by
 * nearly half a step); and the same rows moved by a fine-tune's drift of 1e-3 of each value, then
 * quantized, leave values of the unmoved rows outside their bound.
 */
class KQuantBoundsTest {
  private static final int QK_K = 256;
  private static final int BLOCKS = 200;

  record Type(
      int blockBytes, KQuants.Encoder encoder, ElementDecoder values, ElementDecoder bounds) {}

  static Type type(String name) {
    return switch (name) {
      case "Q2_K" -> new Type(84, KQuants::q2K, GgmlDecoders.Q2_K, RoundingBounds.Q2_K);
      case "Q3_K" -> new Type(110, KQuants::q3K, GgmlDecoders.Q3_K, RoundingBounds.Q3_K);
      case "Q4_K" -> new Type(144, KQuants::q4K, GgmlDecoders.Q4_K, RoundingBounds.Q4_K);
      case "Q5_K" -> new Type(176, KQuants::q5K, GgmlDecoders.Q5_K, RoundingBounds.Q5_K);
      case "Q6_K" -> new Type(210, KQuants::q6K, GgmlDecoders.Q6_K, RoundingBounds.Q6_K);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** Gaussian blocks of random scale, one value in 64 an outlier eight times larger. */
  static float[] rows(long seed) {
    Random random = new Random(seed);
    float[] x = new float[BLOCKS * QK_K];
    for (int b = 0; b < BLOCKS; b++) {
      double scale = Math.exp(random.nextGaussian() * 2 - 4);
      for (int i = 0; i < QK_K; i++) {
        double v = scale * random.nextGaussian();
        x[b * QK_K + i] = (float) (random.nextInt(64) == 0 ? 8 * v : v);
      }
    }
    return x;
  }

  record Quantized(ByteBuffer bytes, KQuants.Block[] blocks, double[] values, double[] bounds) {}

  static Quantized quantize(Type t, float[] x) {
    ByteBuffer buf = ByteBuffer.allocate(BLOCKS * t.blockBytes()).order(ByteOrder.LITTLE_ENDIAN);
    KQuants.Block[] blocks = new KQuants.Block[BLOCKS];
    for (int b = 0; b < BLOCKS; b++) {
      blocks[b] = t.encoder().encode(x, b * QK_K, buf, b * t.blockBytes());
    }
    double[] values = new double[x.length];
    double[] bounds = new double[x.length];
    t.values().decode(buf, 0, values, 0, x.length);
    t.bounds().decode(buf, 0, bounds, 0, x.length);
    return new Quantized(buf, blocks, values, bounds);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
  void thePortedQuantizerRoundTripsThroughTheDecoders(String name) {
    Quantized q = quantize(type(name), rows(3));
    for (int b = 0; b < BLOCKS; b++) {
      for (int e = 0; e < QK_K; e++) {
        assertThat(q.values()[b * QK_K + e])
            .as(name + " block " + b + " value " + e)
            .isEqualTo((double) q.blocks()[b].value(e));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
  void everyValueLiesWithinItsBoundAndAnInnerCodeMissesByNearlyHalfAStep(String name) {
    float[] x = rows(5);
    Quantized q = quantize(type(name), x);
    double tightest = 0;
    long bounded = 0;
    for (int i = 0; i < x.length; i++) {
      double moved = Math.abs(x[i] - q.values()[i]);
      assertThat(moved).as(name + " value " + i).isLessThanOrEqualTo(q.bounds()[i]);
      if (Double.isFinite(q.bounds()[i])) {
        bounded++;
        tightest = Math.max(tightest, moved / q.bounds()[i]);
        double d = Math.abs(q.blocks()[i / QK_K].d()[i % QK_K]);
        assertThat(q.bounds()[i]).as(name + " value " + i).isLessThan(0.5001 * d);
      }
    }
    assertThat(tightest).as(name + ": the bound is tight").isGreaterThan(0.99);
    // the end codes go unbounded, yet most values sit on inner codes
    assertThat(bounded).as(name).isGreaterThan(x.length / 2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
  void aQuantizedFineTuneLeavesValuesOutsideTheBound(String name) {
    float[] x = rows(7);
    Random random = new Random(11);
    float[] tuned = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      tuned[i] = (float) (x[i] * (1 + 1e-3 * random.nextGaussian()));
    }
    Quantized q = quantize(type(name), tuned);
    long outside = 0;
    for (int i = 0; i < x.length; i++) {
      if (Math.abs(x[i] - q.values()[i]) > q.bounds()[i]) {
        outside++;
      }
    }
    assertThat(outside).as(name).isPositive();
  }
}
