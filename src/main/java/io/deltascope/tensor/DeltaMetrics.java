package io.deltascope.tensor;

import java.io.Serializable;

/**
 * How one tensor changed, all in float64 over the stored values. Sums skip positions where either
 * side is NaN or infinite; those are counted instead.
 *
 * @param nParams elements compared
 * @param normBase ||A|| (Frobenius)
 * @param normFinetuned ||B||
 * @param l2Distance ||B - A||
 * @param relativeDelta ||B - A|| / ||A||; null when ||A|| = 0
 * @param cosine cosine of the flattened tensors; null when a norm is 0
 * @param maxAbsDiff max |B - A|
 * @param meanAbsDiff mean |B - A| over all elements
 * @param sparsity fraction of elements with |B - A| < 1e-5
 * @param zeroFraction fraction of elements exactly equal
 * @param nanCount positions where either side is NaN
 * @param infCount positions where either side is infinite (and neither is NaN)
 * @see #rmse()
 */
public record DeltaMetrics(
    long nParams,
    double normBase,
    double normFinetuned,
    double l2Distance,
    Double relativeDelta,
    Double cosine,
    double maxAbsDiff,
    double meanAbsDiff,
    double sparsity,
    double zeroFraction,
    long nanCount,
    long infCount)
    implements Serializable {

  /** Root mean square of B - A: ||B - A|| / sqrt(n); 0 when nothing was compared. */
  public double rmse() {
    return nParams > 0 ? l2Distance / Math.sqrt(nParams) : 0.0;
  }
}
