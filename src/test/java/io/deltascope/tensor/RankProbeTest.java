package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Planted;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast scan's rank probe reads what the full spectrum's numerical rank reads on merged low-rank
 * updates saved in bfloat16, and says "not low rank" of a dense update, streamed in the pass's
 * chunks.
 */
class RankProbeTest {
  private static final int ROWS = 256;
  private static final int COLS = 384;
  private static final double BF16_EPS = 0x1p-7;

  // weights of a trained layer (std 0.02, ||A|| about 6.3), stored in bfloat16
  private static final double[] BASE = Planted.toBf16(Planted.gaussian(ROWS * COLS, 0.02, 21));

  @ParameterizedTest
  @CsvSource({"1, 0.3", "4, 0.3", "16, 0.3", "64, 0.5"})
  void aLowRankUpdateSavedInBfloat16ReadsTheFullSpectrumsNumericalRank(int rank, double weakest) {
    double[] s = new double[rank];
    for (int i = 0; i < rank; i++) {
      s[i] = weakest * (2 - (double) i / rank); // from 2 x weakest down to about weakest
    }
    double[] saved = Planted.toBf16(Planted.plus(BASE, Planted.matrix(ROWS, COLS, s, 22 + rank)));
    int full = fullRank(saved);
    assertThat(full).isEqualTo(rank);
    assertThat(probe(saved, ROWS, COLS)).isEqualTo(full);
  }

  @Test
  void aDenseUpdateIsNotLowRank() {
    double[] saved = Planted.toBf16(Planted.plus(BASE, Planted.gaussian(ROWS * COLS, 0.002, 23)));
    assertThat(fullRank(saved)).isEqualTo(ROWS);
    assertThat(probe(saved, ROWS, COLS)).isEqualTo(RankProbe.MAX_RANK + RankProbe.OVERSAMPLING);
  }

  @Test
  void aSketchAsWideAsTheSmallerSideReadsTheRankExactly() {
    int rows = 48;
    double[] base = Arrays.copyOf(BASE, rows * COLS);
    double[] saved =
        Planted.toBf16(Planted.plus(base, Planted.matrix(rows, COLS, new double[] {0.5, 0.3}, 24)));
    assertThat(probe(base, saved, rows, COLS)).isEqualTo(2);
  }

  @Test
  void aZeroDeltaHasRankZero() {
    assertThat(probe(BASE, BASE, ROWS, COLS)).isZero();
  }

  private static Integer probe(double[] saved, int rows, int cols) {
    return probe(BASE, saved, rows, cols);
  }

  // streamed in chunks of 8192 values, as TensorComparison hands them over
  private static Integer probe(double[] base, double[] saved, int rows, int cols) {
    RankProbe probe = new RankProbe(rows, cols, new RankProbe.Workspace());
    for (int first = 0; first < base.length; first += 8192) {
      int n = Math.min(8192, base.length - first);
      probe.add(
          Arrays.copyOfRange(base, first, first + n),
          Arrays.copyOfRange(saved, first, first + n),
          n);
    }
    return probe.rank(BF16_EPS, norm(saved));
  }

  private static int fullRank(double[] saved) {
    GramAccumulator g = new GramAccumulator(ROWS, COLS, new GramAccumulator.Workspace());
    g.add(BASE, saved, BASE.length);
    double[] s = g.singularValues();
    return Spectrum.of(s, 20, RankFloor.of(BF16_EPS, norm(saved), ROWS, COLS, s[0]))
        .numericalRank();
  }

  private static double norm(double[] x) {
    return Math.sqrt(Arrays.stream(x).map(v -> v * v).sum());
  }
}
