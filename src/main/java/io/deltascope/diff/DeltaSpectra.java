package io.deltascope.diff;

import io.deltascope.checkpoint.LowRankUpdate;
import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.LowRankSpectrum;
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

  /**
   * Whether {@code pair}'s delta is exactly an unmerged LoRA's scale * B A (the fine-tuned side is
   * the base tensor plus an update, compared whole), so its spectrum comes from the factors.
   */
  public static boolean isLowRank(TensorPair pair) {
    LowRankUpdate update = pair.finetuned().update();
    return update != null
        && update.isDeltaOver(pair.base())
        && pair.elements() == pair.base().elementCount();
  }

  /** Every singular value of a {@link #isLowRank} pair's delta, descending, from its factors. */
  public static double[] lowRankSingularValues(TensorPair pair) {
    LowRankUpdate update = pair.finetuned().update();
    LowRankUpdate.Factors factors = update.factors();
    return LowRankSpectrum.singularValues(factors.b(), factors.a(), update.rank(), update.scale());
  }
}
