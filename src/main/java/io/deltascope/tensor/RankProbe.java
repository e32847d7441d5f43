package io.deltascope.tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The numerical rank of a delta D = B - A [rows, cols] without its spectrum: a randomized range
 * finder, for the fast scan. The values arrive in row-major order; each block of whole rows is
 * multiplied by a fixed Gaussian test matrix Omega [cols, k] (native {@code dgemm}), and the Gram
 * of the sketch Y = D Omega [rows, k] is summed ({@code dsyrk}); its k eigenvalues give Y's
 * singular values. Work: 2 rows cols k multiply-adds, against the full spectrum's rows cols
 * min(rows, cols) plus its eigensolver.
 *
 * <p>Why it measures D's rank: for D = U S V^T of rank r, Y = U S (V^T Omega) and V^T Omega is an r
 * x k Gaussian matrix, so Y has exactly r non-zero singular values, each s_i sqrt(k) times a factor
 * between 1 - sqrt(r / k) and 1 + sqrt(r / k). Storage rounding E (the noise {@link RankFloor}
 * bounds) becomes E Omega, rows x k with the whole of ||E||_F^2 k spread over k columns: scaled by
 * 1 / sqrt(k) it is the noise of a [rows, k] matrix of the same Frobenius norm, so the floor is
 * {@link RankFloor#of} with k in place of cols.
 *
 * <p>The residual check: the sketch's energy beyond its top r directions, per remaining direction
 * (sum of the other k - r eigenvalues / (k - r)), estimates the energy of D outside a rank-r
 * approximation; the claim stands only if that is within what the fine-tune's storage rounding can
 * carry, (eps / 2)^2 ||B||_F^2 (every value rounds by at most half its ulp), plus the Gram's own
 * arithmetic error. A delta with many directions each under the sketch's floor fails it.
 */
public final class RankProbe {
  /** The largest rank the probe vouches for: the diagnosis's "low rank". */
  public static final int MAX_RANK = 64;

  /** Extra sketch columns beyond {@link #MAX_RANK}, so a rank-64 delta still leaves a gap. */
  static final int OVERSAMPLING = 8;

  /** The largest test matrix, in doubles (32 MB): wider deltas are not probed. */
  static final long MAX_TEST_MATRIX = 1L << 22;

  /** Values per block of rows multiplied at once (2 MB of doubles). */
  static final int BLOCK_ELEMENTS = 1 << 18;

  static final long SEED = 0x5eed_0fdeL;

  // one test matrix per (width, k), by cols << 8 | k
  private static final Map<Long, double[]> TEST_MATRICES = new ConcurrentHashMap<>();

  private final int rows;
  private final int cols;
  private final int k;
  private final double[] omega; // column-major [cols, k]
  private final double[] block; // row-major [blockRows, cols]
  private final double[] sketch; // column-major [blockRows, k]
  private final double[] gram; // column-major [k, k], lower triangle
  private final int blockCapacity;
  private int filled;
  private boolean blockNonZero;
  private boolean gramStarted;
  private long added;

  /**
   * @param rows the delta's rows
   * @param cols the product of its remaining dimensions
   * @param workspace arrays reused across the tensors of one task
   */
  public RankProbe(long rows, long cols, Workspace workspace) {
    if (!fits(rows, cols)) {
      throw new IllegalArgumentException("a [" + rows + ", " + cols + "] delta is not probed");
    }
    this.rows = (int) rows;
    this.cols = (int) cols;
    this.k = sketchSize(rows, cols);
    this.omega = testMatrix(this.cols, k);
    int blockRows = (int) Math.max(1, Math.min(rows, BLOCK_ELEMENTS / Math.max(1, cols)));
    this.blockCapacity = blockRows * this.cols;
    this.block = workspace.block(blockCapacity);
    this.sketch = workspace.sketch(blockRows * k);
    this.gram = workspace.gram(k * k);
  }

  /** Whether a [rows, cols] delta can be probed: its test matrix fits {@link #MAX_TEST_MATRIX}. */
  public static boolean fits(long rows, long cols) {
    return rows > 0
        && cols > 0
        && rows <= Integer.MAX_VALUE
        && cols * sketchSize(rows, cols) <= MAX_TEST_MATRIX;
  }

  /** The sketch's columns: {@link #MAX_RANK} + {@link #OVERSAMPLING}, or the smaller side. */
  static int sketchSize(long rows, long cols) {
    return (int) Math.min(Math.min(rows, cols), MAX_RANK + OVERSAMPLING);
  }

  /** Adds the next {@code n} values of the delta, {@code b[i] - a[i]}. */
  public void add(double[] a, double[] b, int n) {
    int i = 0;
    while (i < n) {
      int take = Math.min(n - i, blockCapacity - filled);
      boolean nonZero = false;
      for (int j = 0; j < take; j++) {
        double d = b[i + j] - a[i + j];
        block[filled + j] = d;
        nonZero |= d != 0;
      }
      blockNonZero |= nonZero;
      filled += take;
      i += take;
      if (filled == blockCapacity) {
        flush();
      }
    }
    added += n;
  }

  /**
   * The delta's numerical rank as the sketch measures it, one of three answers. The count of the
   * sketch's singular values (scaled by 1 / sqrt(k)) above its floor, when it is at most {@link
   * #MAX_RANK}, leaves {@link #OVERSAMPLING} columns of gap (or the sketch spans the smaller side)
   * and passes the residual check. k, the sketch's size, read "k or more", when more than {@link
   * #MAX_RANK} directions stand above the floor (or all of a sketch that spans the smaller side):
   * not low rank. Null otherwise: the sketch cannot vouch either way (a low-rank signal too weak
   * against the rounding for k columns, whose weakest directions the sketch shrinks by up to 1 -
   * sqrt(r / k)).
   *
   * @param storageEpsilon machine epsilon of the fine-tune's stored type
   * @param normFinetuned ||B||_F over the compared values
   */
  public Integer rank(double storageEpsilon, double normFinetuned) {
    long expected = (long) rows * cols;
    if (added != expected) {
      throw new IllegalStateException("sketch of " + expected + " values after only " + added);
    }
    flush();
    if (!gramStarted) {
      return 0; // an exactly zero delta
    }
    double[] eig = LinearAlgebra.symmetricEigenvalues(gram, k); // ascending: sigma_i(Y)^2
    double sMax = Math.sqrt(Math.max(eig[k - 1], 0) / k);
    if (!(sMax > 0)) {
      return 0;
    }
    double floor = RankFloor.of(storageEpsilon, normFinetuned, rows, k, sMax);
    int rank = 0;
    while (rank < k && Math.sqrt(Math.max(eig[k - 1 - rank], 0) / k) > floor) {
      rank++;
    }
    boolean spansSmallerSide = k == Math.min(rows, cols);
    if (rank > MAX_RANK || rank == k) {
      return k;
    }
    boolean gap = rank <= k - OVERSAMPLING || spansSmallerSide;
    return gap && withinRounding(eig, rank, storageEpsilon, normFinetuned, sMax) ? rank : null;
  }

  // the energy beyond the top r directions, per direction, against the rounding's hard bound
  private boolean withinRounding(
      double[] eig, int rank, double storageEpsilon, double normFinetuned, double sMax) {
    double tail = 0;
    for (int i = 0; i < k - rank; i++) {
      tail += Math.max(eig[i], 0);
    }
    double residual = tail / (k - rank);
    double rounding = storageEpsilon / 2 * normFinetuned;
    // the Gram's eigenvalues carry an absolute error of about k arithmetic^2 (unscaled)
    double arithmetic = RankFloor.arithmetic(rows, k, sMax);
    return residual <= rounding * rounding + k * arithmetic * arithmetic;
  }

  private void flush() {
    if (filled == 0) {
      return;
    }
    if (blockNonZero) {
      // the row-major block [b, cols] is the column-major X = D_b^T [cols, b]: Y_b = X^T Omega
      int b = filled / cols;
      LinearAlgebra.blas()
          .dgemm("T", "N", b, k, cols, 1.0, block, cols, omega, cols, 0.0, sketch, b);
      double beta = gramStarted ? 1.0 : 0.0;
      LinearAlgebra.blas().dsyrk("L", "T", k, b, 1.0, sketch, b, beta, gram, k);
      gramStarted = true;
    }
    filled = 0;
    blockNonZero = false;
  }

  /** Grow-only arrays one comparison reuses from tensor to tensor. */
  public static final class Workspace {
    private double[] block = new double[0];
    private double[] sketch = new double[0];
    private double[] gram = new double[0];

    double[] block(int size) {
      if (block.length < size) {
        block = new double[size];
      }
      return block;
    }

    double[] sketch(int size) {
      if (sketch.length < size) {
        sketch = new double[size];
      }
      return sketch;
    }

    double[] gram(int size) {
      if (gram.length < size) {
        gram = new double[size];
      }
      Arrays.fill(gram, 0, size, 0.0);
      return gram;
    }
  }

  /**
   * The same Gaussian test matrix for every run, so a rank reads the same each time; one per width
   * in the JVM (a model has a few widths), shared read-only by every task and every side of a pass.
   */
  static double[] testMatrix(int cols, int k) {
    return TEST_MATRICES.computeIfAbsent(((long) cols << 8) | k, key -> gaussian(cols, k));
  }

  private static double[] gaussian(int cols, int k) {
    Random random = new Random(SEED);
    double[] omega = new double[cols * k];
    for (int i = 0; i < omega.length; i++) {
      omega[i] = random.nextGaussian();
    }
    return omega;
  }
}
