package io.deltascope.diff;

import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.RankFloor;
import io.deltascope.tensor.Spectrum;
import io.deltascope.tensor.SpectrumStatus;

/** Turns a pair's singular values into its {@link Spectrum}: one rule for every path. */
public final class DeltaSpectra {
  private DeltaSpectra() {}

  /**
   * The spectrum of {@code pair}'s delta when its metrics alone decide it (spectra off, not a
   * matrix, NaN or Inf, an exactly zero delta); null when its singular values are needed.
   */
  public static Spectrum decided(TensorPair pair, DeltaMetrics metrics, SpectrumSettings settings) {
    DeltaMatrix m = DeltaMatrix.of(pair);
    if (!settings.enabled()) {
      return Spectrum.none(SpectrumStatus.SKIPPED);
    }
    if (m == null) {
      return Spectrum.none(SpectrumStatus.NOT_MATRIX);
    }
    if (metrics.nanCount() > 0 || metrics.infCount() > 0) {
      return Spectrum.none(SpectrumStatus.NON_FINITE);
    }
    if (metrics.l2Distance() == null || metrics.l2Distance() == 0 || m.order() == 0) {
      return Spectrum.none(SpectrumStatus.ZERO_DELTA);
    }
    return null;
  }

  /** The spectrum from every singular value {@code s} of {@code pair}'s delta, descending. */
  public static Spectrum of(
      TensorPair pair, DeltaMetrics metrics, double[] s, SpectrumSettings settings) {
    DeltaMatrix m = DeltaMatrix.of(pair);
    double floor =
        RankFloor.of(
            pair.finetuned().dtype().machineEpsilon(),
            metrics.normFinetuned(),
            m.rows(),
            m.cols(),
            s[0]);
    return Spectrum.of(s, settings.topK(), floor);
  }
}
