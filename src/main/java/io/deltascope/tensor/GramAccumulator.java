package io.deltascope.tensor;

/**
 * The Gram matrix of a delta D = B - A of shape [rows, cols] (values arriving in row-major order),
 * on its smaller side, in float64 through native BLAS {@code dsyrk}: D^T D [cols, cols] when the
 * delta is tall, D D^T [rows, rows] when it is wide. Its eigenvalues are the squared singular
 * values of D.
 *
 * <p>Memory: a tall delta is streamed in blocks of rows (one block of about {@value
 * #BLOCK_ELEMENTS} values plus the Gram); a wide one is materialized (rows x cols doubles, which is
 * then smaller than cols x cols) because D D^T needs every row at once. Blocks of zeros (untouched
 * rows) are skipped.
 */
public final class GramAccumulator {
  /** Values per streamed block of a tall delta: 16 MB of doubles. */
  static final int BLOCK_ELEMENTS = 1 << 21;

  /** The largest Java array (a few below Integer.MAX_VALUE). */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 8L;

  private final int rows;
  private final int cols;
  private final boolean tall;
  private final int order;
  private final double[] gram; // [order, order], column-major, lower triangle
  private final double[] block; // row-major [blockRows, cols] (tall) or [rows, cols] (wide)
  private final int blockCapacity;
  private int filled;
  private boolean blockNonZero;
  private boolean gramStarted;
  private long added;

  /**
   * @param rows the delta's rows (first dimension; common rows of a vocabulary resize)
   * @param cols the product of the remaining dimensions
   * @param workspace arrays reused across tensors of one task
   */
  public GramAccumulator(long rows, long cols, Workspace workspace) {
    if (!fitsLocally(rows, cols)) {
      throw new IllegalArgumentException(
          "a [" + rows + ", " + cols + "] delta does not fit one task's arrays");
    }
    this.rows = (int) rows;
    this.cols = (int) cols;
    this.tall = rows >= cols;
    this.order = (int) Math.min(rows, cols);
    this.gram = workspace.gram(order * order);
    this.blockCapacity =
        tall
            ? (int) Math.max(1, Math.min(rows, BLOCK_ELEMENTS / Math.max(1, cols))) * this.cols
            : this.rows * this.cols;
    this.block = workspace.block(blockCapacity);
  }

  /** Whether one task can hold the Gram (and, for a wide delta, the delta itself). */
  public static boolean fitsLocally(long rows, long cols) {
    long order = Math.min(rows, cols);
    return rows <= Integer.MAX_VALUE
        && cols <= Integer.MAX_VALUE
        && order * order <= MAX_ARRAY
        && (rows >= cols || rows * cols <= MAX_ARRAY);
  }

  /** The Gram's order: min(rows, cols). */
  public int order() {
    return order;
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
      if (filled == blockCapacity && tall) {
        flush();
      }
    }
    added += n;
  }

  /**
   * The Gram matrix (column-major [order, order], lower triangle valid), after every value was
   * added. Its array belongs to the workspace: use it before the next tensor.
   */
  public double[] gram() {
    long expected = (long) rows * cols;
    if (added != expected) {
      throw new IllegalStateException("Gram of " + expected + " values after only " + added);
    }
    flush();
    if (!gramStarted) {
      java.util.Arrays.fill(gram, 0, order * order, 0.0);
    }
    return gram;
  }

  /** All singular values of the delta, descending: the square roots of the Gram's eigenvalues. */
  public double[] singularValues() {
    return singularValuesOfGram(gram(), order);
  }

  /** sqrt(max(eigenvalue, 0)) of a Gram matrix (overwritten), descending. */
  public static double[] singularValuesOfGram(double[] gram, int order) {
    double[] eig = LinearAlgebra.symmetricEigenvalues(gram, order); // ascending
    double[] s = new double[order];
    for (int i = 0; i < order; i++) {
      s[i] = Math.sqrt(Math.max(eig[order - 1 - i], 0.0));
    }
    return s;
  }

  private void flush() {
    if (filled == 0) {
      return;
    }
    if (blockNonZero) {
      double beta = gramStarted ? 1.0 : 0.0;
      if (tall) {
        // the row-major block [k, cols] is the column-major X = D_k^T [cols, k]: G += X X^T
        int k = filled / cols;
        LinearAlgebra.blas().dsyrk("L", "N", cols, k, 1.0, block, cols, beta, gram, cols);
      } else {
        // the whole delta, column-major X = D^T [cols, rows]: G = X^T X = D D^T
        LinearAlgebra.blas().dsyrk("L", "T", rows, cols, 1.0, block, cols, beta, gram, rows);
      }
      gramStarted = true;
    }
    filled = 0;
    blockNonZero = false;
  }

  /** Grow-only arrays one task reuses from tensor to tensor, so the heap does not churn. */
  public static final class Workspace {
    private double[] gram = new double[0];
    private double[] block = new double[0];

    double[] gram(int size) {
      if (gram.length < size) {
        gram = new double[size];
      }
      return gram;
    }

    double[] block(int size) {
      if (block.length < size) {
        block = new double[size];
      }
      return block;
    }
  }
}
