package io.deltascope.tensor;

import java.io.Serializable;

/**
 * How one tensor changed, all in float64 over the stored values. Sums skip positions where either
 * side is NaN or infinite; those are counted instead, and every sum-based figure is over the
 * positions actually summed: null when none were (a tensor entirely NaN has no norm, not a norm of
 * 0).
 *
 * @param nParams elements compared
 * @param normBase ||A|| (Frobenius) over the positions summed; null when none were
 * @param normFinetuned ||B|| over the positions summed; null when none were
 * @param l2Distance ||B - A|| over the positions summed; null when none were
 * @param relativeDelta ||B - A|| / ||A||; null when ||A|| = 0 or nothing was summed
 * @param cosine cosine of the flattened tensors; null when a norm is 0 or nothing was summed
 * @param maxAbsDiff max |B - A| over the positions summed; null when none were
 * @param meanAbsDiff mean |B - A| over the positions summed; null when none were
 * @param sparsity fraction of the positions summed with |B - A| < 1e-5; null when none were
 * @param zeroFraction fraction of elements exactly equal
 * @param nanCount positions where either side is NaN
 * @param infCount positions where either side is infinite (and neither is NaN)
 * @see #rmse()
 */
public record DeltaMetrics(
    long nParams,
    Double normBase,
    Double normFinetuned,
    Double l2Distance,
    Double relativeDelta,
    Double cosine,
    Double maxAbsDiff,
    Double meanAbsDiff,
    Double sparsity,
    double zeroFraction,
    long nanCount,
    long infCount)
    implements Serializable {

  /** Positions where both sides are finite: the ones every sum is over. */
  public long summed() {
    return nParams - nanCount - infCount;
  }

  /** Root mean square of B - A over the positions summed; null when none were. */
  public Double rmse() {
    return summed() > 0 ? l2Distance / Math.sqrt(summed()) : null;
  }
}
