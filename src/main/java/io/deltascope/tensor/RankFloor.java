package io.deltascope.tensor;

/**
 * The singular value below which a delta's spectrum is noise, for the numerical rank.
 *
 * <p>Two sources. Storage: the fine-tuned values were rounded to their stored type when saved, so
 * the delta carries an error E with |E_ij| up to eps/2 |B_ij| (eps the type's machine epsilon).
 * Rounding errors behave like independent noise, and the largest singular value of an m x n noise
 * matrix with entries of standard deviation sigma is about sigma (sqrt(m) + sqrt(n)); with sigma at
 * most eps/(2 sqrt 3) rms(B) that is below eps ||B||_F (1/sqrt(m) + 1/sqrt(n)) / 3.4: the floor
 * takes eps ||B||_F (1/sqrt(m) + 1/sqrt(n)), a margin of about 3. (The base's stored values are the
 * reference, not an estimate, so only the fine-tune's rounding counts.) Arithmetic: the Gram
 * squares the singular values, so its eigenvalues near zero carry an absolute error of about eps64
 * s_max^2 times a small multiple of the dimension; the floor takes s_max sqrt(eps64 max(m, n)).
 *
 * <p>A rank-4 LoRA merged and saved in float32 reads 4; a rank-8 one saved in bfloat16 reads 8, as
 * long as its singular values stand above the bfloat16 rounding noise of the weights.
 */
public final class RankFloor {
  static final double EPS64 = Math.ulp(1.0);

  private RankFloor() {}

  /**
   * @param storageEpsilon machine epsilon of the fine-tune's stored type (2^-7 for bfloat16)
   * @param normFinetuned ||B||_F over the compared values
   * @param rows the delta's rows
   * @param cols the delta's columns
   * @param sMax the largest singular value
   */
  public static double of(
      double storageEpsilon, double normFinetuned, long rows, long cols, double sMax) {
    double storage = storageEpsilon * normFinetuned * (1 / Math.sqrt(rows) + 1 / Math.sqrt(cols));
    return Math.max(storage, arithmetic(rows, cols, sMax));
  }

  /** The Gram's own error, as a singular value: s_max sqrt(eps64 max(rows, cols)). */
  public static double arithmetic(long rows, long cols, double sMax) {
    return sMax * Math.sqrt(EPS64 * Math.max(rows, cols));
  }

  /**
   * How many singular values a floor could show for a delta of this energy: values above {@code
   * floor} have squares summing to at most ||D||_F^2, so there are at most ||D||_F^2 / floor^2 of
   * them, and never more than min(rows, cols). A numerical rank near it says more about the floor
   * than about the delta: a dense update whose spectrum runs on below the floor reads the same.
   *
   * @param l2Distance ||D||_F, the delta's Frobenius norm
   */
  public static double resolvable(double l2Distance, double floor, long rows, long cols) {
    double order = Math.min(rows, cols);
    return floor > 0 ? Math.min(order, l2Distance * l2Distance / (floor * floor)) : order;
  }
}
