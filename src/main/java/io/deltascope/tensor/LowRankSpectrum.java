package io.deltascope.tensor;

/**
 * Every singular value of a low-rank product scale * B A (B [out, r], A [r, in]) from its factors
 * alone: with B = Q_B R_B and A^T = Q_A R_A (Householder), B A = Q_B (R_B R_A^T) Q_A^T, so its
 * singular values are those of the r x r matrix R_B R_A^T. Costs r^2 (out + in), never the Gram of
 * the full [out, in] matrix.
 */
public final class LowRankSpectrum {
  private LowRankSpectrum() {}

  /**
   * The min(out, in) singular values of scale * B A, descending (all but the first r are zero).
   *
   * @param b B, row-major [out, r]
   * @param a A, row-major [r, in]
   */
  public static double[] singularValues(double[] b, double[] a, int rank, double scale) {
    int out = b.length / rank;
    int in = a.length / rank;
    double[] at = new double[a.length]; // A^T, row-major [in, r]
    for (int k = 0; k < rank; k++) {
      for (int j = 0; j < in; j++) {
        at[j * rank + k] = a[k * in + j];
      }
    }
    double[] rb = triangle(b, out, rank); // [r, r]
    double[] ra = triangle(at, in, rank); // [r, r]
    // the Gram of C = R_B R_A^T, column-major lower: G[i, j] = sum_k C[k, i] C[k, j]
    double[] c = new double[rank * rank];
    for (int i = 0; i < rank; i++) {
      for (int j = 0; j < rank; j++) {
        double sum = 0;
        for (int k = 0; k < rank; k++) {
          sum += rb[i * rank + k] * ra[j * rank + k];
        }
        c[i * rank + j] = sum;
      }
    }
    double[] gram = new double[rank * rank];
    for (int i = 0; i < rank; i++) {
      for (int j = 0; j < rank; j++) {
        double sum = 0;
        for (int k = 0; k < rank; k++) {
          sum += c[k * rank + i] * c[k * rank + j];
        }
        gram[j * rank + i] = sum;
      }
    }
    double[] top = GramAccumulator.singularValuesOfGram(gram, rank);
    double[] s = new double[Math.min(out, in)];
    for (int i = 0; i < Math.min(rank, s.length); i++) {
      s[i] = Math.abs(scale) * top[i];
    }
    return s;
  }

  /** R of the Householder QR of {@code x} (row-major [m, n]), row-major [n, n]; zero rows pad m. */
  static double[] triangle(double[] x, int m, int n) {
    int rows = Math.max(m, n);
    double[] w = java.util.Arrays.copyOf(x, rows * n);
    for (int j = 0; j < n; j++) {
      double norm = 0;
      for (int i = j; i < rows; i++) {
        norm += w[i * n + j] * w[i * n + j];
      }
      norm = Math.sqrt(norm);
      if (norm == 0) {
        continue;
      }
      double alpha = w[j * n + j] > 0 ? -norm : norm;
      double[] v = new double[rows - j];
      for (int i = j; i < rows; i++) {
        v[i - j] = w[i * n + j];
      }
      v[0] -= alpha;
      double vv = 0;
      for (double e : v) {
        vv += e * e;
      }
      for (int k = j; k < n; k++) {
        double dot = 0;
        for (int i = j; i < rows; i++) {
          dot += v[i - j] * w[i * n + k];
        }
        double f = 2 * dot / vv;
        for (int i = j; i < rows; i++) {
          w[i * n + k] -= f * v[i - j];
        }
      }
    }
    double[] r = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        r[i * n + j] = w[i * n + j];
      }
    }
    return r;
  }
}
