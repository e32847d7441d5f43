package io.deltascope.diff;

import java.io.Serializable;

/**
 * Whether and how weight-diff computes the spectrum of each delta.
 *
 * @param enabled false for the fast scan (the foundation's metrics only)
 * @param topK how many leading singular values to report, and the k of the energy share
 * @param distributedAbove deltas with more elements than this take MLlib's distributed path
 */
public record SpectrumSettings(boolean enabled, int topK, long distributedAbove)
    implements Serializable {
  public static final int DEFAULT_TOP_K = 20;

  /** 64 Mi elements: the largest embedding matrices (vocabulary x hidden) and beyond. */
  public static final long DEFAULT_DISTRIBUTED_ABOVE = 64L << 20;

  public static final SpectrumSettings DEFAULT =
      new SpectrumSettings(true, DEFAULT_TOP_K, DEFAULT_DISTRIBUTED_ABOVE);

  public static final SpectrumSettings OFF =
      new SpectrumSettings(false, DEFAULT_TOP_K, DEFAULT_DISTRIBUTED_ABOVE);

  public SpectrumSettings {
    if (topK < 1) {
      throw new IllegalArgumentException("top-k must be 1 or more, not " + topK);
    }
    if (distributedAbove < 0) {
      throw new IllegalArgumentException(
          "the distributed SVD threshold must be 0 or more, not " + distributedAbove);
    }
  }

  /** How {@code pair}'s spectrum is computed under these settings. */
  public Path pathFor(TensorPair pair) {
    if (!enabled) {
      return Path.NONE;
    }
    DeltaMatrix m = DeltaMatrix.of(pair);
    if (m == null) {
      return Path.NONE;
    }
    if (DeltaSpectra.isLowRank(pair)) {
      return Path.LOCAL; // from the factors: r x r work, whatever the matrix's size
    }
    boolean fits = io.deltascope.tensor.GramAccumulator.fitsLocally(m.rows(), m.cols());
    boolean large = m.elements() > distributedAbove || !fits;
    // the distributed path reads bands of columns: plain element types in stored row order only
    return large && (readableByBands(pair) || !fits) ? Path.DISTRIBUTED : Path.LOCAL;
  }

  /**
   * A pair's work in one task, in nanoseconds on one core of the 2-core benchmark machine: about 1
   * ns per byte read and decoded, and for a local spectrum the Gram's m n min(m, n) multiply-adds
   * (native dsyrk, ~40 Gflop/s) and the eigensolver's ~4/3 min(m, n)^3 (~20 Gflop/s). Only the
   * ratios matter: they balance the partitions.
   */
  public long estimatedCost(TensorPair pair) {
    double cost = pair.bytesToRead();
    if (pathFor(pair) == Path.LOCAL && !DeltaSpectra.isLowRank(pair)) {
      DeltaMatrix m = DeltaMatrix.of(pair);
      double order = m.order();
      cost += (double) m.rows() * m.cols() * order / 40 + order * order * order / 15;
    }
    return (long) Math.min(cost, Long.MAX_VALUE / 4);
  }

  /** Whether both sides can be read by column bands (no block quantization, no row reordering). */
  public static boolean readableByBands(TensorPair pair) {
    return readableByBands(pair.base()) && readableByBands(pair.finetuned());
  }

  private static boolean readableByBands(io.deltascope.checkpoint.TensorInfo t) {
    return !t.dtype().isBlockQuantized() && t.rowOrder() == null;
  }

  /** Where a spectrum is computed. */
  public enum Path {
    /** No spectrum (spectra off, or not a matrix). */
    NONE,
    /** In the same executor pass as the metrics: a streamed Gram and LAPACK. */
    LOCAL,
    /** MLlib's RowMatrix Gramian over many tasks, then LAPACK on the driver. */
    DISTRIBUTED
  }
}
