package io.deltascope.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.Shape;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorRole;
import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.SpectrumStatus;
import org.junit.jupiter.api.Test;

/** Which deltas have a spectrum, of which matrix, and which path computes it. */
class DeltaSpectraTest {

  @Test
  void aThreeDimensionalTensorIsReshapedToItsFirstDimensionByTheRest() {
    DeltaMatrix m = DeltaMatrix.of(pair(Shape.of(4, 3, 5), 60));
    assertThat(m).isEqualTo(new DeltaMatrix(4, 15));
    assertThat(m.tall()).isFalse();
    assertThat(m.order()).isEqualTo(4);
  }

  @Test
  void aVocabularyResizeTakesTheSpectrumOfTheCommonRows() {
    assertThat(DeltaMatrix.of(pair(Shape.of(1032, 128), 1024 * 128)))
        .isEqualTo(new DeltaMatrix(1024, 128));
  }

  @Test
  void normsAndBiasesAreNotMatrices() {
    TensorPair norm = pair(Shape.of(128), 128);
    assertThat(DeltaMatrix.of(norm)).isNull();
    assertThat(DeltaSpectra.decided(norm, metrics(1.0, 0), SpectrumSettings.DEFAULT).status())
        .isEqualTo(SpectrumStatus.NOT_MATRIX);
  }

  @Test
  void nanOrInfinityInTheDeltaMeansNoSpectrum() {
    TensorPair p = pair(Shape.of(8, 8), 64);
    assertThat(DeltaSpectra.decided(p, metrics(1.0, 3), SpectrumSettings.DEFAULT).status())
        .isEqualTo(SpectrumStatus.NON_FINITE);
  }

  @Test
  void anExactlyZeroDeltaHasNoSpectrumWithoutAnyLinearAlgebra() {
    TensorPair p = pair(Shape.of(8, 8), 64);
    assertThat(DeltaSpectra.decided(p, metrics(0.0, 0), SpectrumSettings.DEFAULT).status())
        .isEqualTo(SpectrumStatus.ZERO_DELTA);
    assertThat(DeltaSpectra.decided(p, metrics(1.0, 0), SpectrumSettings.DEFAULT)).isNull();
  }

  @Test
  void deltasAboveTheThresholdGoDistributedUnlessTheyCannotBeReadInBands() {
    SpectrumSettings settings = new SpectrumSettings(true, 20, 1000);
    assertThat(settings.pathFor(pair(Shape.of(40, 40), 1600)))
        .isEqualTo(SpectrumSettings.Path.DISTRIBUTED);
    assertThat(settings.pathFor(pair(Shape.of(20, 40), 800)))
        .isEqualTo(SpectrumSettings.Path.LOCAL);
    TensorInfo q8 = new TensorInfo("w", DType.Q8_0, Shape.of(64, 64), "f", 0, 64 * 68);
    TensorPair quantized =
        new TensorPair("w", new TensorRole(null, "other"), q8, q8, 4096, TensorStatus.COMPARED);
    assertThat(settings.pathFor(quantized)).isEqualTo(SpectrumSettings.Path.LOCAL);
    assertThat(SpectrumSettings.OFF.pathFor(pair(Shape.of(40, 40), 1600)))
        .isEqualTo(SpectrumSettings.Path.NONE);
  }

  private static TensorPair pair(Shape shape, long elements) {
    TensorInfo t = new TensorInfo("w", DType.F32, shape, "f", 0, shape.elementCount() * 4);
    return new TensorPair("w", new TensorRole(0, "attn_q"), t, t, elements, TensorStatus.COMPARED);
  }

  private static DeltaMetrics metrics(double l2, long nan) {
    return new DeltaMetrics(64, 1.0, 1.0, l2, l2, 1.0, l2, l2, 0.0, 0.0, nan, 0);
  }
}
