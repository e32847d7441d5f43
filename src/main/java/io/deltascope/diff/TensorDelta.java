package io.deltascope.diff;

import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.RankProbe;
import io.deltascope.tensor.Spectrum;

/**
 * What one pass over a pair found: the metrics and the spectrum (or why there is none).
 *
 * @param metrics the one-pass metrics
 * @param spectrum the spectrum, or {@code Spectrum.none(...)}; null when the distributed path still
 *     has to compute it
 * @param outsideRounding values of the float side outside the quantized side's rounding bound
 *     ({@link RoundingCheck}); null when the pair is not a float against a block type with bounds
 * @param rankProbe the delta's sketched numerical rank ({@link RankProbe}) when spectra are off;
 *     null when not probed
 */
public record TensorDelta(
    DeltaMetrics metrics, Spectrum spectrum, Long outsideRounding, Integer rankProbe) {

  public TensorDelta(DeltaMetrics metrics, Spectrum spectrum) {
    this(metrics, spectrum, null, null);
  }
}
