package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DeltaAccumulatorTest {

  @Test
  void computesEveryMetricOfASmallPairByHand() {
    // A = [3, 4, 0, 1], B = [3, 4.5, -1, 1]: delta [0, 0.5, -1, 0]
    DeltaMetrics m = metrics(new double[] {3, 4, 0, 1}, new double[] {3, 4.5, -1, 1});
    assertThat(m.nParams()).isEqualTo(4);
    assertThat(m.normBase()).isCloseTo(Math.sqrt(26), within(1e-15));
    assertThat(m.normFinetuned()).isCloseTo(Math.sqrt(31.25), within(1e-15));
    assertThat(m.l2Distance()).isCloseTo(Math.sqrt(1.25), within(1e-15));
    assertThat(m.relativeDelta()).isCloseTo(Math.sqrt(1.25) / Math.sqrt(26), within(1e-15));
    assertThat(m.cosine()).isCloseTo(28 / Math.sqrt(26 * 31.25), within(1e-15));
    assertThat(m.maxAbsDiff()).isEqualTo(1.0);
    assertThat(m.meanAbsDiff()).isEqualTo(0.375);
    assertThat(m.sparsity()).isEqualTo(0.5);
    assertThat(m.zeroFraction()).isEqualTo(0.5);
    assertThat(m.nanCount()).isZero();
  }

  @Test
  void accumulatesAcrossBlocksAsInOne() {
    double[] a = new double[1000];
    double[] b = new double[1000];
    for (int i = 0; i < a.length; i++) {
      a[i] = Math.sin(i);
      b[i] = Math.sin(i) + 1e-3 * Math.cos(3 * i);
    }
    DeltaMetrics whole = metrics(a, b);
    DeltaAccumulator parts = new DeltaAccumulator();
    for (int start = 0; start < a.length; start += 300) {
      int n = Math.min(300, a.length - start);
      parts.add(
          java.util.Arrays.copyOfRange(a, start, start + n),
          java.util.Arrays.copyOfRange(b, start, start + n),
          n);
    }
    DeltaMetrics split = parts.result();
    // only the order of additions differs: agreement to rounding
    assertThat(split.l2Distance())
        .isCloseTo(whole.l2Distance(), within(1e-12 * whole.l2Distance()));
    assertThat(split.cosine()).isCloseTo(whole.cosine(), within(1e-12));
    assertThat(split.nParams()).isEqualTo(whole.nParams());
    assertThat(split.maxAbsDiff()).isEqualTo(whole.maxAbsDiff());
  }

  @Test
  void aZeroBaseHasNoRelativeChangeAndNoCosine() {
    DeltaMetrics m = metrics(new double[] {0, 0}, new double[] {1, 0});
    assertThat(m.relativeDelta()).isNull();
    assertThat(m.cosine()).isNull();
    assertThat(m.l2Distance()).isEqualTo(1.0);
  }

  @Test
  void countsNonFiniteValuesAndLeavesThemOutOfTheSums() {
    DeltaMetrics m =
        metrics(
            new double[] {1, Double.NaN, 2, Double.POSITIVE_INFINITY},
            new double[] {1, 5, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY});
    assertThat(m.nanCount()).isEqualTo(1);
    assertThat(m.infCount()).isEqualTo(2);
    assertThat(m.normBase()).isEqualTo(1.0);
    assertThat(m.l2Distance()).isZero();
    assertThat(m.zeroFraction()).isEqualTo(0.5); // 1 == 1 and inf == inf, as torch's == says
  }

  @Test
  void aTensorEntirelyNanHasNoNormsRatherThanNormsOfZero() {
    DeltaMetrics m = metrics(new double[] {1, 2, 3}, new double[] {Double.NaN, Double.NaN, 7});
    assertThat(m.normBase()).isEqualTo(3.0); // the one position summed
    assertThat(m.meanAbsDiff()).isEqualTo(4.0); // over that position, not all three

    DeltaMetrics none = metrics(new double[] {1, 2}, new double[] {Double.NaN, Double.NaN});
    assertThat(none.nanCount()).isEqualTo(2);
    assertThat(none.normBase()).isNull();
    assertThat(none.normFinetuned()).isNull();
    assertThat(none.l2Distance()).isNull();
    assertThat(none.relativeDelta()).isNull();
    assertThat(none.cosine()).isNull();
    assertThat(none.maxAbsDiff()).isNull();
    assertThat(none.meanAbsDiff()).isNull();
    assertThat(none.sparsity()).isNull();
    assertThat(none.rmse()).isNull();
    assertThat(none.zeroFraction()).isZero();
  }

  @Test
  void aNonFiniteBlockAmongFiniteOnesCountsOnlyItsOwnValues() {
    DeltaAccumulator acc = new DeltaAccumulator();
    acc.add(new double[] {1, 2}, new double[] {1, 3}, 2);
    acc.add(new double[] {Double.NaN, 2}, new double[] {0, 2}, 2);
    acc.add(new double[] {0, 0}, new double[] {2, 0}, 2);
    DeltaMetrics m = acc.result();
    assertThat(m.nParams()).isEqualTo(6);
    assertThat(m.nanCount()).isEqualTo(1);
    assertThat(m.l2Distance()).isEqualTo(Math.sqrt(5)); // deltas 0, 1, 0, 2, 0
    assertThat(m.maxAbsDiff()).isEqualTo(2.0);
    assertThat(m.zeroFraction()).isEqualTo(3 / 6.0);
  }

  @Test
  void finiteValuesWhoseSquaresOverflowAreNotCountedAsNonFinite() {
    DeltaMetrics m = metrics(new double[] {1e200, 1}, new double[] {1e200, 2});
    assertThat(m.nanCount()).isZero();
    assertThat(m.infCount()).isZero();
    assertThat(m.normBase()).isInfinite();
    assertThat(m.l2Distance()).isEqualTo(1.0);
  }

  private static DeltaMetrics metrics(double[] a, double[] b) {
    DeltaAccumulator acc = new DeltaAccumulator();
    acc.add(a, b, a.length);
    return acc.result();
  }
}
