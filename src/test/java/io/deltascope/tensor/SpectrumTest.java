package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SpectrumTest {

  @Test
  void aFlatSpectrumHasAnEffectiveAndStableRankOfItsLength() {
    Spectrum s = Spectrum.of(new double[] {2, 2, 2, 2, 2}, 20, 1e-9);
    assertThat(s.effectiveRank()).isCloseTo(5.0, within(1e-12));
    assertThat(s.stableRank()).isCloseTo(5.0, within(1e-12));
    assertThat(s.numericalRank()).isEqualTo(5);
    assertThat(s.topKEnergyShare()).isEqualTo(1.0);
  }

  @Test
  void theEnergyShareOfTheTopKComesFromTheWholeSpectrum() {
    double[] values = new double[40];
    java.util.Arrays.fill(values, 1.0);
    Spectrum s = Spectrum.of(values, 20, 1e-9);
    assertThat(s.topKEnergyShare()).isCloseTo(0.5, within(1e-15));
    assertThat(s.top()).hasSize(20);
    assertThat(s.singularValues()).hasSize(40);
  }

  @Test
  void stableRankIsTheSumOfSquaresOverTheLargestSquared() {
    Spectrum s = Spectrum.of(new double[] {4, 2, 1}, 2, 1e-9);
    assertThat(s.stableRank()).isCloseTo((16 + 4 + 1) / 16.0, within(1e-15));
    assertThat(s.topKEnergyShare()).isCloseTo(20.0 / 21.0, within(1e-15));
    double p1 = 4 / 7.0;
    double p2 = 2 / 7.0;
    double p3 = 1 / 7.0;
    double h = -(p1 * Math.log(p1) + p2 * Math.log(p2) + p3 * Math.log(p3));
    assertThat(s.effectiveRank()).isCloseTo(Math.exp(h), within(1e-14));
  }

  @Test
  void aPowerLawSpectrumGivesItsExponentAsAlpha() {
    double[] values = new double[100];
    for (int i = 0; i < values.length; i++) {
      values[i] = 3.0 * Math.pow(i + 1, -0.75);
    }
    assertThat(Spectrum.of(values, 20, 1e-12).spectralAlpha()).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void valuesBelowTheFloorAreNotPartOfTheNumericalRankNorOfAlpha() {
    Spectrum s = Spectrum.of(new double[] {5, 1, 1e-9, 1e-10}, 20, 1e-6);
    assertThat(s.numericalRank()).isEqualTo(2);
    assertThat(s.spectralAlpha()).isCloseTo(Math.log(5) / Math.log(2), within(1e-12));
  }

  @Test
  void aZeroDeltaHasNoSpectrumAndNoEffectiveRank() {
    Spectrum s = Spectrum.of(new double[] {0, 0, 0}, 20, 0);
    assertThat(s.status()).isEqualTo(SpectrumStatus.ZERO_DELTA);
    assertThat(s.effectiveRank()).isNull();
    assertThat(s.stableRank()).isNull();
    assertThat(s.numericalRank()).isNull();
    assertThat(s.singularValues()).isNull();
  }

  @Test
  void aSingleValueAboveTheFloorHasNoAlpha() {
    assertThat(Spectrum.of(new double[] {1, 0}, 20, 1e-9).spectralAlpha()).isNull();
  }
}
