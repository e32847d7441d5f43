package io.deltascope.tensor;

/**
 * One pass over two tensors' values, in matching order, accumulating everything {@link
 * DeltaMetrics} needs in float64. Feed it blocks with {@link #add}; each block's sums are formed
 * locally and then added to the totals, which keeps rounding error growing with the number of
 * blocks rather than the number of elements.
 */
public final class DeltaAccumulator {
  /** |B - A| below this counts towards sparsity. */
  public static final double SPARSITY_THRESHOLD = 1e-5;

  private long count;
  private double sumBase2;
  private double sumFinetuned2;
  private double sumCross;
  private double sumDelta2;
  private double sumAbsDelta;
  private double maxAbsDelta;
  private long sparse;
  private long equal;
  private long nan;
  private long inf;

  // the finite pairs of a block whose sums came out non-finite; allocated on the first such block
  private double[] finiteA = new double[0];
  private double[] finiteB = new double[0];

  /**
   * Adds {@code n} aligned pairs {@code a[i]}, {@code b[i]}. A block is first summed without
   * per-value checks; NaN and infinity carry into the sums of squares, so only a block whose sums
   * come out non-finite is gone through again: its NaN and infinities are counted, and the rest
   * summed.
   */
  public void add(double[] a, double[] b, int n) {
    if (!sum(a, b, n, true)) {
      addChecked(a, b, n);
    }
    count += n;
  }

  /** Counts the block's non-finite pairs, then sums the finite ones in their order. */
  private void addChecked(double[] a, double[] b, int n) {
    if (finiteA.length < n) {
      finiteA = new double[n];
      finiteB = new double[n];
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
      double x = a[i];
      double y = b[i];
      if (Double.isFinite(x) && Double.isFinite(y)) {
        finiteA[m] = x;
        finiteB[m] = y;
        m++;
      } else {
        countNonFinite(x, y);
        if (x == y) {
          equal++; // inf == inf, as torch's == says
        }
      }
    }
    sum(finiteA, finiteB, m, false);
  }

  /**
   * Adds the sums of {@code n} pairs to the totals, unless {@code onlyIfFinite} and they come out
   * non-finite (a NaN or infinity among them, or squares beyond double's range): then adds nothing
   * and returns false.
   */
  private boolean sum(double[] a, double[] b, int n, boolean onlyIfFinite) {
    double sa = 0;
    double sb = 0;
    double sab = 0;
    double sd = 0;
    double sabs = 0;
    double max = 0;
    long sparseHere = 0;
    long equalHere = 0;
    for (int i = 0; i < n; i++) {
      double x = a[i];
      double y = b[i];
      double d = y - x;
      double ad = Math.abs(d);
      sa += x * x;
      sb += y * y;
      sab += x * y;
      sd += d * d;
      sabs += ad;
      max = ad > max ? ad : max;
      sparseHere += ad < SPARSITY_THRESHOLD ? 1 : 0;
      equalHere += x == y ? 1 : 0;
    }
    if (onlyIfFinite && !Double.isFinite(sa + sb)) {
      return false;
    }
    sumBase2 += sa;
    sumFinetuned2 += sb;
    sumCross += sab;
    sumDelta2 += sd;
    sumAbsDelta += sabs;
    maxAbsDelta = Math.max(maxAbsDelta, max);
    sparse += sparseHere;
    equal += equalHere;
    return true;
  }

  private void countNonFinite(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      nan++;
    } else {
      inf++;
    }
  }

  public long count() {
    return count;
  }

  /** The metrics; every sum-based one null when no position had both sides finite. */
  public DeltaMetrics result() {
    long summed = count - nan - inf;
    if (summed == 0) {
      return new DeltaMetrics(
          count,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          equal / (double) Math.max(count, 1),
          nan,
          inf);
    }
    double normA = Math.sqrt(sumBase2);
    double normB = Math.sqrt(sumFinetuned2);
    double l2 = Math.sqrt(sumDelta2);
    Double relative = normA > 0 ? l2 / normA : null;
    Double cosine = normA > 0 && normB > 0 ? clamp(sumCross / (normA * normB)) : null;
    double n = summed;
    return new DeltaMetrics(
        count,
        normA,
        normB,
        l2,
        relative,
        cosine,
        maxAbsDelta,
        sumAbsDelta / n,
        sparse / n,
        equal / (double) count,
        nan,
        inf);
  }

  private static double clamp(double cosine) {
    return Math.max(-1.0, Math.min(1.0, cosine));
  }
}
