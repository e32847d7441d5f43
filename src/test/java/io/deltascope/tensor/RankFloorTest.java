package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Planted;
import org.junit.jupiter.api.Test;

/**
 * The numerical rank reads a merged LoRA's rank through the rounding of the saved weights: the
 * floor comes from the stored type's precision, not from a fixed tolerance.
 */
class RankFloorTest {
  private static final int ROWS = 256;
  private static final int COLS = 384;
  private static final double BF16_EPS = 0x1p-7;
  private static final double F32_EPS = 0x1p-23;

  // Weights of a trained layer (std 0.02), stored in bfloat16 like the base checkpoints.
  private static final double[] BASE = Planted.toBf16(Planted.gaussian(ROWS * COLS, 0.02, 11));

  @Test
  void aRank4LoraMergedAndSavedInFloat32ReadsExactly4() {
    double[] lora = Planted.matrix(ROWS, COLS, new double[] {0.9, 0.4, 0.1, 0.02}, 12);
    double[] saved = Planted.toF32(Planted.plus(BASE, lora));
    assertThat(spectrum(saved, F32_EPS).numericalRank()).isEqualTo(4);
  }

  @Test
  void aRank8LoraMergedAndSavedInBfloat16StillReads8() {
    double[] s = {0.8, 0.6, 0.45, 0.3, 0.2, 0.15, 0.1, 0.06};
    double[] saved = Planted.toBf16(Planted.plus(BASE, Planted.matrix(ROWS, COLS, s, 13)));
    Spectrum spectrum = spectrum(saved, BF16_EPS);
    assertThat(spectrum.numericalRank()).isEqualTo(8);
    // the rounding noise is there, full rank, but below the floor
    assertThat(spectrum.singularValues()[8]).isGreaterThan(0).isLessThan(spectrum.rankFloor());
  }

  @Test
  void aFixedRelativeToleranceWouldHaveCountedTheBfloat16NoiseAsRank() {
    double[] s = {0.8, 0.6, 0.45, 0.3, 0.2, 0.15, 0.1, 0.06};
    double[] saved = Planted.toBf16(Planted.plus(BASE, Planted.matrix(ROWS, COLS, s, 13)));
    Spectrum spectrum = spectrum(saved, BF16_EPS);
    double[] values = spectrum.singularValues();
    long aboveNaiveTolerance =
        java.util.Arrays.stream(values).filter(v -> v > 1e-6 * values[0]).count();
    assertThat(aboveNaiveTolerance).isGreaterThan(100);
  }

  @Test
  void aFullRankUpdateSavedInBfloat16ReadsFullRank() {
    double[] update = Planted.gaussian(ROWS * COLS, 0.002, 14);
    double[] saved = Planted.toBf16(Planted.plus(BASE, update));
    assertThat(spectrum(saved, BF16_EPS).numericalRank()).isEqualTo(ROWS);
  }

  private static Spectrum spectrum(double[] saved, double eps) {
    GramAccumulator g = new GramAccumulator(ROWS, COLS, new GramAccumulator.Workspace());
    g.add(BASE, saved, BASE.length);
    double[] s = g.singularValues();
    double norm = Math.sqrt(java.util.Arrays.stream(saved).map(v -> v * v).sum());
    return Spectrum.of(s, 20, RankFloor.of(eps, norm, ROWS, COLS, s[0]));
  }
}
