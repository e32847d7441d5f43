package io.deltascope.diff;

import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.Spectrum;

/**
 * What one pass over a pair found: the metrics and the spectrum (or why there is none).
 *
 * @param metrics the one-pass metrics
 * @param spectrum the spectrum, or {@code Spectrum.none(...)}; null when the distributed path still
 *     has to compute it
 */
public record TensorDelta(DeltaMetrics metrics, Spectrum spectrum) {}
