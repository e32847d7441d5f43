package io.deltascope;

import io.deltascope.tensor.HalfFloats;
import java.util.Random;

/**
 * Matrices with a known spectrum, U diag(s) V^T with random orthonormal U and V, and the storage
 * roundings that checkpoints apply to them. Row-major [rows, cols] double arrays.
 */
public final class Planted {
  private Planted() {}

  /** U diag(s) V^T of shape [rows, cols]; s.length must not exceed min(rows, cols). */
  public static double[] matrix(int rows, int cols, double[] s, long seed) {
    Random random = new Random(seed);
    double[] u = orthonormalColumns(rows, s.length, random); // [rows, r]
    double[] v = orthonormalColumns(cols, s.length, random); // [cols, r]
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < s.length; k++) {
        double us = u[i * s.length + k] * s[k];
        for (int j = 0; j < cols; j++) {
          out[i * cols + j] += us * v[j * s.length + k];
        }
      }
    }
    return out;
  }

  /** Independent normal values of standard deviation {@code std}. */
  public static double[] gaussian(int n, double std, long seed) {
    Random random = new Random(seed);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = std * random.nextGaussian();
    }
    return out;
  }

  public static double[] plus(double[] x, double[] y) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] + y[i];
    }
    return out;
  }

  /** Each value rounded to bfloat16 (round to nearest even, as PyTorch saves). */
  public static double[] toBf16(double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16((float) x[i]));
    }
    return out;
  }

  /** Each value rounded to float32. */
  public static double[] toF32(double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) x[i];
    }
    return out;
  }

  // Gram-Schmidt (twice, for orthogonality to rounding) on Gaussian columns: [n, r] row-major
  private static double[] orthonormalColumns(int n, int r, Random random) {
    double[] q = new double[n * r];
    for (int i = 0; i < q.length; i++) {
      q[i] = random.nextGaussian();
    }
    for (int k = 0; k < r; k++) {
      for (int pass = 0; pass < 2; pass++) {
        for (int p = 0; p < k; p++) {
          double dot = 0;
          for (int i = 0; i < n; i++) {
            dot += q[i * r + k] * q[i * r + p];
          }
          for (int i = 0; i < n; i++) {
            q[i * r + k] -= dot * q[i * r + p];
          }
        }
      }
      double norm = 0;
      for (int i = 0; i < n; i++) {
        norm += q[i * r + k] * q[i * r + k];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < n; i++) {
        q[i * r + k] /= norm;
      }
    }
    return q;
  }
}
