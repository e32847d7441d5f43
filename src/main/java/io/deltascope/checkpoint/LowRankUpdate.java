package io.deltascope.checkpoint;

import java.io.Serializable;

/**
 * An unmerged LoRA update of one tensor: the fine-tuned tensor is {@code base + scale * B A}
 * (transposed when the weight is stored [in, out]), computed in float64 as it is read.
 *
 * @param base the base tensor the update applies to
 * @param a the down factor A [r, in]
 * @param b the up factor B [out, r]
 * @param scale lora_alpha / r (or / sqrt(r) with rsLoRA)
 * @param transposed whether the weight is stored [in, out] (fan_in_fan_out, embeddings), so that
 *     the update is (B A)^T
 */
public record LowRankUpdate(
    TensorInfo base, TensorInfo a, TensorInfo b, double scale, boolean transposed)
    implements Serializable {

  public int rank() {
    return (int) a.shape().dim(0);
  }

  /** The fine-tuned tensor: float64 values, read through {@link LowRankSource}. */
  public TensorInfo tensor() {
    long n = base.elementCount();
    return new TensorInfo(
        base.name(), DType.F64, base.shape(), base.file(), 0, DType.F64.byteLength(n), null, this);
  }

  /** Whether {@code delta}'s base side is exactly this update's base, so the delta is scale B A. */
  public boolean isDeltaOver(TensorInfo other) {
    return base.equals(other);
  }

  /** Reads A and B: r (in + out) values, small enough to hold. */
  public Factors factors() {
    return new Factors(TensorReader.values(a), TensorReader.values(b));
  }

  /**
   * A's and B's values, row-major.
   *
   * @param a [r, in]
   * @param b [out, r]
   */
  public record Factors(double[] a, double[] b) {}
}
